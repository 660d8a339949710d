"""Scale: every frame that needs one states its own, measured from what is printed."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import matplotlib
import pytest

matplotlib.use("Agg")

from export.data import StaticData  # noqa: E402
from export.render import build_figure, render_bytes  # noqa: E402
from views.state import ViewState  # noqa: E402

SVG_NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def data():
    return StaticData.load()


def _groups(root, prefix: str) -> dict[str, list]:
    return {g.get("id"): g for g in root.iter(f"{SVG_NS}g") if (g.get("id") or "").startswith(prefix)}


def _bar_pt_and_km(svg: bytes, gid: str) -> tuple[float, float]:
    """(printed length in pt, stated length in km) of the scale bar `gid` in the SVG."""
    root = ET.fromstring(svg)
    xs = []
    for g in _groups(root, f"{gid}-seg-").values():
        for path in g.iter(f"{SVG_NS}path"):
            xs += [float(x) for x in re.findall(r"[ML] ([-0-9.]+) [-0-9.]+", path.get("d"))]
    ticks = ["".join(el.itertext()) for g in root.iter(f"{SVG_NS}g") if g.get("id") == f"{gid}-tick"
             for el in g.iter(f"{SVG_NS}text")]
    assert xs and ticks, gid
    (km,) = [float(t.split()[0]) for t in ticks if t.endswith("km")]
    return max(xs) - min(xs), km


def _m_per_pt(fig, gid: str) -> float:
    ax = next(a for a in fig.axes if a.get_gid() == gid)
    x0, x1 = ax.get_xlim()
    return (x1 - x0) / (ax.get_position().width * fig.get_figwidth() * 72)


@pytest.mark.parametrize("size,lang", [("a4-landscape", "zh"), ("slide", "en"), ("a4-portrait", "zh")])
def test_enlargement_has_its_own_scale_bar_true_to_its_transform(policy, data, size, lang):
    state = ViewState(clusters=("automotive", "new_energy"), coverage=False, zoning=False, lang=lang)
    svg = render_bytes(policy, state, fmt="svg", size=size, data=data, svg_text="plain")
    fig, info = build_figure(policy, state, size=size, dpi=72, data=data)
    for gid, axes in (("inset-scalebar", "inset"), ("scalebar", "map")):
        length_pt, km = _bar_pt_and_km(svg, gid)
        assert length_pt * _m_per_pt(fig, axes) == pytest.approx(km * 1000, rel=0.01), (gid, length_pt, km)
    # Its own scale: the enlargement's bar states a shorter distance than the main map's.
    assert _bar_pt_and_km(svg, "inset-scalebar")[1] < _bar_pt_and_km(svg, "scalebar")[1]
    # In the enlargement's frame.
    x0, y0, x1, y1 = info.inset_extent
    bx0, by0, bx1, by1 = info.inset_furniture["scalebar"]
    assert x0 <= bx0 and bx1 <= x1 and y0 <= by0 and by1 <= y1


@pytest.mark.parametrize("size,lang", [("a3-landscape", "zh"), ("a4-portrait", "en")])
def test_poster_states_its_one_scale(policy, data, size, lang):
    """One scale bar (true to every panel's transform), one north arrow and the sentence
    that the panels share that scale."""
    from export.poster import build_poster
    from views import i18n

    fig, info = build_poster(policy, lang=lang, size=size, dpi=30, data=data)
    panels = [a for a in fig.axes if (a.get_gid() or "").startswith("panel-")]
    assert len(panels) == len(policy.clusters)
    scales = {round(_m_per_pt(fig, a.get_gid()), 3) for a in panels}
    assert len(scales) == 1  # every panel at one scale ...
    assert _m_per_pt(fig, "poster-scale") == pytest.approx(scales.pop(), rel=1e-3)  # ... the bar's
    strip = next(a for a in fig.axes if a.get_gid() == "poster-scale")
    segs = [p for p in strip.patches if (p.get_gid() or "").startswith("poster-scalebar-seg-")]
    xs = [x for p in segs for x in (p.get_x(), p.get_x() + p.get_width())]
    (km,) = [float(t.get_text().split()[0]) for t in strip.texts if t.get_text().endswith("km")]
    assert max(xs) - min(xs) == pytest.approx(km * 1000, rel=1e-6)
    assert sum(p.get_gid() == "north-arrow" for a in fig.axes for p in a.patches) == 1
    assert sum(p.get_gid() == "poster-scalebar" for a in fig.axes for p in a.patches) == 1
    assert i18n.t("poster_scale", lang) in [t.get_text() for t in strip.texts]


@pytest.mark.parametrize("size,lang", [("a4-landscape", "zh"), ("slide", "en"), ("a3-landscape", "en")])
def test_enlargement_names_only_cities_it_shows_whole(policy, data, size, lang):
    """Its title says what it shows, and every city it names lies wholly in its frame (the
    estuary cities among them); a city it cuts is named on the main map, on its own land."""
    import shapely

    from export.data import INSET_CITIES
    from views import i18n

    state = ViewState(clusters=tuple(policy.clusters), coverage=False, zoning=False, lang=lang)
    fig, info = build_figure(policy, state, size=size, dpi=30, data=data)
    frame = shapely.box(*info.inset_extent)
    named = {a for a, (where, _) in info.city_boxes.items() if where == "inset"}
    assert set(INSET_CITIES) <= named
    for a in named:
        assert frame.contains(data.city_geoms[a]), a
    inset_title = [t.get_text() for t in fig.findobj(matplotlib.text.Text) if t.get_gid() == "inset-title"]
    assert inset_title == [i18n.t("inset_title", lang)]

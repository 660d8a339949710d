"""Where labels land, read back from the drawn artists (display → data coordinates).

Every page size × zh/en × (coverage, zoning, four clusters, all twenty, the poster with
its key map): a city's name lies on its city or is joined to it by a leader line that
starts in it; no leader crosses another leader or another city's name or glyphs; no
name lies wholly over the sea; a glyph block stays on its city (or the sea off it) and
inside its frame; the key map's call-out hides no city. Positions come from the artists
as drawn, not from the placer's plan, so a drawing bug fails here too. Renders are
shared by the tests (drawn once, lazily).
"""

from __future__ import annotations

import re

import pytest
import shapely
import shapely.affinity
from matplotlib.text import Text

from export.data import StaticData
from export.layout import MIN_PT
from export.poster import build_poster
from export.render import build_figure
from tests.test_print_type import VIEWS as MAP_VIEWS  # the coverage, zoning, four and all-20 states

VIEWS = {**MAP_VIEWS, "poster": None}
SIZES = ("a4-landscape", "a4-portrait", "a3-landscape", "slide")
CASES = [(v, s, lang) for v in VIEWS for s in SIZES for lang in ("zh", "en")]
LABEL = re.compile(r"^label-(\d{6})$")
GLYPH = re.compile(r"^glyph-[^-]+-(\d{6})-")
LEADER = re.compile(r"^leader-(\d{6})$")
DPI = 40


# The checks share their renders (`renders`): one worker makes each page once, started early.
pytestmark = [pytest.mark.xdist_group("print_labels"), pytest.mark.slow]


@pytest.fixture(scope="module")
def data():
    return StaticData.load()


@pytest.fixture(scope="module")
def renders(policy, data):
    """(view, size, lang) -> the figure's map axes read back as data-coordinate shapes."""
    cache: dict = {}

    def get(view, size, lang):
        key = (view, size, lang)
        if key not in cache:
            if view == "poster":
                fig, _ = build_poster(policy, lang=lang, size=size, dpi=DPI, data=data)
            else:
                state = VIEWS[view].with_(lang=lang)
                if state.clusters == ("all",):
                    state = state.with_(clusters=tuple(policy.clusters))
                fig, _ = build_figure(policy, state, size=size, dpi=DPI, data=data)
            cache[key] = read_axes(fig)
        return cache[key]

    return get


def _box(artist, ax, renderer):
    """The artist's extent in `ax`'s data coordinates (a shapely box)."""
    bb = artist.get_window_extent(renderer)
    (x0, y0), (x1, y1) = ax.transData.inverted().transform([(bb.x0, bb.y0), (bb.x1, bb.y1)])
    return shapely.box(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


def read_axes(fig) -> dict:
    """gid of each map axes -> {"frame", "labels": {adcode: box}, "glyphs": {adcode: box},
    "leaders": {adcode: LineString}} from what the figure draws."""
    renderer = fig.canvas.get_renderer()
    out = {}
    for ax in fig.axes:
        gid = ax.get_gid() or ""
        if not (gid in ("map", "inset", "key-map", "key-delta") or gid.startswith("panel-")):
            continue
        x0, x1 = ax.get_xlim()
        y0, y1 = ax.get_ylim()
        width_pt = ax.get_position().width * fig.get_figwidth() * 72
        got = {"frame": shapely.box(x0, y0, x1, y1), "labels": {}, "glyphs": {}, "leaders": {},
               "m_per_pt": (x1 - x0) / width_pt, "marks": shapely.Polygon(), "sizes": {},
               "pos": tuple(ax.get_position().bounds)}
        for artist in ax.get_children():
            name = artist.get_gid() or ""
            if isinstance(artist, Text) and name and artist.get_text():
                got["sizes"][name] = artist.get_fontsize()
            if m := LABEL.match(name):
                got["labels"][m.group(1)] = _box(artist, ax, renderer)
            elif m := GLYPH.match(name):
                a = m.group(1)
                b = _box(artist, ax, renderer)
                got["glyphs"][a] = b if a not in got["glyphs"] else shapely.box(
                    *shapely.union(got["glyphs"][a], b).bounds)
            elif name in ("inset-frame", "key-delta-frame"):
                got["marks"] = shapely.union(got["marks"], _box(artist, ax, renderer))
            elif m := LEADER.match(name):
                got["leaders"][m.group(1)] = shapely.LineString(artist.get_xydata())
        out[gid] = got
    return out


# Where the placer still breaks a rule (strict: one that starts to pass must be taken off).
KNOWN = {
    "leader": {"all20-slide-en"},
    "sea": set(),
    "glyph": set(),
}


def _cases(views, known=""):
    out = []
    for v, s, lang in CASES:
        if v not in views:
            continue
        name = f"{v}-{s}-{lang}"
        marks = [pytest.mark.xfail(strict=True, reason="a known limit of the placer")] if name in KNOWN.get(
            known, ()) else []
        out.append(pytest.param(v, s, lang, id=name, marks=marks))
    return out


LABELLED = ["coverage", "zoning", "four", "all20", "poster"]


@pytest.mark.parametrize("view,size,lang", _cases(LABELLED))
def test_each_name_on_its_city_or_led_to_it(renders, data, view, size, lang):
    bad = []
    for gid, got in renders(view, size, lang).items():
        for a, box in got["labels"].items():
            city = data.city_geoms[a]
            if box.intersects(city):
                continue
            lead = got["leaders"].get(a)
            unit = shapely.union(box, got["glyphs"].get(a, box))
            tol = 3 * got["m_per_pt"]  # a leader ends at its label's box, drawn with a margin
            ends = [] if lead is None else [shapely.get_point(lead, 0), shapely.get_point(lead, -1)]
            if not any(city.buffer(tol).contains(p) for p in ends) or not any(unit.distance(p) <= tol for p in ends):
                bad.append((gid, a))
        assert got["labels"] or not gid.startswith(("map", "key")), gid
    assert not bad, bad


@pytest.mark.parametrize("view,size,lang", _cases(LABELLED, "leader"))
def test_no_leader_crosses_a_leader_or_another_city(renders, view, size, lang):
    bad = []
    for gid, got in renders(view, size, lang).items():
        leaders = got["leaders"]
        keys = sorted(leaders)
        for i, a in enumerate(keys):
            for b in keys[i + 1:]:
                if leaders[a].crosses(leaders[b]):
                    bad.append((gid, "leader", a, b))
            for b, box in [*got["labels"].items(), *got["glyphs"].items()]:
                if b == a:
                    continue
                # Shrunk a little: a leader that only grazes an edge does not cross.
                w = min(box.bounds[2] - box.bounds[0], box.bounds[3] - box.bounds[1])
                inner = box.buffer(-0.15 * w)
                if not inner.is_empty and leaders[a].intersects(inner):
                    bad.append((gid, "box", a, b))
    assert not bad, sorted(set(bad))


def has_room(region, w: float, h: float) -> bool:
    """Whether a w × h box fits wholly inside `region` (erosion by the box: the region
    scaled to make the box a square, then shrunk by half its side with mitred corners)."""
    squeezed = shapely.affinity.scale(region, xfact=h / w, yfact=1.0, origin=(0, 0))
    return not squeezed.buffer(-h / 2, join_style="mitre").is_empty


@pytest.mark.parametrize("view,size,lang", _cases(LABELLED, "sea"))
def test_no_name_wholly_over_the_sea(renders, data, view, size, lang):
    """Where its city has room for it in the frame (outside the enlargement's mark),
    a name lies at least partly over land."""
    bad = []
    for gid, got in renders(view, size, lang).items():
        free = got["frame"].difference(got["marks"])
        for a, box in got["labels"].items():
            if box.intersects(data.all_land):
                continue
            x0, y0, x1, y1 = box.bounds
            if has_room(data.city_geoms[a].intersection(free), x1 - x0, y1 - y0):
                bad.append((gid, a))
    assert not bad, bad


@pytest.mark.parametrize("view,size,lang", _cases(["four", "all20", "poster"], "glyph"))
def test_glyph_block_on_its_city_inside_its_frame(renders, data, view, size, lang):
    """A glyph block stays inside its frame and, on a main map, over no other city or
    province (a fifth of it at most: a block a little wider than a small city reaches
    over its border). In the enlargement a block may reach over a neighbour (the delta
    cities are smaller than their blocks); in a poster panel a city's glyphs are centred
    on it (at that scale a delta city is smaller than one glyph)."""
    bad = []
    others = {a: shapely.union_all([g for b, g in data.city_geoms.items() if b != a]) for a in data.adcodes}
    provinces = shapely.union_all([c[4] for c in data.context])
    for gid, got in renders(view, size, lang).items():
        for a, block in got["glyphs"].items():
            if not got["frame"].contains(block):
                bad.append((gid, a, "frame"))
                continue
            if gid == "inset":
                continue
            if gid.startswith("panel-"):
                if not data.city_geoms[a].contains(block.centroid):
                    bad.append((gid, a, "centre"))
                continue
            over = block.intersection(others[a]).area + block.intersection(provinces).area
            if over > 0.2 * block.area:
                bad.append((gid, a, round(over / block.area, 2)))
    assert not bad, bad


@pytest.mark.parametrize("view,size,lang", _cases(["poster"]))
def test_key_map_names_every_city_and_the_places_around(renders, data, view, size, lang):
    """Every city once (the delta's in the call-out), 东沙群岛, 香港, 澳门 and 南海, none
    under the print floor."""
    got = renders(view, size, lang)
    key, delta = got["key-map"], got["key-delta"]
    assert sorted([*key["labels"], *delta["labels"]]) == sorted(data.adcodes)
    assert set(delta["labels"]) >= {"440300", "440400", "440600", "441900", "442000"}
    names = {**key["sizes"], **delta["sizes"]}
    assert {"dongsha", "sea", "context-810000", "context-820000"} <= set(names)
    small = {g: s for g, s in names.items() if s < MIN_PT - 0.01}
    assert not small, small


@pytest.mark.parametrize("view,size,lang", _cases(["poster"]))
def test_key_map_call_out_covers_no_land_of_guangdong(renders, data, view, size, lang):
    """The call-out stands over the sea or the neighbours, never over a city it would hide
    (on a key map wider than the province it goes beside it)."""
    got = renders(view, size, lang)
    key, delta = got["key-map"], got["key-delta"]
    kx, ky, kw, kh = key["pos"]
    fx0, fy0, fx1, fy1 = key["frame"].bounds
    dx, dy, dw, dh = delta["pos"]

    def to_key(x, y):
        return fx0 + (x - kx) / kw * (fx1 - fx0), fy0 + (y - ky) / kh * (fy1 - fy0)

    callout = shapely.box(*to_key(dx, dy), *to_key(dx + dw, dy + dh))
    assert key["frame"].contains(callout)
    assert callout.intersection(data.land).area <= 0.01 * callout.area

"""One rule book: the looks of views/style.py and the scene decide what every product
paints and says; the PNG, its legend and the English text are checked against them.

No colour or opacity is written here: every expected value is read from the style
module or the scene."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import numpy as np
import pytest
import shapely

pytest.importorskip("matplotlib")
colorspacious = pytest.importorskip("colorspacious")

from export.data import StaticData  # noqa: E402
from export.render import build_figure  # noqa: E402
from views import style  # noqa: E402
from views.scene import build_scene  # noqa: E402
from views.state import ViewState  # noqa: E402
from views.style import Area, GlyphLook, Stroke  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
LIGHT, DARK = "automotive", "new_energy"
FOUR = ("automotive", "biomed_health", "smart_robots", "new_energy")


def rgb(hex_color: str) -> np.ndarray:
    return np.array([int(hex_color[i:i + 2], 16) for i in (1, 3, 5)], dtype=float)


def over(top: str, bottom: np.ndarray, alpha: float) -> np.ndarray:
    return alpha * rgb(top) + (1 - alpha) * bottom


def delta_e(a, b) -> float:
    """CIE76 colour difference of two sRGB colours (hex or 0-255 triples)."""
    a = rgb(a) if isinstance(a, str) else np.asarray(a, float)
    b = rgb(b) if isinstance(b, str) else np.asarray(b, float)
    lab = colorspacious.cspace_convert(np.stack([a, b]) / 255, "sRGB1", "CIELab")
    return float(np.linalg.norm(lab[0] - lab[1]))


@pytest.fixture(scope="module")
def data():
    return StaticData.load()


def painted(scene, policy, adcode: str) -> np.ndarray:
    """The colour the scene puts on a city's land: its fill, the filled zone over it, the
    one cluster's tint over both."""
    city = scene.city_area(adcode)
    color = over(city.fill, np.array([255.0] * 3), city.alpha)
    if scene.zoning_mode == "fill":
        zone = scene.zone_fills[policy.cities[adcode].zone]
        color = over(zone.fill, color, zone.alpha)
    tint = scene.tint_area(adcode)
    if tint is not None and tint.fill:
        color = over(tint.fill, color, tint.alpha)
    return color


def inner_points(info, data, ax) -> dict[str, tuple[float, float]]:
    """A point of each city well inside it and clear of every label, glyph and frame."""
    taken = [shapely.box(*b) for where, b in info.city_boxes.values() if where == "map"]
    taken += [shapely.box(*b) for b in info.furniture.values()]
    if info.inset_extent:
        taken.append(shapely.box(*info.inset_extent).exterior.buffer(12_000))
    # Leader lines start at the label points the map used (a city cut by the enlargement's
    # frame is labelled from a point outside it).
    taken += [shapely.Point(xy).buffer(8_000) for xy in (info.label_xy or data.label_xy).values()]
    blocked = shapely.union_all(taken) if taken else shapely.Point()
    out = {}
    for a, geom in data.city_geoms.items():
        room = geom.buffer(-9_000).difference(blocked.buffer(4_000))
        if not room.is_empty:
            p = shapely.ops.polylabel(max(getattr(room, "geoms", [room]), key=lambda g: g.area), 500)
            out[a] = ax.transData.transform((p.x, p.y))
    return out


STATES = [
    ViewState(coverage=True, zoning=True),
    ViewState(coverage=True, zoning=False, basis="all", tier="emerging"),
    ViewState(coverage=False, zoning=True),
    ViewState(coverage=False, zoning=False),
    ViewState(clusters=(LIGHT,), coverage=True, zoning=True),
    ViewState(clusters=(LIGHT,), basis="all", zoning=False),
    ViewState(clusters=(DARK,), basis="all", zoning=True),
    ViewState(clusters=(DARK,), coverage=False, zoning=False, lang="en"),
    ViewState(clusters=FOUR, zoning=True, lang="en"),
    ViewState(clusters="ALL", basis="all", zoning=False),
]


@pytest.mark.parametrize("state", STATES, ids=lambda s: f"{len(s.clusters) if s.clusters != 'ALL' else 20}c-"
                         f"{s.basis}-cov{int(s.coverage)}-zon{int(s.zoning)}-{s.lang}")
def test_png_paints_the_scene_and_each_legend_sample_is_what_it_explains(policy, rows, data, state):
    if state.clusters == "ALL":
        state = state.with_(clusters=tuple(policy.clusters))
    scene = build_scene(policy, rows, state)
    fig, info = build_figure(policy, state, dpi=60, data=data, scene=scene)
    fig.canvas.draw()
    img = np.asarray(fig.canvas.buffer_rgba())[:, :, :3].astype(float)
    height = img.shape[0]

    def pixel(xy) -> np.ndarray:
        x, y = xy
        return img[int(round(height - y)), int(round(x))]

    ax = next(a for a in fig.axes if a.get_gid() == "map")
    points = inner_points(info, data, ax)
    assert len(points) >= 14, sorted(points)
    on_map = []
    for a, xy in points.items():
        want, got = painted(scene, policy, a), pixel(xy)
        assert np.abs(got - want).max() <= 2.5, (a, got, want)
        on_map.append(got)

    renderer = fig.canvas.get_renderer()
    checked = 0
    for entry, da in info.samples:
        look = entry.look
        if not isinstance(look, Area) or not look.fill:
            continue
        bb = da.get_window_extent(renderer)
        got = pixel(((bb.x0 + bb.x1) / 2, (bb.y0 + bb.y1) / 2))
        want = over(look.fill, rgb(style.LAND_COLOR), look.alpha)
        assert np.abs(got - want).max() <= 2.5, (entry.label, got, want)
        # the colour it explains is on the map (a class, zone or tint no city shows is not in the legend)
        assert any(np.abs(m - got).max() <= 2.5 for m in on_map), entry.label
        checked += 1
    fills = (scene.coverage_drawn, scene.zoning_mode == "fill", bool(scene.tint_cluster))
    assert checked > 0 or not any(fills)


def test_tinted_land_never_reads_as_sea():
    for i, c in enumerate(style.CLUSTER_PALETTE):
        tint = style.tint_look(c, "explicit")
        land = over(tint.fill, rgb(style.LAND_COLOR), tint.alpha)
        assert delta_e(land, style.SEA_COLOR) >= 10, (i + 1, c)
        # and a region-only city is outlined, never filled
        assert style.tint_look(c, "region").fill is None


def test_no_look_has_two_meanings():
    clusters = list(style.CLUSTER_PALETTE)
    for i in range(len(style.ZONE_COLORS)):
        zone = style.zone_fill(i)
        filled = over(zone.fill, rgb(style.LAND_COLOR), zone.alpha)
        for c in clusters:
            assert delta_e(zone.fill, c) >= 14, (zone.fill, c)  # matrix headers, legend lines
            assert delta_e(filled, c) >= 14, (zone.fill, c)  # the filled zone on the map
    # line styles: no zone boundary is drawn like a region-only outline or the city in focus
    zone_lines = {(ln.color, ln.dash) for ln in style.ZONE_LINES}
    region = style.tint_look(clusters[0], "region").stroke
    assert region.dash not in {ln.dash for ln in style.ZONE_LINES}
    assert (style.FOCUS.color, style.FOCUS.dash) not in zone_lines
    assert style.FOCUS.color not in {*clusters, *style.ZONE_COLORS, style.ZONE_LINE_COLOR}
    assert len({ln.dash for ln in style.ZONE_LINES}) == len(style.ZONE_LINES)


def test_matrix_zone_headers_use_zone_colours(policy, rows):
    from matplotlib.colors import to_hex

    from export.matrix import build_matrix_figure
    from policy.analysis import designation_matrix

    fig, _ = build_matrix_figure(policy, designation_matrix(policy, rows), dpi=30)
    bars = {ln.get_gid(): to_hex(ln.get_color()) for ax in fig.axes for ln in ax.lines
            if (ln.get_gid() or "").startswith("zone-bar-")}
    assert bars == {f"zone-bar-{z}": style.zone_color(i) for i, z in enumerate(policy.zones)}
    assert not set(bars.values()) & {c.lower() for c in style.CLUSTER_PALETTE}


# ------------------------------------------------------------------ English is English

# A Chinese original may follow its English gloss in brackets: "East bank of the Pearl River (珠江东岸)".
_GLOSS = re.compile(r"(?<=[A-Za-z0-9.)\]]) \([^()]*[\u3000-\u9fff][^()]*\)")
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def untranslated(text: str) -> list[str]:
    return _CJK.findall(_GLOSS.sub("", text))


def scene_texts(scene) -> list[str]:
    out = [scene.title, scene.subtitle, scene.source, *scene.city_names.values()]
    for s in scene.catalogue:
        out += [s.title, s.note or "", *(e.label for e in s.entries)]
    out += [t for n in scene.all_notes for t in (n.text, n.interactive_text)]
    out += [c.label for c in scene.clusters]
    return out


def svg_texts(svg: bytes) -> list[str]:
    import xml.etree.ElementTree as ET

    root = ET.fromstring(svg)
    return ["".join(el.itertext()) for el in root.iter("{http://www.w3.org/2000/svg}text")]


@pytest.mark.parametrize("state", [ViewState(lang="en"), ViewState(lang="en", coverage=False),
                                   ViewState(lang="en", clusters=("electronic_info",)),
                                   ViewState(lang="en", clusters=("electronic_info", "agri_food"), basis="all"),
                                   ViewState(lang="en", clusters=FOUR, city="440600"),
                                   ViewState(lang="en", clusters="ALL", basis="all")],
                         ids=["coverage", "zoning", "empty", "empty-all", "four-focus", "all20"])
def test_english_scene_and_map_image_carry_no_untranslated_chinese(policy, rows, data, state):
    from export.render import render_bytes

    if state.clusters == "ALL":
        state = state.with_(clusters=tuple(policy.clusters))
    scene = build_scene(policy, rows, state)
    bad = {t: untranslated(t) for t in scene_texts(scene) if untranslated(t)}
    assert not bad
    svg = render_bytes(policy, state, fmt="svg", size="a4-landscape", dpi=100, data=data, svg_text="embed")
    bad = {t: untranslated(t) for t in svg_texts(svg) if untranslated(t)}
    assert not bad


def test_english_poster_matrix_and_interactive_map_carry_no_untranslated_chinese(policy, rows, data):
    from export.matrix import matrix_bytes
    from export.poster import poster_bytes
    from layers.scene_layer import legend_data
    from policy.analysis import designation_matrix

    texts = svg_texts(poster_bytes(policy, fmt="svg", lang="en", basis="all", dpi=100, data=data))
    texts += svg_texts(matrix_bytes(policy, designation_matrix(policy, rows, "all"), fmt="svg", lang="en"))
    scene = build_scene(policy, rows, ViewState(lang="en", basis="all"))
    html = "".join(e[1] for s in legend_data(scene) for e in s["entries"])
    texts += [re.sub(r"<[^>]+>", " ", html)]
    bad = {t: untranslated(t) for t in texts if untranslated(t)}
    assert not bad


# ------------------------------------------------------------------ one-way layering

# Lower packages never import higher ones; packages of one rank do not import each other.
RANK = {"ingest": 0, "geo": 1, "policy": 1, "views": 2, "layers": 3, "export": 3, "uploads": 4, "ui": 5}


def _imports(path: Path) -> set[str]:
    out = set()
    for n in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(n, ast.Import):
            out |= {a.name for a in n.names}
        elif isinstance(n, ast.ImportFrom) and n.module and n.level == 0:
            out.add(n.module)
            out |= {f"{n.module}.{a.name}" for a in n.names}
    return out


def test_imports_go_one_way_and_form_no_circle():
    modules = {".".join(p.relative_to(ROOT).with_suffix("").parts): p
               for pkg in RANK for p in (ROOT / pkg).glob("*.py")}
    graph = {}
    for name, path in modules.items():
        pkg = name.split(".")[0]
        targets = {m for m in _imports(path) if m in modules and m != name}
        for t in targets:
            other = t.split(".")[0]
            if other != pkg:
                assert RANK[other] < RANK[pkg], f"{name} imports {t}: {other} is not below {pkg}"
        graph[name] = {t for t in targets if not t.endswith("__init__")}
    # no circle among modules
    state: dict[str, int] = {}

    def visit(node, trail):
        if state.get(node) == 1:
            raise AssertionError("import circle: " + " -> ".join(trail + [node]))
        if state.get(node) == 2:
            return
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            visit(nxt, trail + [node])
        state[node] = 2

    for node in sorted(graph):
        visit(node, [])


def test_renderers_hold_no_look_of_their_own():
    """Colours and glyph shapes are only in views/style.py: the renderers carry no colour
    literal that a look defines, and no marker or dash table."""
    looks = {c.lower() for c in (*style.CLUSTER_PALETTE, *style.ZONE_COLORS, style.LAND_COLOR, style.SEA_COLOR,
                                 style.FOCUS_COLOR, style.CONTEXT_FILL, style.CITY_BORDER, style.ZONE_LINE_COLOR)}
    for path in [*(ROOT / "export").glob("*.py"), *(ROOT / "layers").glob("*.py"), *(ROOT / "layers/js").glob("*.js")]:
        text = path.read_text(encoding="utf-8").lower()
        found = {c for c in looks if c in text}
        assert not found, f"{path.name} writes look colours {found}"
        assert "marker_scale =" not in text and "markerstyle" not in text, path.name
    assert isinstance(style.glyph_look("#123456", "o"), GlyphLook) and isinstance(style.FOCUS, Stroke)


def test_the_city_in_focus_is_printed_only_when_asked_in_its_own_look(policy, tmp_path):
    import xml.etree.ElementTree as ET

    from testing.cli import run_cli
    from views.i18n import t

    def svg_for(*extra):
        out = tmp_path / f"m{len(extra)}.svg"
        p = run_cli("export-map", "--out", out, "--layer", "cluster", "--clusters", "4", "--size", "screen", *extra)
        assert p.returncode == 0, p.stderr
        return out.read_text(encoding="utf-8")

    plain, focused = svg_for(), svg_for("--focus", "佛山")
    assert 'id="focus"' not in plain and t("focus_entry", "zh") not in " ".join(svg_texts(plain.encode()))
    assert 'id="focus"' in focused and t("focus_entry", "zh") in " ".join(svg_texts(focused.encode()))
    root = ET.fromstring(focused)
    drawn = [el for el in root.iter() if el.get("id") == "focus"]  # main map and enlargement
    assert drawn and all(style.FOCUS_COLOR.lower() in ET.tostring(el, encoding="unicode").lower() for el in drawn)

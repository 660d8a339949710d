"""Static maps (PNG, SVG, PDF) of a scene, drawn with matplotlib.

The export decides nothing about what a map shows: `views.scene.build_scene`
does, once, for the Leaflet map and for this renderer. Here the scene is laid
out on a page (export/layout.py), its layers drawn (export/draw.py), its
cities labelled with their glyphs (export/labels.py), its legend built
(export/legend.py) and the furniture added (export/furniture.py).

    fig, info = build_figure(policy, state, size="a4-landscape")
    render_map(policy, state, "out/coverage.png", dpi=300)
    png = render_bytes(policy, state, fmt="png")
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import os
from dataclasses import dataclass, field
from pathlib import Path

import shapely
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from shapely.ops import polylabel

from export import fonts
from export.data import INSET_CITIES, PRD_CITIES, StaticData, rows_for
from export.draw import draw_focus, draw_layers, setup_axes
from export.furniture import foot_line_count, footer, inset_frame, nice_length, north_arrow, scalebar, title
from export.labels import Placer, city_labels, context_labels, dongsha_label, map_notice, sar_labels, sea_label
from export.layout import GAP, band_layout, fit_extent, make_layout, tall_inset_layout
from export.legend import fit_legend, legend_height, notes_height, place_legend, place_notes
from export.options import (  # noqa: F401 - re-exported for callers of export.render
    DEFAULT_DPI,
    DEFAULT_SIZE,
    DPI_CHOICES,
    FORMATS,
    SIZES,
    ExportError,
    PageSize,
    check_dpi,
    check_format,
    check_size,
    resolve_format,
)
from export.output import atomic_save, figure_bytes
from policy.model import Policy
from views.i18n import t
from views.scene import Scene, build_scene
from views.state import ViewState


def _inset_cities(data: StaticData, extent) -> list[str]:
    """Cities labelled (with their glyphs) in the enlargement, not on the main map: the
    estuary cities, and any other it shows whole (it names no city it cuts)."""
    frame = shapely.box(*extent)
    return [a for a in data.adcodes if a in INSET_CITIES or frame.contains(data.city_geoms[a])]


def _outside_frame(data: StaticData, extent, cities) -> StaticData:
    """`data` with the label point of each of `cities` that lies in the enlargement's
    frame (a city the enlargement cuts, so does not name) moved to the middle of the
    largest part of the city outside that frame: the main map names it on its own land."""
    frame = shapely.box(*extent)
    moved = {}
    for a in cities:
        if frame.contains(shapely.Point(data.label_xy[a])):
            rest = data.city_geoms[a].difference(frame)
            if not rest.is_empty:
                part = max(shapely.get_parts(rest), key=lambda p: p.area)
                pt = polylabel(part, tolerance=500.0)
                moved[a] = (float(pt.x), float(pt.y))
    return dataclasses.replace(data, label_xy={**data.label_xy, **moved}) if moved else data


def across_sea(data: StaticData, extent) -> list:
    """The visible parts of the neighbouring provinces that do not touch Guangdong."""
    frame = shapely.box(*extent)
    return [shapely.intersection(c[4], frame) for c in data.context
            if c[1] == "province" and c[4].intersects(frame) and c[4].distance(data.land) > 1000]


@dataclass
class RenderInfo:
    """What the renderer drew, for tests and callers."""

    title: str
    size: str
    subtitle: str = ""
    source: str = ""
    fills: dict[str, str] = field(default_factory=dict)  # adcode -> city fill colour
    city_colors: dict[str, str] = field(default_factory=dict)  # the choropleth fills, when drawn
    counts: dict[str, int] = field(default_factory=dict)
    zones: dict[str, str] = field(default_factory=dict)  # zone id -> "fill" | "outline"
    tints: dict[str, float] = field(default_factory=dict)  # adcode -> tint alpha (one cluster on)
    glyphs: list[tuple[str, str, str, str]] = field(default_factory=list)  # (cluster, adcode, role, basis)
    legend_labels: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    meanings: dict[str, set] = field(default_factory=dict)  # colour -> what it stands for
    city_labels: dict[str, str] = field(default_factory=dict)
    city_boxes: dict[str, tuple[str, tuple]] = field(default_factory=dict)  # adcode -> (axes, box in metres)
    furniture: dict[str, tuple] = field(default_factory=dict)  # name -> box in map units (x0, y0, x1, y1)
    inset_furniture: dict[str, tuple] = field(default_factory=dict)  # the same in the enlargement
    label_xy: dict[str, tuple] = field(default_factory=dict)  # the main map's label points (leaders start there)
    extent: tuple = ()  # the main map's frame, in map units
    inset_extent: tuple = ()
    legend_bbox: tuple | None = None  # figure fraction x0, y0, x1, y1
    samples: list = field(default_factory=list)  # (legend entry, its drawn sample artist)


def policy_text(policy: Policy) -> str:
    """The text a map of `policy` can show that the bundled font may lack (a user's
    names): its characters decide the fallback family."""
    parts = [t for c in policy.clusters.values() for t in (c.name_zh, c.name_en)]
    parts += [t for d in policy.designations for t in (d.place_zh, d.role_zh)]
    return "".join(parts)


def _today() -> _dt.date:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return _dt.datetime.fromtimestamp(int(epoch), _dt.UTC).date()
    return _dt.date.today()


def new_figure(page: PageSize, dpi: int) -> Figure:
    # A whole number of pixels (matplotlib truncates): A4 at 300 dpi is 3508×2480.
    size_in = ((round(page.width * dpi) + 0.01) / dpi, (round(page.height * dpi) + 0.01) / dpi)
    fig = Figure(figsize=size_in, dpi=dpi, facecolor="white")
    FigureCanvasAgg(fig)
    return fig


def scene_for(policy: Policy, state: ViewState, data: StaticData | None = None,
              approval: str | None = None) -> Scene:
    """The scene of `state` drawn on `data`'s boundaries, which its footer credits;
    `approval`: their map approval number (审图号), only for a user's boundaries."""
    return build_scene(policy, rows_for(policy), state, boundaries=data.source if data else None,
                       approval=approval)


def build_figure(policy: Policy, state: ViewState, *, size: str = DEFAULT_SIZE, dpi: int = 100,
                 data: StaticData | None = None, made: _dt.date | None = None,
                 scene: Scene | None = None, approval: str | None = None) -> tuple[Figure, RenderInfo]:
    """The map as a matplotlib Figure (no pyplot, no global state: the font goes to
    each text artist) and what was drawn."""
    page = check_size(size)
    data = data or StaticData.load()
    scene = scene or scene_for(policy, state, data, approval)
    with fonts.using(policy_text(policy)):
        fig = new_figure(page, dpi)
        info = _draw(fig, scene, state, page, data, made or _today())
    return fig, info


CROWDED_DELTA = 30  # glyphs in the nine delta cities; four clusters of seven cities are about this


def _band(fig: Figure, scene: Scene, lay, aspects: tuple[float, float], k: float):
    """(fit, layout, notes apart) with the legend in a band under the map and the
    enlargement, when it fits in at most 42% of the page's height and leaves the main map
    42% of its width; else (None, `lay`, False). (A slide's legend of 20 clusters does not
    fit so: with the notes in a column of their own both maps became too small to read.)"""
    ty = lay.type
    bw, bh = lay.body[2], lay.body[3]
    map_aspect, inset_aspect = aspects
    cols = max(3, min(5, round(bw / 2.6)))  # columns of about 2.6 in
    for scale in (1.0, 0.93, 0.86):
        h = legend_height(fig, scene, bw, ty.legend, k, ty.glyph, ty.glyph_num, cols, scale)
        # The main map keeps at least 42% of the width: narrower, its own labels crowd.
        if h <= 0.42 * bh and (bh - h - GAP) * map_aspect >= 0.42 * bw:
            return (cols, scale), band_layout(lay, map_aspect, h), False
    return None, lay, False


def _tall_inset(fig: Figure, scene: Scene, wide, inset_aspect: float, k: float, notes_apart: bool):
    """(fit, layout) of a wide panel whose enlargement grows into the height its legend,
    set in columns across the panel, leaves; else (None, `wide`)."""
    ty = wide.type
    pw = wide.legend_rect[2]
    for cols in (2, 3):
        for scale in (1.0, 0.93):
            h = legend_height(fig, scene, pw, ty.legend, k, ty.glyph, ty.glyph_num, cols, scale,
                              notes=not notes_apart)
            tall = tall_inset_layout(wide, inset_aspect, h)
            if tall is not None:
                return (cols, scale), tall
    return None, wide


def _draw(fig: Figure, scene: Scene, state: ViewState, page: PageSize, data: StaticData,
          made: _dt.date) -> RenderInfo:
    lang = scene.lang
    x0, y0, x1, y1 = data.bounds
    px0, py0, px1, py1 = data.prd_box
    aspects = ((x1 - x0) / (y1 - y0), (px1 - px0) / (py1 - py0))
    lay = make_layout(page, *aspects)
    nf = foot_line_count(fig, page.width, lay.type, lay.margin, scene.source, scene.print_note, lang, made)
    lay = make_layout(page, *aspects, foot_lines=nf)
    ty = lay.type
    k = ty.legend / 7.6  # line scale of this page
    renderer = fig.canvas.get_renderer()
    # The legend decides the panel: as it is, in smaller type, else a wider panel in two columns.
    # Two columns fit a slide's or screen's panel; an A4 panel is too narrow for them.
    # Many glyphs in the delta: the enlargement needs more room than a side panel gives.
    crowded = sum(len(scene.glyphs_at(a)) for a in PRD_CITIES) > CROWDED_DELTA
    fit = None if crowded and not page.portrait else fit_legend(
        fig, scene, lay.legend_rect, ty.legend, k, ty.glyph, ty.glyph_num,
        columns=(1,) if page.name.startswith("a") else (1, 2), scales=(1.0, 0.93, 0.86, 0.8))
    notes_apart = False
    # Nothing to draw for the selected clusters: the map itself says why, once (not the legend too).
    notice = bool(scene.visible_clusters and not scene.visible_glyphs())
    if fit is None and not page.portrait:
        fit, lay, notes_apart = _band(fig, scene, lay, aspects, k)
    if fit is None and not page.portrait:
        lay = make_layout(page, *aspects, wide=True, foot_lines=nf)
        # The notes go under the shortened map when they fit there.
        notes_apart = lay.notes_rect is not None and notes_height(fig, scene, lay.notes_rect, ty.note) <= \
            lay.notes_rect[3]
        fit, lay = _tall_inset(fig, scene, lay, aspects[1], k, notes_apart)
    if fit is None:
        fit = fit_legend(fig, scene, lay.legend_rect, ty.legend, k, ty.glyph, ty.glyph_num, columns=(1, 2, 3),
                         scales=(1.0, 0.93, 0.86, 0.8, 0.75), notes=not notes_apart) or (3, 0.75)
    info = RenderInfo(title=scene.title, subtitle=scene.subtitle, source=scene.source, size=page.name)

    extent = fit_extent(data.bounds, lay.map_rect, pad=0.035)
    ax = setup_axes(fig, lay.frac(lay.map_rect), extent, "map", k)
    drawn = draw_layers(ax, scene, data, k)
    draw_focus(ax, data, scene.focus, k)
    info.extent = extent
    info.fills = drawn.fills
    info.zones = dict(drawn.zones)
    info.tints = dict(drawn.tints)
    info.meanings = drawn.meanings
    if scene.coverage_drawn:
        info.city_colors = dict(drawn.fills)
        info.counts = dict(scene.coverage_counts)

    # The enlargement and its frame on the main map.
    inset_ax = None
    if lay.inset_rect is not None:
        iext = fit_extent(data.prd_box, lay.inset_rect, pad=0.0)
        inset_ax = setup_axes(fig, lay.frac(lay.inset_rect), iext, "inset", k)
        d2 = draw_layers(inset_ax, scene, data, k)
        draw_focus(inset_ax, data, scene.focus, k)
        for c, m in d2.meanings.items():
            info.meanings.setdefault(c, set()).update(m)
        info.inset_extent = iext

    inset_cities = _inset_cities(data, info.inset_extent) if inset_ax is not None else []
    main_cities = [a for a in data.adcodes if a not in inset_cities]
    pl = Placer(ax, renderer, _outside_frame(data, info.inset_extent, main_cities) if inset_ax is not None else data,
                scene, k)
    if inset_ax is not None:
        caption = inset_frame(ax, info.inset_extent, k, t("inset_mark", lang), ty.note, pl.m_per_pt)
        ix0, iy0, ix1, iy1 = info.inset_extent
        pl.taken.append(("inset", shapely.box(ix0, iy0, ix1, iy1)))
        pl.taken.append(("inset-caption", caption))
    city_names = ty.city if lang == "zh" else ty.city - 0.8
    city_labels(pl, main_cities, lang, city_names, ty.count, ty.glyph, ty.glyph_num, counts=scene.coverage_drawn)
    dongsha_label(pl, lang, ty.context * 0.95)
    if notice:
        map_notice(pl, [n.text for n in scene.notes if n.layers], lang, ty.legend, data.all_land)
    avoid = data.land if data.dongsha is None else shapely.union_all([data.land, data.dongsha.buffer(
        6 * pl.m_per_pt)])
    # Nor on a province across the sea (海南's sliver at the frame's edge): it is named there.
    avoid = shapely.union_all([avoid] + across_sea(data, extent))
    info.furniture["scalebar"] = scalebar(ax, avoid, pl.taken, pl.m_per_pt, ty.note, k).bounds
    pl.taken.append(("scalebar", shapely.box(*info.furniture["scalebar"])))
    info.furniture["north"] = north_arrow(ax, avoid, pl.taken, data.crs, pl.m_per_pt, ty.legend, k, lang).bounds
    pl.taken.append(("north", shapely.box(*info.furniture["north"])))
    context_labels(pl, lang, ty.context)
    sea_label(pl, lang, ty.context * 1.1, data.all_land)
    if inset_ax is None:
        sar_labels(pl, lang, ty.sar)
    info.label_xy = dict(pl.data.label_xy)
    info.glyphs = list(pl.out.glyphs)
    info.city_labels = dict(pl.out.city_labels)
    info.city_boxes = {a: ("map", b) for a, b in pl.out.city_boxes.items()}

    if inset_ax is not None:
        ip = Placer(inset_ax, renderer, data, scene, k, crowded=True)
        ix0, iy0, ix1, iy1 = info.inset_extent
        title_w, title_h = ip.measure(t("inset_title", lang), ty.note * 1.05, "bold")
        ip.taken.append(("title", shapely.box(ix0, iy1 - title_h - 6 * ip.m_per_pt, ix0 + title_w + 8 * ip.m_per_pt,
                                              iy1)))
        # The enlargement's own scale, placed before its labels so they make way for it.
        # A longer bar than the main map's share (its numbers need the room at this scale).
        info.inset_furniture["scalebar"] = scalebar(
            inset_ax, data.land, ip.taken, ip.m_per_pt, ty.note, k, prefer=(1, 0, 3, 2), gid="inset-scalebar",
            length=nice_length(1.5 * (info.inset_extent[2] - info.inset_extent[0]))).bounds
        ip.taken.append(("scalebar", shapely.box(*info.inset_furniture["scalebar"])))
        # Many glyphs in the delta: a point smaller (still 8.5 pt or more on A4) so they fit near their cities.
        n_inset = sum(len(scene.glyphs_at(a)) for a in inset_cities)
        shrink = 0.85 if n_inset > 40 else 1.0
        # The SARs first: their names need the sea beside them, which the delta's glyph blocks would fill.
        sar_labels(ip, lang, ty.sar)
        city_labels(ip, inset_cities, lang, city_names * (0.95 if shrink < 1 else 1), ty.count, ty.glyph * shrink,
                    ty.glyph_num * shrink, counts=scene.coverage_drawn)
        inset_ax.text(0.02, 0.98, t("inset_title", lang), transform=inset_ax.transAxes, fontsize=ty.note * 1.05,
                      fontweight="bold", ha="left", va="top", color="#222222", zorder=45, gid="inset-title",
                      bbox=dict(facecolor="white", edgecolor="none", alpha=0.85, pad=1.5), **fonts.text_kw())
        info.glyphs += ip.out.glyphs
        info.city_labels.update(ip.out.city_labels)
        info.city_boxes.update({a: ("inset", b) for a, b in ip.out.city_boxes.items()})

    for cid in {g[0] for g in info.glyphs}:
        info.meanings.setdefault(scene.cluster(cid).color.lower(), set()).add(f"cluster:{cid}")

    # Legend in its panel.
    lax = fig.add_axes(lay.frac(lay.legend_rect))
    lax.set_axis_off()
    lax.set_gid("legend-panel")
    legend, labels = place_legend(fig, lax, scene, ty.legend, k, ty.glyph, ty.glyph_num, *fit,
                                  notes=not (notes_apart or notice))
    if notes_apart and not notice:
        nax = fig.add_axes(lay.frac(lay.notes_rect))
        nax.set_axis_off()
        place_notes(fig, nax, scene, ty.note)
    info.legend_labels = list(labels)
    info.samples = list(getattr(labels, "samples", []))
    info.notes = [n.text for n in scene.notes]
    if legend is not None:
        bb = legend.get_window_extent(renderer)
        info.legend_bbox = tuple(fig.transFigure.inverted().transform(bb).ravel())

    title(fig, renderer, scene.title, scene.subtitle, lay, scene.title_short)
    footer(fig, lay, scene.source, scene.print_note, lang, made)
    return info


# ----------------------------------------------------------------------- output


def render_map(policy: Policy, state: ViewState, out_path: str | os.PathLike, *, fmt: str | None = None,
               size: str = DEFAULT_SIZE, dpi: int = DEFAULT_DPI, data: StaticData | None = None,
               made: _dt.date | None = None, svg_text: str = "embed", approval: str | None = None) -> RenderInfo:
    """Draw `state` and write it to `out_path` (PNG, SVG or PDF) atomically."""
    fmt = resolve_format(out_path, fmt)
    check_size(size)
    dpi = check_dpi(dpi)
    fig, info = build_figure(policy, state, size=size, dpi=dpi, data=data, made=made, approval=approval)
    atomic_save(fig, Path(out_path), fmt, dpi, info.title, svg_text=svg_text)
    return info


def render_bytes(policy: Policy, state: ViewState, *, fmt: str = "png", size: str = DEFAULT_SIZE,
                 dpi: int = DEFAULT_DPI, data: StaticData | None = None, svg_text: str = "embed",
                 approval: str | None = None) -> bytes:
    """The same drawing as `render_map`, returned as bytes (for a download button)."""
    fmt = check_format(fmt)
    check_size(size)
    dpi = check_dpi(dpi)
    fig, info = build_figure(policy, state, size=size, dpi=dpi, data=data, approval=approval)
    return figure_bytes(fig, fmt, dpi, info.title, svg_text=svg_text)

"""Static maps (PNG, SVG, PDF) of a `ViewState`, drawn with matplotlib.

The rules are the interactive map's (layers/map.py), from the same views/
modules: the coverage choropleth classed by `views.style.coverage_classes`,
the 一核一带一区 zones as fills (coverage off) or thick outlines (coverage on),
and the selected clusters' cities coloured by role, explicit designations solid
and region-level ones pale with a dashed edge.

Geometry is projected once to `geo.crs.GUANGDONG_CRS` (CGCS2000 Gauss–Krüger,
metres), so the scale bar is true; `StaticData.load()` caches it together with
matplotlib paths, zone outlines and label points, so one more map costs only
drawing.

    fig, info = build_figure(policy, state, size="a4-landscape")
    render_map(policy, state, "out/coverage.png", dpi=300)
"""

from __future__ import annotations

import datetime as _dt
import io
import os
import tempfile
import textwrap
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import matplotlib
import numpy as np
import shapely
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.offsetbox import (
    AnchoredOffsetbox,
    DrawingArea,
    HPacker,
    TextArea,
    VPacker,
)
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.path import Path as MplPath
from matplotlib.transforms import Bbox
from shapely.ops import polylabel

from export import fonts
from policy.coverage import city_coverage, designation_rows, select
from policy.model import Policy
from views import i18n
from views.i18n import t
from views.state import ViewState
from views.style import (
    BASIS_STYLE,
    CITY_BORDER,
    CONTEXT_BORDER,
    CONTEXT_FILL,
    ROLE_COLORS,
    SEA_COLOR,
    coverage_classes,
    zoning_as_fill,
)

FORMATS = ("png", "svg", "pdf")
DPI_CHOICES = (100, 150, 300, 600)


@dataclass(frozen=True)
class PageSize:
    name: str
    width: float  # inches
    height: float
    note: str


SIZES = {
    # 1600×1000 px at 100 dpi: a full-HD screen less the window chrome.
    "screen": PageSize("screen", 16.0, 10.0, "1600×1000 px at 100 dpi"),
    "a4-landscape": PageSize("a4-landscape", 297 / 25.4, 210 / 25.4, "297×210 mm"),
    "a4-portrait": PageSize("a4-portrait", 210 / 25.4, 297 / 25.4, "210×297 mm"),
    "slide": PageSize("slide", 13.333, 7.5, "16:9, 13.333×7.5 in"),
}
DEFAULT_SIZE = "a4-landscape"
DEFAULT_DPI = 300

# Export-only wording (the shared labels live in views/i18n.py).
TEXT = {
    "made": ("制图日期：{date}", "Map made {date}"),
    "crs": ("投影：CGCS2000 高斯–克吕格 3° 带 114°E", "Projection: CGCS2000 Gauss–Krüger 3° zone, CM 114°E"),
    "sea": ("南海", "South China Sea"),
    "north": ("北", "N"),
    "none_explicit": ("所选集群无明确点名的城市（区域性提及未显示）",
                      "No city is named explicitly for this selection (region-level mentions not shown)"),
    "none_drawn": ("文件未为所选集群指定城市", "The document designates no city for this selection"),
    "hatch": ("斜线：该市另有此定位", "Hatched: the city also has this role"),
}
CONTEXT_LABEL_COLOR = "#8a8a80"
GD_OUTLINE = "#6f6f6f"
LABEL_COLOR = "#1f1f1f"
HALO = "white"
HATCHES = ("////", "\\\\\\\\", "||||", "----")  # a second, third... role of one city


def tx(key: str, lang: str, **kw) -> str:
    zh, en = TEXT[key]
    return (zh if lang == "zh" else en).format(**kw)


class ExportError(ValueError):
    """A bad export argument (format, size, dpi, path); the message names it."""


# --------------------------------------------------------------------------- data


def _crs() -> str:
    try:
        from geo.crs import GUANGDONG_CRS
    except ImportError:  # pragma: no cover - geo is part of the project
        return "EPSG:4547"
    return GUANGDONG_CRS


def geom_path(geom) -> MplPath:
    """One compound matplotlib path for a (multi)polygon, holes included."""
    geom = shapely.orient_polygons(geom)
    verts, codes = [], []
    for poly in getattr(geom, "geoms", [geom]):
        for ring in (poly.exterior, *poly.interiors):
            xy = np.asarray(ring.coords)
            if len(xy) < 4:
                continue
            c = np.full(len(xy), MplPath.LINETO, dtype=MplPath.code_type)
            c[0] = MplPath.MOVETO
            c[-1] = MplPath.CLOSEPOLY
            verts.append(xy)
            codes.append(c)
    return MplPath(np.concatenate(verts), np.concatenate(codes))


def _boundary_path(geom) -> MplPath:
    """The outline of a (multi)polygon as open polylines (for strokes only)."""
    lines = shapely.get_parts(shapely.boundary(geom))
    verts, codes = [], []
    for line in lines:
        xy = np.asarray(line.coords)
        c = np.full(len(xy), MplPath.LINETO, dtype=MplPath.code_type)
        c[0] = MplPath.MOVETO
        verts.append(xy)
        codes.append(c)
    return MplPath(np.concatenate(verts), np.concatenate(codes))


@dataclass
class StaticData:
    """Boundaries projected to the Guangdong CRS, with everything drawing needs."""

    crs: str
    adcodes: list[str]
    city_paths: dict[str, MplPath]
    city_area: dict[str, float]
    label_xy: dict[str, tuple[float, float]]
    zone_paths: dict[str, MplPath]  # filled zones
    zone_lines: dict[str, MplPath]  # zone outlines
    context: list[tuple[str, str, str, str, object, MplPath]]  # adcode, kind, zh, en, geometry, path
    gd_outline: MplPath
    bounds: tuple[float, float, float, float]  # Guangdong, projected
    _anchors: dict = field(default_factory=dict, repr=False)  # view box -> context label anchors

    _lock: ClassVar[threading.Lock] = threading.Lock()
    _cache: ClassVar["StaticData | None"] = None

    @classmethod
    def load(cls, refresh: bool = False) -> "StaticData":
        with cls._lock:
            if cls._cache is None or refresh:
                from geo.boundaries import load_cities, load_context

                cls._cache = cls.build(load_cities(), load_context())
            return cls._cache

    @classmethod
    def build(cls, cities, context) -> "StaticData":
        import geopandas as gpd

        from geo.derive import dissolve, label_point

        crs = _crs()
        labels_ll = {r.adcode: label_point(r.geometry) for r in cities.itertuples()}
        pc = cities.to_crs(crs)
        label_pts = gpd.GeoSeries(shapely.points([labels_ll[a] for a in pc["adcode"]]),
                                  crs="EPSG:4326").to_crs(crs)
        zones = dissolve(pc, "zone")
        bx = pc.total_bounds
        ctx = context.to_crs(crs)
        pad = 0.6 * max(bx[2] - bx[0], bx[3] - bx[1])
        clip = shapely.box(bx[0] - pad, bx[1] - pad, bx[2] + pad, bx[3] + pad)
        context_items = []
        gd_outline = None
        for r in ctx.itertuples():
            if r.kind == "guangdong":
                gd_outline = _boundary_path(r.geometry)
                continue
            g = shapely.intersection(r.geometry, clip)
            if g.is_empty:
                continue
            context_items.append((r.adcode, r.kind, r.name_zh, r.name_en, g, geom_path(g)))
        if gd_outline is None:
            gd_outline = _boundary_path(shapely.union_all(pc.geometry.values))
        return cls(
            crs=crs,
            adcodes=list(pc["adcode"]),
            city_paths={r.adcode: geom_path(r.geometry) for r in pc.itertuples()},
            city_area={r.adcode: float(r.geometry.area) for r in pc.itertuples()},
            label_xy={a: (p.x, p.y) for a, p in zip(pc["adcode"], label_pts)},
            zone_paths={r.zone: geom_path(r.geometry) for r in zones.itertuples()},
            zone_lines={r.zone: _boundary_path(r.geometry) for r in zones.itertuples()},
            context=context_items,
            gd_outline=gd_outline,
            bounds=tuple(float(v) for v in bx),
        )

    def context_anchors(self, view: tuple[float, float, float, float]) -> dict:
        """adcode -> (kind, zh, en, anchor, visible area) for the neighbours seen in `view`.

        The anchor is the pole of inaccessibility of the visible part, so a label
        never lands outside the frame; cached per view box."""
        key = tuple(round(v) for v in view)
        if key not in self._anchors:
            x0, y0, x1, y1 = view
            inset = 0.03 * min(x1 - x0, y1 - y0)
            box = shapely.box(x0 + inset, y0 + inset, x1 - inset, y1 - inset)
            out = {}
            for adcode, kind, zh, en, geom, _ in self.context:
                g = shapely.intersection(geom, box)
                if g.is_empty:
                    continue
                largest = max(getattr(g, "geoms", [g]), key=lambda p: p.area)
                if kind == "sar":
                    p = largest.centroid
                else:
                    p = polylabel(largest, tolerance=max(x1 - x0, y1 - y0) / 500)
                out[adcode] = (kind, zh, en, (p.x, p.y), float(g.area))
            self._anchors[key] = out
        return self._anchors[key]


# ---------------------------------------------------------------------- the view


@dataclass
class RenderInfo:
    """What the renderer drew, for tests and callers."""

    title: str
    size: str
    city_colors: dict[str, str] = field(default_factory=dict)  # coverage choropleth fills
    counts: dict[str, int] = field(default_factory=dict)
    classes: object = None
    zones: dict[str, str] = field(default_factory=dict)  # zone id -> colour
    designations: dict[str, tuple[str, str]] = field(default_factory=dict)  # adcode -> (role, basis)
    legend_labels: list[str] = field(default_factory=list)
    city_labels: dict[str, str] = field(default_factory=dict)
    legend_bbox: tuple[float, float, float, float] | None = None  # figure fraction x0, y0, x1, y1


def _scale(page: PageSize) -> float:
    return float(np.sqrt(page.width * page.height / (SIZES["a4-landscape"].width * SIZES["a4-landscape"].height)))


_ROWS: dict[int, tuple[Policy, object]] = {}


def _rows_cache(policy: Policy):
    """designation_rows(policy), computed once per Policy object."""
    hit = _ROWS.get(id(policy))
    if hit is None or hit[0] is not policy:
        hit = _ROWS[id(policy)] = (policy, designation_rows(policy))
    return hit[1]


def check_size(size: str) -> PageSize:
    if size not in SIZES:
        raise ExportError(f"size {size!r} is not accepted; choose one of: {', '.join(SIZES)}")
    return SIZES[size]


def check_dpi(dpi) -> int:
    try:
        value = int(dpi)
    except (TypeError, ValueError):
        value = None
    if value not in DPI_CHOICES or str(dpi).strip() != str(value):
        raise ExportError(f"dpi {dpi!r} is not accepted; choose one of: {', '.join(map(str, DPI_CHOICES))}")
    return value


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise ExportError(f"format {fmt!r} is not accepted; choose one of: {', '.join(FORMATS)}")
    return fmt


def _designations(policy: Policy, rows, state: ViewState):
    """adcode -> ordered explicit roles, ordered region roles, for the selected clusters."""
    sel = select(rows, state.basis, "all")
    sel = sel[sel["cluster_id"].isin(state.clusters)]
    order = list(ROLE_COLORS)
    out: dict[str, dict[str, list[str]]] = {}
    for r in sel.itertuples():
        d = out.setdefault(r.adcode, {"explicit": [], "region": []})
        if r.role not in d[r.basis]:
            d[r.basis].append(r.role)
    for d in out.values():
        for k in d:
            d[k].sort(key=order.index)
        # A city named explicitly is drawn as explicit; a region-level mention adds nothing.
        if d["explicit"]:
            d["region"] = []
    return out


def _swatch(w, h, face, edge="none", lw=0.0, ls="-", alpha=1.0, hatch=None):
    da = DrawingArea(w, h, 0, 0)
    rect = Rectangle((0.5, 0.5), w - 1, h - 1, facecolor=face, edgecolor=edge, linewidth=lw,
                     linestyle=ls, alpha=alpha, hatch=hatch)
    da.add_artist(rect)
    return da


_NO_LINE_START = set("，。、；：！？）》」』”’")


def _wrap(text: str, lang: str, width_chars: int) -> str:
    """Wrap to about `width_chars`; Chinese breaks between any two characters,
    but never before closing punctuation."""
    if lang != "zh":
        return textwrap.fill(text, width_chars)
    lines, line = [], ""
    for ch in text:
        if len(line) >= width_chars and ch not in _NO_LINE_START:
            lines.append(line)
            line = ""
        line += ch
    return "\n".join(lines + [line] if line else lines)


def _rc(policy: Policy) -> dict:
    """Font settings; text from a user's data may need the fallback family."""
    parts = [t for c in policy.clusters.values() for t in (c.name_zh, c.name_en)]
    parts += [t for d in policy.designations for t in (d.place_zh, d.role_zh)]
    return fonts.rc_params("".join(parts))


def build_figure(policy: Policy, state: ViewState, *, size: str = DEFAULT_SIZE, dpi: int = 100,
                 data: StaticData | None = None, made: _dt.date | None = None) -> tuple[Figure, RenderInfo]:
    """The map as a matplotlib Figure (no pyplot, no global state) and what was drawn."""
    page = check_size(size)
    data = data or StaticData.load()
    with matplotlib.rc_context(_rc(policy)):
        # A whole number of pixels (matplotlib truncates): A4 at 300 dpi is 3508×2480.
        # The physical size changes by less than half a pixel.
        size_in = ((round(page.width * dpi) + 0.01) / dpi, (round(page.height * dpi) + 0.01) / dpi)
        fig = Figure(figsize=size_in, dpi=dpi, facecolor="white")
        FigureCanvasAgg(fig)
        info = _draw(fig, policy, state, page, data, made or _today())
    return fig, info


def _today() -> _dt.date:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return _dt.datetime.fromtimestamp(int(epoch), _dt.timezone.utc).date()
    return _dt.date.today()


def _draw(fig: Figure, policy: Policy, state: ViewState, page: PageSize, data: StaticData,
          made: _dt.date) -> RenderInfo:
    lang = state.lang
    s = _scale(page)
    W, H = page.width, page.height
    title = i18n.view_title(policy, state)
    info = RenderInfo(title=title, size=page.name)

    # --- layout (inches) -------------------------------------------------------
    margin = 0.32 * s
    title_fs, sub_fs = 15.5 * s, 9.0 * s
    top = margin + (title_fs + sub_fs) / 72 * 1.55 + 0.12 * s
    bottom = margin + 0.30 * s
    ax_rect = (margin / W, bottom / H, (W - 2 * margin) / W, (H - top - bottom) / H)
    ax = fig.add_axes(ax_rect)
    ax.set_facecolor(SEA_COLOR)
    ax.set_xticks([])
    ax.set_yticks([])
    for sp in ax.spines.values():
        sp.set_linewidth(0.8)
        sp.set_edgecolor("#555555")

    # Extent: Guangdong plus a margin (more to the south-east, where the legend sits),
    # widened to the axes' aspect so the frame is filled.
    x0, y0, x1, y1 = data.bounds
    dx, dy = x1 - x0, y1 - y0
    x0, x1 = x0 - 0.03 * dx, x1 + 0.03 * dx
    y0, y1 = y0 - 0.05 * dy, y1 + 0.03 * dy
    ax_w, ax_h = ax_rect[2] * W, ax_rect[3] * H
    want = ax_w / ax_h
    have = (x1 - x0) / (y1 - y0)
    if have < want:  # widen
        extra = (y1 - y0) * want - (x1 - x0)
        x0, x1 = x0 - extra * 0.4, x1 + extra * 0.6
    else:  # heighten
        extra = (x1 - x0) / want - (y1 - y0)
        y0, y1 = y0 - extra * 0.55, y1 + extra * 0.45
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal", adjustable="box")
    ax.set_autoscale_on(False)

    # --- context ---------------------------------------------------------------
    ctx_paths = [item[-1] for item in data.context]
    ax.add_collection(PathCollection(ctx_paths, facecolors=CONTEXT_FILL, edgecolors=CONTEXT_BORDER,
                                     linewidths=0.6 * s, zorder=1, gid="context"), autolim=False)

    adcodes = data.adcodes
    paths = [data.city_paths[a] for a in adcodes]
    legend_sections: list[tuple[str, list, str | None]] = []
    sw_w, sw_h = 16 * s, 10 * s

    # --- coverage choropleth ---------------------------------------------------
    rows = _rows_cache(policy)
    if state.coverage:
        cov = city_coverage(policy, rows, state.basis, state.tier).set_index("adcode")
        counts = [int(cov.loc[a, "clusters"]) for a in adcodes]
        classes = coverage_classes(cov["clusters"])
        colors = [classes.color(c) for c in counts]
        ax.add_collection(PathCollection(paths, facecolors=colors, edgecolors=CITY_BORDER,
                                         linewidths=0.5 * s, zorder=3, gid="coverage"), autolim=False)
        info.city_colors = dict(zip(adcodes, colors))
        info.counts = dict(zip(adcodes, counts))
        info.classes = classes
        n_in = [sum(1 for c in counts if classes.index(c) == i) for i in range(len(classes.colors))]
        items = []
        for color, label, n in zip(classes.colors, classes.labels(), n_in):
            cities_n = f"（{n} 市）" if lang == "zh" else f"  ({n} {'city' if n == 1 else 'cities'})"
            items.append((_swatch(sw_w, sw_h, color, CITY_BORDER, 0.5 * s), f"{label}{cities_n}"))
        legend_sections.append((t("legend_coverage", lang), items, None))
    else:
        ax.add_collection(PathCollection(paths, facecolors="#fbfbf8", edgecolors=CITY_BORDER,
                                         linewidths=0.5 * s, zorder=3, gid="cities"), autolim=False)

    # --- zoning ----------------------------------------------------------------
    if state.zoning:
        items = []
        for z in policy.zones.values():
            if z.id not in data.zone_paths:
                continue
            info.zones[z.id] = z.color
            name = (f"{z.short_zh} {z.name_zh}" if lang == "zh" else i18n.zone_name(policy, z.id, lang))
            label = f"{name}（{len(z.members)}）" if lang == "zh" else f"{name} ({len(z.members)})"
            if not zoning_as_fill(state.coverage, state.clusters):
                ax.add_patch(PathPatch(data.zone_lines[z.id], facecolor="none", edgecolor=z.color,
                                       linewidth=2.6 * s, alpha=0.95, zorder=6, capstyle="round",
                                       joinstyle="round", gid=f"zone-{z.id}"))
                items.append((_swatch(sw_w, sw_h, "none", z.color, 2.2 * s), label))
            else:
                ax.add_patch(PathPatch(data.zone_paths[z.id], facecolor=z.color, alpha=0.42,
                                       edgecolor="none", zorder=4, gid=f"zone-{z.id}"))
                ax.add_patch(PathPatch(data.zone_lines[z.id], facecolor="none", edgecolor=z.color,
                                       linewidth=1.6 * s, zorder=6))
                items.append((_swatch(sw_w, sw_h, z.color, z.color, 1.0 * s, alpha=0.55), label))
        legend_sections.append((t("zoning_layer", lang), items, None))

    # --- clusters --------------------------------------------------------------
    if state.clusters:
        des = _designations(policy, rows, state)
        roles_used: list[str] = []
        any_region = any_hatch = False
        for basis in ("region", "explicit"):
            st = BASIS_STYLE[basis]
            for a in adcodes:
                d = des.get(a)
                if not d or not d[basis]:
                    continue
                role = d[basis][0]
                color = ROLE_COLORS[role]
                dashed = st["dash"] is not None
                ax.add_patch(PathPatch(data.city_paths[a], facecolor=color, alpha=st["fill_opacity"],
                                       edgecolor="none", zorder=5, gid=f"des-{basis}-{a}"))
                ax.add_patch(PathPatch(data.city_paths[a], facecolor="none", edgecolor=color,
                                       linewidth=st["weight"] * 0.75 * s, linestyle=(0, (4, 2.5)) if dashed else "-",
                                       zorder=7))
                for extra, hatch in zip(d[basis][1:], HATCHES):
                    any_hatch = True
                    ax.add_patch(PathPatch(data.city_paths[a], facecolor="none", edgecolor="none",
                                           hatch=hatch, hatchcolor=ROLE_COLORS[extra], linewidth=0,
                                           alpha=0.9 if basis == "explicit" else 0.5, zorder=5.5))
                    if extra not in roles_used:
                        roles_used.append(extra)
                info.designations[a] = (role, basis)
                any_region |= basis == "region"
                if role not in roles_used:
                    roles_used.append(role)
        order = list(ROLE_COLORS)
        roles_used.sort(key=order.index)
        ex = BASIS_STYLE["explicit"]
        items = [(_swatch(sw_w, sw_h, ROLE_COLORS[r], ROLE_COLORS[r], 1.2 * s, alpha=ex["fill_opacity"]),
                  i18n.role_name(policy, r, lang)) for r in roles_used]
        note = None
        if not items:
            has_region = not select(rows, "all", "all").query("cluster_id in @state.clusters").empty
            note = tx("none_explicit" if state.basis == "explicit" and has_region else "none_drawn", lang)
        if state.basis == "all" and any_region:
            rg = BASIS_STYLE["region"]
            items.append((_swatch(sw_w, sw_h, "#777777", "#777777", 1.2 * s, alpha=ex["fill_opacity"]),
                          t("explicit", lang)))
            items.append((_dashed_swatch(sw_w, sw_h, "#777777", rg["fill_opacity"], s), t("region", lang)))
            note = t("legend_region_note", lang)
        if any_hatch:
            hatch_note = tx("hatch", lang)
            note = f"{note}\n{hatch_note}" if note else hatch_note
        legend_sections.append((t("legend_roles", lang), items, note))

    # --- outlines, focus -------------------------------------------------------
    ax.add_collection(PathCollection([data.gd_outline], facecolors="none", edgecolors=GD_OUTLINE,
                                     linewidths=1.0 * s, zorder=8, gid="guangdong"), autolim=False)
    if state.city and state.city in data.city_paths:
        ax.add_patch(PathPatch(data.city_paths[state.city], facecolor="none", edgecolor="#111111",
                               linewidth=2.4 * s, zorder=9, gid="focus"))

    renderer = fig.canvas.get_renderer()

    # --- legend ----------------------------------------------------------------
    legend = _legend(legend_sections, lang, s)
    obstacles: list[Bbox] = []
    if legend is not None:
        ax.add_artist(legend)
        bb = legend.get_window_extent(renderer)
        obstacles.append(bb)
        info.legend_bbox = tuple(fig.transFigure.inverted().transform(bb).ravel())
        info.legend_labels = [lbl for _, its, _ in legend_sections for _, lbl in its] + [
            title for title, _, _ in legend_sections]

    # --- scale bar, north arrow ------------------------------------------------
    obstacles += _scalebar(ax, renderer, s, obstacles[0] if legend is not None else None)
    obstacles += _north_arrow(ax, renderer, s, lang, data.crs)

    # --- labels ----------------------------------------------------------------
    info.city_labels = _labels(ax, renderer, policy, state, data, info, s, obstacles)

    # --- title, footer ---------------------------------------------------------
    _title(fig, renderer, title, _subtitle(policy, state), W, H, margin, title_fs, sub_fs, s)
    foot_y = (margin + 0.02 * s) / H
    fig.text(margin / W, foot_y, i18n.source_line(policy, lang), fontsize=6.6 * s, color="#555555",
             ha="left", va="bottom", gid="source")
    fig.text(1 - margin / W, foot_y, f"{tx('crs', lang)}    {tx('made', lang, date=made.isoformat())}",
             fontsize=6.6 * s, color="#555555", ha="right", va="bottom", gid="made")
    return info


def _dashed_swatch(w, h, color, alpha, s):
    da = DrawingArea(w, h, 0, 0)
    da.add_artist(Rectangle((0.5, 0.5), w - 1, h - 1, facecolor=color, alpha=max(alpha, 0.2), edgecolor="none"))
    da.add_artist(Rectangle((0.5, 0.5), w - 1, h - 1, facecolor="none", edgecolor=color,
                            linewidth=1.2 * s, linestyle=(0, (3, 2))))
    return da


def _subtitle(policy: Policy, state: ViewState) -> str:
    lang = state.lang
    parts = [t("subtitle", lang)]
    if state.clusters and not state.coverage:
        parts.append(t(f"basis_{state.basis}", lang))
    elif state.coverage and state.zoning:
        parts.append(t("zoning_layer", lang) if lang == "zh" else "with core, belt and area zones")
    sep = "；" if lang == "zh" else "; "
    return sep.join(parts)


def _title(fig, renderer, title, subtitle, W, H, margin, title_fs, sub_fs, s):
    max_w = (W - 2 * margin) * fig.dpi
    y = 1 - margin / H
    txt = fig.text(margin / W, y, title, fontsize=title_fs, fontweight="bold", color="#111111",
                   ha="left", va="top", gid="title")
    # Shrink a long title to fit the width (down to 70 %), then wrap.
    fs = title_fs
    while txt.get_window_extent(renderer).width > max_w and fs > title_fs * 0.7:
        fs *= 0.94
        txt.set_fontsize(fs)
    if txt.get_window_extent(renderer).width > max_w:
        n = max(10, int(len(title) * max_w / txt.get_window_extent(renderer).width) - 1)
        txt.set_text(textwrap.fill(title, n) if " " in title else "\n".join(
            title[i:i + n] for i in range(0, len(title), n)))
    th = txt.get_window_extent(renderer).height / fig.dpi
    fig.text(margin / W, y - (th + 0.06 * s) / H, subtitle, fontsize=sub_fs, color="#555555",
             ha="left", va="top", gid="subtitle")


def _legend(sections, lang: str, s: float):
    if not sections:
        return None
    fs = 8.0 * s
    blocks = []
    for title, items, note in sections:
        rows = [TextArea(title, textprops=dict(fontsize=fs * 1.06, fontweight="bold", color="#222222"))]
        for sw, label in items:
            rows.append(HPacker(children=[sw, TextArea(label, textprops=dict(fontsize=fs, color="#222222"))],
                                align="center", pad=0, sep=5 * s))
        if note:
            wrapped = "\n".join(_wrap(line, lang, 20 if lang == "zh" else 40) for line in note.split("\n"))
            rows.append(TextArea(wrapped, textprops=dict(fontsize=fs * 0.84, color="#555555",
                                                         linespacing=1.25)))
        blocks.append(VPacker(children=rows, align="left", pad=0, sep=3.2 * s))
    box = VPacker(children=blocks, align="left", pad=0, sep=9 * s)
    anchored = AnchoredOffsetbox(loc="lower right", child=box, pad=0.55, borderpad=0.9, frameon=True)
    anchored.patch.set_facecolor("white")
    anchored.patch.set_alpha(0.92)
    anchored.patch.set_edgecolor("#9a9a9a")
    anchored.patch.set_linewidth(0.6 * s)
    anchored.patch.set_boxstyle("round,pad=0.25,rounding_size=0.4")
    anchored.set_zorder(20)
    anchored.set_gid("legend")
    return anchored


def _scalebar(ax, renderer, s, legend_bbox: Bbox | None) -> list[Bbox]:
    """A metric scale bar (true: the CRS is in metres), left of the legend in the sea."""
    from matplotlib_scalebar.scalebar import ScaleBar

    where = {"location": "lower left", "border_pad": 0.9}
    if legend_bbox is not None:  # bottom-aligned with the legend box, just left of it
        x, y = ax.transAxes.inverted().transform((legend_bbox.x0 - 6 * s * ax.figure.dpi / 72, legend_bbox.y0))
        where = {"location": "lower right", "bbox_to_anchor": (x, y), "bbox_transform": ax.transAxes,
                 "border_pad": 0.0}
    bar = ScaleBar(1.0, "m", dimension="si-length", length_fraction=0.12, **where,
                   width_fraction=0.007, box_alpha=0.85, box_color="white",
                   color="#222222", pad=0.5, sep=3 * s, frameon=True,
                   font_properties={"size": 7.5 * s}, scale_loc="top")
    bar.set_zorder(20)
    bar.set_gid("scalebar")
    ax.add_artist(bar)
    try:
        return [bar.get_window_extent(renderer)]
    except Exception:  # pragma: no cover - older matplotlib-scalebar
        return []


def _north_arrow(ax, renderer, s, lang, crs) -> list[Bbox]:
    """matplotlib-map-utils' arrow, turned to true north at the map centre."""
    size = 0.42 * s
    try:
        from matplotlib_map_utils import north_arrow
    except ImportError:  # pragma: no cover - a plain arrow when the package is absent
        return [_plain_north_arrow(ax, renderer, s)]
    art = north_arrow(ax, location="upper right", scale=size,
                      base={"facecolor": "white", "edgecolor": "#222222", "linewidth": 0.8 * s},
                      fancy={"facecolor": "#222222"},
                      label={"text": "N", "fontsize": 9 * s, "fontfamily": "sans-serif",
                             "stroke_width": 0, "color": "#222222"},
                      shadow=False,
                      aob={"pad": 0.4, "borderpad": 0.9, "facecolor": None, "edgecolor": None, "alpha": None},
                      rotation={"degrees": None, "crs": crs, "reference": "center"}, zorder=20)
    art.set_gid("north-arrow")
    x1, y1 = ax.transAxes.transform((1, 1))
    # The arrow's box: its height plus the label, at the upper-right corner.
    w = (size + 0.35 * s) * ax.figure.dpi
    h = (size + 0.45 * s) * ax.figure.dpi
    return [Bbox.from_extents(x1 - w, y1 - h, x1, y1)]


def _plain_north_arrow(ax, renderer, s) -> Bbox:  # pragma: no cover
    ax.annotate("N", xy=(0.95, 0.95), xytext=(0.95, 0.88), xycoords="axes fraction",
                ha="center", va="center", fontsize=9 * s,
                arrowprops=dict(arrowstyle="-|>", color="#222222", lw=1.2 * s), zorder=20)
    x1, y1 = ax.transAxes.transform((1, 1))
    d = 0.9 * s * ax.figure.dpi
    return Bbox.from_extents(x1 - d, y1 - d, x1, y1)


# ------------------------------------------------------------------ city labels

_DIRS = [(0, 0), (0, 1), (0, -1), (1, 0), (-1, 0), (1, 1), (-1, 1), (1, -1), (-1, -1)]


def _labels(ax, renderer, policy, state, data: StaticData, info: RenderInfo, s, obstacles) -> dict[str, str]:
    """City and context labels placed greedily without overlaps.

    Each label tries its anchor, then eight positions around it at growing
    distance (with a leader line when moved off the anchor). Smaller cities go
    first since they have the least room; the order is fixed, so the result is
    deterministic.
    """
    import matplotlib.patheffects as pe

    lang = state.lang

    def halo_text(x, y, text, halo_color=HALO, halo_width=2.4 * s, zorder=30, **kw):
        """Text over a halo. The halo is a separate stroke-only artist (drawn as a path),
        so the text itself stays text in SVG and PDF."""
        under = {k: v for k, v in kw.items() if k not in ("color", "gid")}
        ax.text(x, y, text, color=halo_color, zorder=zorder - 0.5, alpha=0.9,
                path_effects=[pe.Stroke(linewidth=halo_width, foreground=halo_color)], **under)
        return ax.text(x, y, text, zorder=zorder, **kw)

    fs_city = (8.4 if lang == "zh" else 7.4) * s
    fs_count = 6.6 * s
    fs_ctx = (8.6 if lang == "zh" else 7.6) * s
    axbox = ax.get_window_extent(renderer)
    to_disp = ax.transData.transform
    placed: list[Bbox] = list(obstacles)
    out: dict[str, str] = {}

    def fits(bb: Bbox) -> bool:
        inside = (bb.x0 >= axbox.x0 + 2 and bb.x1 <= axbox.x1 - 2 and bb.y0 >= axbox.y0 + 2 and bb.y1 <= axbox.y1 - 2)
        return inside and not any(bb.overlaps(o) for o in placed)

    def measure(text, fs, weight="normal"):
        tmp = ax.text(0, 0, text, fontsize=fs, fontweight=weight)
        bb = tmp.get_window_extent(renderer)
        tmp.remove()
        return bb.width, bb.height

    def overlap(bb: Bbox) -> float:
        total = 0.0
        for o in placed:
            ix = min(bb.x1, o.x1) - max(bb.x0, o.x0)
            iy = min(bb.y1, o.y1) - max(bb.y0, o.y0)
            if ix > 0 and iy > 0:
                total += ix * iy
        return total

    def place(anchor_xy, w, h, max_ring=3, pad=1.5 * s):
        """(x, y, bbox, ring, ok): the first free spot, else the least crowded one."""
        ax_, ay_ = to_disp(anchor_xy)
        step = 0.62 * h + 3 * s
        best, best_cost = None, None
        for ring in range(0, max_ring + 1):
            for dx, dy in (_DIRS[:1] if ring == 0 else _DIRS[1:]):
                cx = ax_ + dx * (w / 2 + step * ring) if dx else ax_
                cy = ay_ + dy * (h / 2 + step * ring) if dy else ay_
                bb = Bbox.from_extents(cx - w / 2 - pad, cy - h / 2 - pad, cx + w / 2 + pad, cy + h / 2 + pad)
                if fits(bb):
                    return cx, cy, bb, ring, True
                cost = overlap(bb) + ring * 1e-3
                if best_cost is None or cost < best_cost:
                    best, best_cost = (cx, cy, bb, ring, False), cost
        return best

    from_disp = ax.transData.inverted().transform
    labels = []
    counts = info.counts if state.coverage else {}
    for a in data.adcodes:
        name = i18n.city_name(policy, a, lang)
        labels.append(("city", a, name, data.label_xy[a], data.city_area[a]))
    order = sorted(labels, key=lambda r: r[4])
    for kind, a, name, xy, _area in order:
        w1, h1 = measure(name, fs_city)
        lines = [(name, fs_city, "normal", w1, h1)]
        if a in counts:
            c = str(counts[a])
            w2, h2 = measure(c, fs_count, "bold")
            lines.append((c, fs_count, "bold", w2, h2 * 0.92))
        w = max(ln[3] for ln in lines)
        h = sum(ln[4] for ln in lines)
        cx, cy, bb, ring, _ok = place(xy, w, h)
        placed.append(bb)
        y = cy + h / 2
        for text, fs, weight, _, lh in lines:
            y -= lh / 2
            halo_text(*from_disp((cx, y)), text, fontsize=fs, fontweight=weight, ha="center", va="center",
                      color=LABEL_COLOR, zorder=30, gid=f"label-{a}")
            y -= lh / 2
        if ring > 0:
            ax_, ay_ = to_disp(xy)
            ex = np.clip(ax_, bb.x0, bb.x1)
            ey = np.clip(ay_, bb.y0, bb.y1)
            ax.plot(*from_disp(np.array([(ax_, ay_), (ex, ey)])).T, color="#444444", lw=0.6 * s, zorder=29)
            ax.plot(*xy, marker="o", ms=2.2 * s, color="#333333", zorder=29)
        out[a] = name

    # Neighbours and the sea, muted, only where they fit.
    view = (*ax.get_xlim(), *ax.get_ylim())
    view = (view[0], view[2], view[1], view[3])
    for key, (kind, zh, en, xy, area) in sorted(data.context_anchors(view).items(),
                                                key=lambda kv: -kv[1][4]):
        name = zh if lang == "zh" else en
        w, h = measure(name, fs_ctx * (0.85 if kind == "sar" else 1.0))
        cx, cy, bb, ring, ok = place(xy, w, h, max_ring=2 if kind == "sar" else 1)
        if not ok:
            continue
        placed.append(bb)
        halo_text(*from_disp((cx, cy)), name, halo_color=HALO if kind == "sar" else CONTEXT_FILL,
                  halo_width=(2.4 if kind == "sar" else 2.0) * s, fontsize=fs_ctx * (0.85 if kind == "sar" else 1.0),
                  color=CONTEXT_LABEL_COLOR, ha="center", va="center", zorder=25, gid=f"context-{key}")
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    sea_xy = (x0 + 0.45 * (x1 - x0), y0 + 0.09 * (y1 - y0))
    w, h = measure(tx("sea", lang), fs_ctx * 1.1)
    cx, cy, bb, ring, ok = place(sea_xy, w, h, max_ring=2)
    if ok:
        ax.text(*from_disp((cx, cy)), tx("sea", lang), fontsize=fs_ctx * 1.1, color="#6f8ea6",
                style="italic", ha="center", va="center", zorder=25, gid="sea")
    return out


# ----------------------------------------------------------------------- output


def resolve_format(path: str | os.PathLike, fmt: str | None) -> str:
    """The format named by `fmt` or, when it is None, by the file's extension."""
    ext = Path(path).suffix.lower().lstrip(".")
    if fmt is None:
        if ext not in FORMATS:
            raise ExportError(f"cannot tell the format from {str(path)!r}: extension {('.' + ext) if ext else '(none)'} "
                              f"is not one of {', '.join('.' + f for f in FORMATS)}; name the file so or pass --format")
        return ext
    check_format(fmt)
    if ext and ext != fmt:
        raise ExportError(f"format {fmt!r} conflicts with the extension .{ext} of {str(path)!r}")
    return fmt


def _metadata(fmt: str, title: str) -> dict:
    # No software versions or timestamps: the same view gives the same file.
    return {"png": {"Title": title, "Software": None},
            "svg": {"Title": title, "Date": None, "Creator": None},
            "pdf": {"Title": title, "Creator": None, "Producer": None, "CreationDate": None}}[fmt]


def atomic_save(fig: Figure, out_path: Path, fmt: str, dpi: int, title: str) -> None:
    """Write to a temporary file beside the target and move it in place."""
    out_path = Path(out_path)
    directory = out_path.parent if str(out_path.parent) else Path(".")
    if not directory.is_dir():
        raise ExportError(f"output directory {str(directory)!r} does not exist")
    metadata = _metadata(fmt, title)
    fd, tmp = tempfile.mkstemp(prefix=f".{out_path.name}.", suffix=".part", dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            with matplotlib.rc_context(fonts.rc_params()):
                fig.savefig(fh, format=fmt, dpi=dpi, facecolor="white", metadata=metadata)
            fh.flush()
            os.fsync(fh.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, out_path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def render_map(policy: Policy, state: ViewState, out_path: str | os.PathLike, *, fmt: str | None = None,
               size: str = DEFAULT_SIZE, dpi: int = DEFAULT_DPI, data: StaticData | None = None,
               made: _dt.date | None = None) -> RenderInfo:
    """Draw `state` and write it to `out_path` (PNG, SVG or PDF) atomically."""
    fmt = resolve_format(out_path, fmt)
    check_size(size)
    dpi = check_dpi(dpi)
    fig, info = build_figure(policy, state, size=size, dpi=dpi, data=data, made=made)
    atomic_save(fig, Path(out_path), fmt, dpi, info.title)
    return info


def render_bytes(policy: Policy, state: ViewState, *, fmt: str = "png", size: str = DEFAULT_SIZE,
                 dpi: int = DEFAULT_DPI, data: StaticData | None = None) -> bytes:
    """The same drawing as `render_map`, returned as bytes (for a download button)."""
    fmt = check_format(fmt)
    check_size(size)
    dpi = check_dpi(dpi)
    fig, info = build_figure(policy, state, size=size, dpi=dpi, data=data)
    metadata = _metadata(fmt, info.title)
    buf = io.BytesIO()
    with matplotlib.rc_context(fonts.rc_params()):
        fig.savefig(buf, format=fmt, dpi=dpi, facecolor="white", metadata=metadata)
    return buf.getvalue()

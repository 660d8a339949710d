"""The cluster × city matrix as a static image (PNG, SVG, PDF; zh or en).

Rows are the clusters (pillar, then emerging, in the policy's order), each with
its colour chip and key number; columns are the 21 cities grouped by zone under
the zone's name and colour. A cell is the map's glyph: the role's shape
(`views.style.ROLE_MARKERS`), filled in the cluster's colour when the document
names the city, hollow with a dashed edge when only a region-level term reaches
it; "+n" marks n further roles. Row and column totals are the coverage engine's
counts. The figure is laid out in inches on one axes spanning the page, so text
and glyphs keep their size on every page.

    fig, info = build_matrix_figure(policy, designation_matrix(policy, rows), lang="en")
    render_matrix(policy, matrix, "matrix.pdf", lang="zh", size="slide")
"""

from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_hex, to_rgb
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from export import fonts
from export.layout import MIN_PT
from export.marks import draw_glyph
from export.options import SIZES, ExportError, check_dpi, check_format, resolve_format
from export.output import atomic_save, figure_bytes
from export.text import two_lines, wrap
from policy.analysis import Matrix
from policy.model import Policy
from views import i18n
from views.i18n import role_name
from views.style import NEUTRAL_GLYPH, ROLE_MARKERS, cluster_color, glyph_look, zone_color

# The layers whose documents the matrix credits: the designations, and the zoning its
# columns are grouped and coloured by; it draws no boundary.
MATRIX_LAYERS = ("clusters", "zoning")

MATRIX_SIZES = ("a4-landscape", "slide", "screen")  # the matrix is wide: landscape pages only
LANGS = ("zh", "en")
DEFAULT_DPI = 300

GRID_BAND = "#f3f3f1"
RULE = "#8c8c8c"
INK = "#1f1f1f"
MUTED = "#555555"


@dataclass
class MatrixInfo:
    """What was drawn, for tests and callers."""

    title: str
    size: str
    cells: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)  # (cluster, adcode) -> (marker, basis)
    cell_xy: dict[tuple[str, str], tuple[float, float]] = field(default_factory=dict)  # glyph centre, inches from top left
    row_totals: dict[str, int] = field(default_factory=dict)
    col_totals: dict[str, int] = field(default_factory=dict)


def check_matrix_args(size: str, lang: str) -> None:
    if size not in MATRIX_SIZES:
        raise ExportError(f"size {size!r} is not accepted for the matrix; choose one of: {', '.join(MATRIX_SIZES)}")
    if lang not in LANGS:
        raise ExportError(f"lang {lang!r} is not accepted; choose one of: {', '.join(LANGS)}")


def matrix_title(policy: Policy, m: Matrix, lang: str) -> str:
    basis = i18n.t(f"basis_{m.basis}", lang)
    n = len(m.clusters)
    return i18n.t("matrix_image_title", lang, tier=i18n.t(f"matrix_tier_{m.tier}", lang), n=n, m=len(m.cities), basis=basis,
              plural="" if n == 1 else "s")


def _darker(color: str, f: float = 0.62) -> str:
    return to_hex(np.asarray(to_rgb(color)) * f)


def _today() -> _dt.date:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")  # reproducible builds, as export.render
    if epoch and epoch.isdigit():
        return _dt.datetime.fromtimestamp(int(epoch), _dt.UTC).date()
    return _dt.date.today()


def _text(policy: Policy) -> str:
    # Names from a user's file may need the fallback family, as in export.render.
    return "".join(t for c in policy.clusters.values() for t in (c.name_zh, c.name_en))


def build_matrix_figure(policy: Policy, m: Matrix, *, lang: str = "zh", size: str = "a4-landscape", dpi: int = 100,
                        made: _dt.date | None = None) -> tuple[Figure, MatrixInfo]:
    """The matrix as a matplotlib Figure (no pyplot) and what was drawn."""
    check_matrix_args(size, lang)
    page = SIZES[size]
    with fonts.using(_text(policy)):
        # A whole number of pixels, as export.render does (matplotlib truncates).
        size_in = ((round(page.width * dpi) + 0.01) / dpi, (round(page.height * dpi) + 0.01) / dpi)
        fig = Figure(figsize=size_in, dpi=dpi, facecolor="white")
        FigureCanvasAgg(fig)
        info = _draw(fig, policy, m, lang, page, made or _today())
    return fig, info


class _Page:
    """An axes over the whole page in inches, y downwards, with text measuring."""

    def __init__(self, fig: Figure, W: float, H: float):
        self.fig, self.W, self.H = fig, W, H
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, W)
        ax.set_ylim(H, 0)
        ax.axis("off")
        self.ax = ax
        self.renderer = fig.canvas.get_renderer()

    def text(self, x, y, s, **kw):
        kw.setdefault("color", INK)
        return self.ax.text(x, y, s, clip_on=False, **fonts.text_kw(), **kw)

    def width(self, artist) -> float:
        return artist.get_window_extent(self.renderer).width / self.fig.dpi

    def measure(self, s: str, fs: float, **kw) -> float:
        t = self.text(0, 0, s, fontsize=fs, **kw)
        w = self.width(t)
        t.remove()
        return w

    def fit(self, artist, max_w: float, min_scale: float = 0.6) -> None:
        """Shrink the font until the text fits `max_w` inches (down to `min_scale`)."""
        fs0 = fs = artist.get_fontsize()
        while self.width(artist) > max_w and fs > fs0 * min_scale:
            fs *= 0.94
            artist.set_fontsize(fs)


def _draw(fig: Figure, policy: Policy, m: Matrix, lang: str, page, made: _dt.date) -> MatrixInfo:
    W, H = page.width, page.height
    s = float(np.sqrt(W * H / (SIZES["a4-landscape"].width * SIZES["a4-landscape"].height)))
    p = _Page(fig, W, H)
    info = MatrixInfo(title=matrix_title(policy, m, lang), size=page.name)
    margin = 0.36 * s

    # --- title ----------------------------------------------------------------
    title = p.text(margin, margin, info.title, fontsize=15 * s, fontweight="bold", va="top", gid="title")
    p.fit(title, W - 2 * margin)
    sub = i18n.t("matrix_subtitle", lang)
    sub = sub[0].upper() + sub[1:]
    based = i18n.based_on(policy, lang, ("clusters",))  # empty when a user's file replaces the document
    if based:
        sub = based + ("；" if lang == "zh" else ". ") + sub
    subtitle = p.text(margin, margin + 0.34 * s, sub, fontsize=8.5 * s, color=MUTED, va="top", gid="subtitle")
    p.fit(subtitle, W - 2 * margin)

    # --- vertical budget (inches) ----------------------------------------------
    clusters, cities = m.clusters, m.cities
    tiers = [t for t in ("pillar", "emerging") if (clusters["tier"] == t).any()]
    en_city_h = max([p.measure(n, 7.5 * s) for n in cities["name_en"]] + [0.2]) if lang == "en" else 0.0
    zone_h, city_h = 0.30 * s, (en_city_h + 0.1 * s if lang == "en" else 0.26 * s)
    grid_top = margin + 0.62 * s + zone_h + city_h
    foot_h = 0.62 * s + (0.2 * s if lang == "en" else 0.0) + 0.25  # legend lines + two lines of sources
    units = len(clusters) + 0.95 * len(tiers) + 1.25  # rows, group headings, the totals row
    pitch_y = min(0.3 * s, (H - margin - foot_h - grid_top) / max(units, 1))

    # --- horizontal budget ---------------------------------------------------------
    fs_row = min(7.6 * s, pitch_y * 72 * 0.58)
    names = [r.name_zh if lang == "zh" else r.name_en for r in clusters.itertuples()]
    chip_w = 0.26 * s
    label_w = min(max([p.measure(n, fs_row) for n in names] + [0.5]), 0.36 * (W - 2 * margin))
    label_w += chip_w + 0.12 * s
    zone_ids = list(dict.fromkeys(cities["zone"]))
    gap = 0.45  # between zones, in columns
    total_gap = 0.6
    n_units_x = len(cities) + gap * (len(zone_ids) - 1) + total_gap + 1
    grid_left = margin + label_w
    pitch_x = (W - margin - grid_left) / n_units_x

    col_x: dict[str, float] = {}
    x = grid_left + pitch_x / 2
    for i, r in enumerate(cities.itertuples()):
        if i and r.zone != cities.iloc[i - 1]["zone"]:
            x += gap * pitch_x
        col_x[r.adcode] = x
        x += pitch_x
    total_x = x + total_gap * pitch_x
    grid_right = x - pitch_x / 2

    # --- zone and city headings ----------------------------------------------------
    zone_index = {z: i for i, z in enumerate(policy.zones)}
    for zid in zone_ids:
        zone = policy.zones[zid]
        zcolor = zone_color(zone_index[zid])
        xs = [col_x[a] for a in cities.loc[cities["zone"] == zid, "adcode"]]
        x0, x1 = min(xs) - pitch_x / 2, max(xs) + pitch_x / 2
        y_bar = grid_top - city_h - 0.04 * s
        p.ax.plot([x0 + 0.02, x1 - 0.02], [y_bar, y_bar], color=zcolor, lw=3.2 * s, solid_capstyle="butt",
                  gid=f"zone-bar-{zid}")
        label = f"{zone.short_zh} {zone.name_zh}" if lang == "zh" else zone.name_en
        label += " · " + i18n.t("n_cities", lang, n=len(xs), cities="city" if len(xs) == 1 else "cities")
        zt = p.text((x0 + x1) / 2, y_bar - 0.06 * s, label, fontsize=7.8 * s, fontweight="bold",
                    color=_darker(zcolor, 0.8), ha="center", va="bottom", gid=f"zone-{zid}")
        room = x1 - x0 + 0.5 * gap * pitch_x
        p.fit(zt, room, 0.85)
        if p.width(zt) > room:  # too long for the zone's columns: two lines, then shrink if still needed
            zt.set_text(two_lines(label, lang))
            zt.set_linespacing(1.05)
            p.fit(zt, room, 0.6)
    for r in cities.itertuples():
        name = r.name_zh if lang == "zh" else r.name_en
        if lang == "zh":
            p.text(col_x[r.adcode], grid_top - 0.06 * s, name, fontsize=7.8 * s, ha="center", va="bottom")
        else:
            p.text(col_x[r.adcode], grid_top - 0.05 * s, name, fontsize=7.5 * s, ha="center", va="bottom",
                   rotation=90)
    p.text(total_x, grid_top - 0.06 * s, i18n.t("matrix_total", lang), fontsize=7.8 * s, fontweight="bold", ha="center",
           va="bottom", rotation=0 if lang == "zh" else 90)

    # --- rows ------------------------------------------------------------------------
    cells = {(r.cluster_id, r.adcode): r for r in m.cells.itertuples(index=False)}
    ms = max(3.0, min(pitch_x, pitch_y) * 72 * 0.62)  # marker size in points
    y = grid_top
    band = 0
    for tier in tiers:
        heading = i18n.t(f"matrix_heading_{tier}", lang)
        p.text(margin, y + 0.6 * pitch_y, heading, fontsize=fs_row * 1.08, fontweight="bold", va="center",
               color=MUTED)
        y += 0.95 * pitch_y
        for r in clusters[clusters["tier"] == tier].itertuples():
            yc = y + pitch_y / 2
            if band % 2 == 0:
                p.ax.add_patch(Rectangle((margin, y), total_x + pitch_x / 2 - margin, pitch_y,
                                         facecolor=GRID_BAND, edgecolor="none", zorder=0))
            band += 1
            color = cluster_color(int(r.index))
            # The cluster's key, as the map's legend shows it.
            chip_in = min(pitch_y * 0.86, 0.24 * s)
            draw_glyph(p.ax, glyph_look(color, "o", str(int(r.key))), chip_in, margin + chip_w / 2, yc,
                       chip_in * 72, min(6.4 * s, fs_row * 0.9), zorder=2, y_down=True)
            name = r.name_zh if lang == "zh" else r.name_en
            nt = p.text(margin + chip_w + 0.06 * s, yc, name, fontsize=fs_row, va="center", gid=f"row-{r.cluster_id}")
            p.fit(nt, label_w - chip_w - 0.12 * s, 0.5)
            _draw_row(p, r.cluster_id, color, yc, col_x, cells, ms, s, info)
            p.text(total_x, yc, str(int(r.total)), fontsize=fs_row, fontweight="bold", ha="center", va="center")
            info.row_totals[r.cluster_id] = int(r.total)
            y += pitch_y
    if not len(clusters):
        p.text((grid_left + grid_right) / 2, y + pitch_y, i18n.t("matrix_empty", lang), fontsize=9 * s, color=MUTED,
               ha="center", va="center")
        y += 2 * pitch_y

    # --- zone separators and the totals row ------------------------------------------------
    for i, r in enumerate(cities.itertuples()):
        if i and r.zone != cities.iloc[i - 1]["zone"]:
            xs = (col_x[r.adcode] - pitch_x / 2 - gap * pitch_x / 2)
            p.ax.plot([xs, xs], [grid_top, y], color=RULE, lw=0.5 * s, zorder=1)
    y += 0.12 * pitch_y
    p.ax.plot([margin, total_x + pitch_x / 2], [y, y], color=RULE, lw=0.7 * s)
    yc = y + pitch_y / 2
    p.text(margin + chip_w + 0.06 * s, yc, i18n.t("matrix_total", lang), fontsize=fs_row, fontweight="bold", va="center")
    for r in cities.itertuples():
        p.text(col_x[r.adcode], yc, str(int(r.total)), fontsize=fs_row, fontweight="bold", ha="center", va="center",
               color=INK if r.total else "#b0302a")
        info.col_totals[r.adcode] = int(r.total)
    p.text(total_x, yc, str(int(clusters["total"].sum())), fontsize=fs_row, fontweight="bold", ha="center",
           va="center")

    # Just under the totals (the foot of the page is reserved for it, so a short
    # matrix, e.g. one tier, keeps its legend close instead of at the page's foot).
    y_foot = min(H - margin, _legend(p, policy, m, lang, margin, yc + pitch_y / 2 + 0.28 * s, W - 2 * margin, s) + 0.34 * s)
    # The sources wrap beside the date (never shrunk under the least print size), downwards.
    fs_foot = max(MIN_PT, 6.8 * s)
    made_text = i18n.t("matrix_made", lang, date=made.isoformat())
    src_w = (W - 2 * margin - p.measure(made_text, fs_foot) - 0.25) * 72
    src = wrap(i18n.source_line(policy, lang, MATRIX_LAYERS, "none"), lang, src_w, fs_foot, p.renderer, fig.dpi)
    top = y_foot - fs_foot * 1.2 / 72
    p.text(margin, top, src, fontsize=fs_foot, color=MUTED, va="top", linespacing=1.25, gid="source")
    p.text(W - margin, top, made_text, fontsize=fs_foot, color=MUTED, ha="right", va="top", gid="made")
    return info


def _draw_row(p: _Page, cid: str, color: str, yc: float, col_x: dict, cells: dict, ms: float, s: float,
              info: MatrixInfo) -> None:
    for adcode, x in col_x.items():
        c = cells.get((cid, adcode))
        if c is None:
            continue
        marker = ROLE_MARKERS[c.role]
        # The map's glyph, without its number (the row says which cluster).
        draw_glyph(p.ax, glyph_look(color, marker, hollow=c.basis == "region"), ms / 72, x, yc, ms, 0, zorder=4,
                   y_down=True)
        if len(c.roles) > 1:
            p.text(x + ms / 72 * 0.55, yc - ms / 72 * 0.35, f"+{len(c.roles) - 1}", fontsize=max(4.0, ms * 0.42),
                   color=MUTED, ha="left", va="center", zorder=5)
        info.cells[(cid, adcode)] = (marker, c.basis)
        info.cell_xy[(cid, adcode)] = (x, yc)


def _legend(p: _Page, policy: Policy, m: Matrix, lang: str, x0: float, y_top: float, max_w: float,
            s: float) -> float:
    """One or two lines: the role shapes drawn, filled vs hollow (hollow only where a cell
    is), +n where a cell has more roles, the cluster's key. Returns the centre line of its
    last line."""
    fs, ms = 7.2 * s, 8.5 * s
    gap = 0.22 * s
    cells = m.cells
    roles = [r for r in ROLE_MARKERS if (cells["role"] == r).any()] if len(cells) else []
    sample_color = cluster_color(4)
    items = [(glyph_look(NEUTRAL_GLYPH, ROLE_MARKERS[r]), role_name(policy, r, lang)) for r in roles]
    if len(cells) and (cells["basis"] == "region").any():
        items += [(glyph_look(sample_color, "o"), i18n.t("matrix_explicit", lang)),
                  (glyph_look(sample_color, "o", hollow=True), i18n.t("matrix_region", lang))]
    if len(cells) and (cells["roles"].map(len) > 1).any():
        items.append(("+n", i18n.t("matrix_more", lang).split("：" if lang == "zh" else ": ", 1)[1]))
    items.append((glyph_look(cluster_color(6), "o", "7"), i18n.t("matrix_chip", lang)))
    head = i18n.t("legend_roles", lang) + ("：" if lang == "zh" else ": ")
    lines: list[list] = [[]]
    x = x0 + p.measure(head, fs, fontweight="bold") + 0.06 * s
    for it in items:
        w = ms / 72 + 0.05 * s + p.measure(it[1], fs)
        if x + w > x0 + max_w and lines[-1]:
            lines.append([])
            x = x0
        lines[-1].append((x, it))
        x += w + gap
    y_line = y_top
    p.text(x0, y_line, head, fontsize=fs, fontweight="bold", va="center")
    for line in lines:
        for x, (look, label) in line:
            gx = x + ms / 72 / 2
            if isinstance(look, str):
                p.text(gx, y_line, look, fontsize=fs * 0.9, color=MUTED, ha="center", va="center")
            else:
                draw_glyph(p.ax, look, ms / 72, gx, y_line, ms, fs * 0.75, zorder=4, y_down=True)
            p.text(x + ms / 72 + 0.05 * s, y_line, label, fontsize=fs, va="center")
        y_line += 0.2 * s
    return y_line - 0.2 * s


# ----------------------------------------------------------------------- output


def _check_out(out: Path, fmt: str) -> None:
    if not (out.parent if str(out.parent) else Path(".")).is_dir():
        raise ExportError(f"--out: directory {str(out.parent)!r} does not exist")
    if out.is_dir():
        raise ExportError(f"--out {str(out)!r} is a directory; give a file name such as matrix.{fmt}")


def render_matrix(policy: Policy, m: Matrix, out_path: str | os.PathLike, *, fmt: str | None = None,
                  lang: str = "zh", size: str = "a4-landscape", dpi=None, made: _dt.date | None = None) -> Path:
    """Draw the matrix and write it to `out_path` atomically. Every argument is
    checked before drawing; a bad one raises ExportError naming it."""
    out = Path(out_path)
    fmt = resolve_format(out, fmt)
    check_matrix_args(size, lang)
    dpi = check_dpi(DEFAULT_DPI if dpi is None else dpi)
    _check_out(out, fmt)
    fig, info = build_matrix_figure(policy, m, lang=lang, size=size, dpi=dpi, made=made)
    atomic_save(fig, out, fmt, dpi, info.title)
    return out


def matrix_bytes(policy: Policy, m: Matrix, *, fmt: str = "png", lang: str = "zh", size: str = "a4-landscape",
                 dpi=None) -> bytes:
    """The same image as `render_matrix`, as bytes (for a download button)."""
    fmt = check_format(fmt)
    check_matrix_args(size, lang)
    dpi = check_dpi(DEFAULT_DPI if dpi is None else dpi)
    fig, info = build_matrix_figure(policy, m, lang=lang, size=size, dpi=dpi)
    return figure_bytes(fig, fmt, dpi, info.title)

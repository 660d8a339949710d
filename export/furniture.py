"""Map furniture: title, footer notes, segmented scale bar, north arrow, enlargement frame.

The scale bar and north arrow are placed in map units, in the first corner
where they cover no land of Guangdong (东沙群岛 included) and no label; their
boxes are returned so the tests can check them.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import shapely
from matplotlib.patches import Polygon, Rectangle

from export import fonts
from export.layout import LINE_SPACING
from export.text import text_width_pt, two_lines, wrap
from views.i18n import t


def title(fig, renderer, text: str, subtitle: str, layout, short: str = "") -> None:
    """The title on one line: shrunk to fit (down to 75 %), else its short form `short`
    (shrunk likewise); only a title with no short form is broken, into two balanced lines
    (never one orphaned word)."""
    ty, m = layout.type, layout.margin
    W, H = layout.page.width, layout.page.height
    max_w = (W - 2 * m) * fig.dpi
    y = 1 - m / H
    t = fig.text(m / W, y, text, fontsize=ty.title, fontweight="bold", color="#111111", ha="left", va="top",
                 gid="title", **fonts.text_kw())

    def fit() -> bool:
        fs = ty.title
        t.set_fontsize(fs)
        while t.get_window_extent(renderer).width > max_w and fs > ty.title * 0.75:
            fs *= 0.95
            t.set_fontsize(fs)
        return t.get_window_extent(renderer).width <= max_w

    if not fit() and short and short != text:
        t.set_text(short)
        fit()
    if t.get_window_extent(renderer).width > max_w:
        t.set_text(two_lines(t.get_text(), "zh" if re.search(r"[\u4e00-\u9fff]", text) else "en"))
    th = t.get_window_extent(renderer).height / fig.dpi
    fig.text(m / W, y - (th + 0.05) / H, subtitle, fontsize=ty.subtitle, color="#555555", ha="left", va="top",
             gid="subtitle", **fonts.text_kw())


def _made(lang: str, made) -> str:
    return f"{t('crs', lang)}    {t('print_made', lang, date=made.isoformat())}"


def footer_lines(fig, page_w: float, ty, margin: float, source: str, note: str, lang: str, made
                 ) -> tuple[str, str]:
    """(sources, note) wrapped to the page: the sources beside the projection and date, the
    note (schematic-map note or map approval number) across the page, each broken after a
    clause or word, never shrunk under the foot size."""
    renderer = fig.canvas.get_renderer()
    avail = (page_w - 2 * margin) * 72
    made_w = text_width_pt(_made(lang, made), ty.foot, renderer, fig.dpi)
    return (wrap(source, lang, avail - made_w - 0.25 * 72, ty.foot, renderer, fig.dpi),
            wrap(note, lang, avail, ty.foot, renderer, fig.dpi))


def foot_line_count(fig, page_w: float, ty, margin: float, source: str, note: str, lang: str, made) -> int:
    """How many lines the footer takes on this page (the layout reserves them)."""
    return sum(x.count("\n") + 1 for x in footer_lines(fig, page_w, ty, margin, source, note, lang, made))


def footer(fig, layout, source: str, note: str, lang: str, made) -> None:
    """Sources, with projection and date on the right of their first line; under them
    `note`. Both wrap (export.text.wrap) rather than shrink: the foot size is the least."""
    ty, m = layout.type, layout.margin
    W, H = layout.page.width, layout.page.height
    line = ty.foot * LINE_SPACING / 72
    src, text = footer_lines(fig, W, ty, m, source, note, lang, made)
    kw = dict(fontsize=ty.foot, color="#444444", va="bottom", linespacing=LINE_SPACING, **fonts.text_kw())
    fig.text(m / W, m / H, text, ha="left", gid="schematic", **kw)
    y = m + (text.count("\n") + 1) * line
    fig.text(m / W, y / H, src, ha="left", gid="source", **kw)
    top = y + src.count("\n") * line
    fig.text(1 - m / W, top / H, _made(lang, made), ha="right", gid="made", **kw)


def _corners(extent, w, h, pad):
    x0, y0, x1, y1 = extent
    return [(x0 + pad, y0 + pad), (x1 - pad - w, y0 + pad), (x0 + pad, y1 - pad - h), (x1 - pad - w, y1 - pad - h)]


def _spot(extent, w, h, pad, avoid, taken, prefer):
    """The first corner (in `prefer` order) whose box hits no land of `avoid` and no taken box."""
    corners = _corners(extent, w, h, pad)
    for i in prefer:
        x, y = corners[i]
        box = shapely.box(x, y, x + w, y + h)
        if not box.intersects(avoid) and not any(box.intersects(b) for _, b in taken):
            return box
    for i in prefer:  # else the first that misses Guangdong at least
        x, y = corners[i]
        box = shapely.box(x, y, x + w, y + h)
        if not box.intersects(avoid):
            return box
    x, y = corners[prefer[0]]
    return shapely.box(x, y, x + w, y + h)


def nice_length(span_m: float) -> tuple[float, int]:
    """A scale bar length (metres) of about a sixth of the frame, and its number of segments."""
    target = span_m / 6
    for km, n in ((500, 5), (200, 4), (100, 2), (50, 2), (20, 2), (10, 2), (5, 1)):
        if km * 1000 <= target:
            return km * 1000.0, n
    return 5000.0, 1


def scalebar(ax, avoid, taken, m_per_pt: float, fs: float, k: float, prefer=(0, 1, 2, 3), gid: str = "scalebar",
             length: tuple[float, int] | None = None):
    """A segmented metric bar (0 / 50 / 100 km) in a white box, at the scale of `ax`
    (`m_per_pt`: metres per point of print); returns its box. Its parts carry `gid`
    (the box), `gid`-seg-i (the segments) and `gid`-tick (the numbers). `length`:
    (metres, segments), else about a sixth of the frame."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    length, n = length or nice_length(x1 - x0)
    seg = length / n
    bar_h = 3.2 * m_per_pt * k
    pad_in = 4 * m_per_pt
    label_h = fs * 1.3 * m_per_pt
    w = length + 2 * pad_in + fs * 2.2 * m_per_pt
    h = bar_h + label_h + 2 * pad_in
    box = _spot((x0, y0, x1, y1), w, h, 8 * m_per_pt, avoid, taken, prefer)
    bx, by = box.bounds[:2]
    ax.add_patch(Rectangle((bx, by), w, h, facecolor="white", edgecolor="#9a9a9a", linewidth=0.5 * k, alpha=0.92,
                           zorder=40, gid=gid))
    sx, sy = bx + pad_in, by + pad_in
    for i in range(n):
        ax.add_patch(Rectangle((sx + i * seg, sy), seg, bar_h, facecolor="#222222" if i % 2 == 0 else "white",
                               edgecolor="#222222", linewidth=0.5 * k, zorder=41, gid=f"{gid}-seg-{i}"))
    for i in range(n + 1):
        km = int(round(i * seg / 1000))
        ax.plot([sx + i * seg] * 2, [sy + bar_h, sy + bar_h + 1.5 * m_per_pt], color="#222222", lw=0.5 * k,
                zorder=41)
        ax.text(sx + i * seg, sy + bar_h + 2 * m_per_pt, f"{km}" + (" km" if i == n else ""), fontsize=fs,
                ha="center", va="bottom", color="#222222", zorder=42, gid=f"{gid}-tick", **fonts.text_kw())
    return box


@lru_cache(maxsize=4)
def _transformers(crs: str):
    from pyproj import Transformer

    return (Transformer.from_crs(crs, "EPSG:4326", always_xy=True),
            Transformer.from_crs("EPSG:4326", crs, always_xy=True))


def north_arrow(ax, avoid, taken, crs: str, m_per_pt: float, fs: float, k: float, lang: str, prefer=(3, 2, 1, 0)):
    """A two-tone arrow pointing to true north at the frame centre, with 北 / N."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    size = 30 * m_per_pt * k
    w, h = size * 0.8, size * 1.25
    box = _spot((x0, y0, x1, y1), w, h, 8 * m_per_pt, avoid, taken, prefer)
    cx = (box.bounds[0] + box.bounds[2]) / 2
    base = box.bounds[1] + 0.12 * h
    # Grid convergence: the angle between grid north and true north at the centre.
    to_ll, to_m = _transformers(crs)
    lon, lat = to_ll.transform((x0 + x1) / 2, (y0 + y1) / 2)
    nx, ny = to_m.transform(lon, lat + 0.5)
    mx, my = to_m.transform(lon, lat)
    ang = np.arctan2(nx - mx, ny - my)
    rot = np.array([[np.cos(ang), np.sin(ang)], [-np.sin(ang), np.cos(ang)]])
    tip, left, right, notch = (0, 0.62 * size), (-0.22 * size, 0), (0.22 * size, 0), (0, 0.16 * size)
    pts = lambda *ps: [tuple(rot @ np.array(p) + np.array([cx, base])) for p in ps]  # noqa: E731
    ax.add_patch(Polygon(pts(tip, left, notch), closed=True, facecolor="white", edgecolor="#222222",
                         linewidth=0.6 * k, zorder=41, gid="north-arrow"))
    ax.add_patch(Polygon(pts(tip, right, notch), closed=True, facecolor="#222222", edgecolor="#222222",
                         linewidth=0.6 * k, zorder=41))
    lx, ly = pts((0, 0.62 * size + fs * 0.9 * m_per_pt))[0]
    ax.text(lx, ly, t("print_north", lang), fontsize=fs, fontweight="bold", ha="center", va="center", color="#222222",
            zorder=42, **fonts.text_kw())
    return box


def inset_frame(ax, box, k: float, label: str, fs: float, m_per_pt: float) -> shapely.Polygon:
    """The enlargement's extent marked on the main map, with a short caption; returns the
    caption's box in map units (with its backing)."""
    x0, y0, x1, y1 = box
    ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, facecolor="none", edgecolor="#333333", linewidth=0.9 * k,
                           linestyle=(0, (4, 2)), zorder=35, gid="inset-frame"))
    cap = ax.text(x0 + 2 * m_per_pt, y1 - 2 * m_per_pt, label, fontsize=fs, color="#333333", ha="left", va="top",
                  zorder=35, gid="inset-mark",
                  bbox=dict(facecolor="white", edgecolor="none", alpha=0.8, pad=1.0), **fonts.text_kw())
    bb = cap.get_window_extent(ax.figure.canvas.get_renderer())
    (cx0, cy0), (cx1, cy1) = ax.transData.inverted().transform([(bb.x0, bb.y0), (bb.x1, bb.y1)])
    pad = 2 * m_per_pt
    return shapely.box(cx0 - pad, cy0 - pad, cx1 + pad, cy1 + pad)

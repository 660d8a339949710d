"""Page layout: type sizes per page, and where the map, the enlargement and the legend go.

Every page has a header (title, subtitle), a footer (sources, the schematic-map
note, projection, date), the main map frame and a panel beside it (landscape
pages, slide, screen) or under it (portrait) holding the enlarged Pearl River
Delta and the legend. Legend and enlargement are outside the map frame, so they
can never cover land; the scale bar and north arrow go in the frame where a
collision check finds sea (export/furniture.py).

All positions are in inches from the page's lower-left corner; `frac()` turns a
rectangle into figure fractions for `Figure.add_axes`.
"""

from __future__ import annotations

from dataclasses import dataclass

from export.options import PageSize


@dataclass(frozen=True)
class Type:
    """Type sizes in points, per page size (a slide is read from the back of a room)."""

    title: float
    subtitle: float
    city: float  # Chinese city names; English ones are a point smaller
    count: float
    context: float
    sar: float
    legend: float
    note: float
    foot: float
    glyph: float  # glyph size (marker diameter)
    glyph_num: float
    inset_city: float


TYPE = {
    "a4": Type(15.5, 9.0, 8.6, 7.4, 8.2, 7.4, 7.6, 7.0, 7.0, 10.0, 6.2, 8.6),
    "a3": Type(20.0, 11.5, 10.5, 9.0, 10.0, 9.0, 9.4, 8.0, 7.6, 12.0, 7.4, 10.5),
    "slide": Type(23.0, 12.5, 11.5, 10.0, 10.5, 10.0, 9.4, 8.4, 8.0, 12.5, 7.8, 11.5),
    "screen": Type(22.0, 12.0, 11.5, 10.0, 10.5, 9.5, 10.0, 8.6, 8.0, 13.0, 8.0, 11.5),
}

# Width of the side panel (landscape) in inches, and the page margin.
PANEL_W = {"a4": 3.05, "a3": 4.0, "slide": 4.1, "screen": 4.6}
MARGIN = {"a4": 0.32, "a3": 0.42, "slide": 0.32, "screen": 0.34}
GAP = 0.16
LINE_SPACING = 1.3  # of the footer's lines
MIN_PT = 7.0  # no word of a printed map is set smaller (legends shrink to fit down to it)


def family(page: PageSize) -> str:
    if page.name.startswith("a4"):
        return "a4"
    if page.name.startswith("a3"):
        return "a3"
    return page.name if page.name in TYPE else "a4"


Rect = tuple[float, float, float, float]  # x0, y0, width, height in inches


@dataclass(frozen=True)
class Layout:
    page: PageSize
    type: Type
    margin: float
    header_top: float  # y of the title's top
    map_rect: Rect
    inset_rect: Rect | None
    legend_rect: Rect
    foot_y: float  # baseline area of the footer's lower line
    notes_rect: Rect | None = None  # room under a shortened map frame, for the legend's notes
    body: Rect | None = None  # between header and footer, margins off

    def frac(self, r: Rect) -> tuple[float, float, float, float]:
        W, H = self.page.width, self.page.height
        return (r[0] / W, r[1] / H, r[2] / W, r[3] / H)


def make_layout(page: PageSize, map_aspect: float, inset_aspect: float, *, inset: bool = True,
                wide: bool = False, foot_lines: int = 3) -> Layout:
    """`map_aspect` and `inset_aspect`: width / height of the areas to show (metres).
    `wide`: a wider side panel, for a legend of many clusters. `foot_lines`: lines of
    the footer (furniture.foot_line_count)."""
    fam = family(page)
    ty, m = TYPE[fam], MARGIN[fam]
    W, H = page.width, page.height
    header = (ty.title + ty.subtitle) / 72 * 1.5 + 0.14
    footer = foot_lines * ty.foot / 72 * LINE_SPACING + 0.1
    body_x0, body_y0 = m, m + footer
    body_w, body_h = W - 2 * m, H - 2 * m - header - footer
    if not page.portrait:
        pw = PANEL_W[fam] * (1.7 if wide else 1.0)
        # Never much taller than Guangdong needs: a taller frame would show most of 海南
        # and reach past the context data; the spare height stays white under the map.
        mw = body_w - pw - GAP
        mh = min(body_h, mw / map_aspect * 1.12)
        map_rect = (body_x0, body_y0 + body_h - mh, mw, mh)
        px = body_x0 + body_w - pw
        if inset:
            # In a wide panel the enlargement keeps its width (wider, it would show half the
            # province) and is a little lower, so the legend gets the height it needs.
            iw = PANEL_W[fam]
            ih = min(iw / inset_aspect, (0.38 if wide else 0.5) * body_h)
            inset_rect = (px + pw - iw, body_y0 + body_h - ih, iw, ih)
            legend_rect = (px, body_y0, pw, body_h - ih - GAP)
        else:
            inset_rect, legend_rect = None, (px, body_y0, pw, body_h)
    else:
        mh = min(body_w / map_aspect, 0.6 * body_h)
        map_rect = (body_x0, body_y0 + body_h - mh, body_w, mh)
        ph = body_h - mh - GAP
        if inset:
            iw = min(ph * inset_aspect, 0.46 * body_w)
            inset_rect = (body_x0, body_y0, iw, ph)
            legend_rect = (body_x0 + iw + GAP, body_y0, body_w - iw - GAP, ph)
        else:
            inset_rect, legend_rect = None, (body_x0, body_y0, body_w, ph)
    notes_rect = None
    free = map_rect[1] - body_y0 - GAP
    if free > 0.6:
        notes_rect = (body_x0, body_y0, map_rect[2], free)
    return Layout(page, ty, m, H - m, map_rect, inset_rect, legend_rect, m, notes_rect,
                  (body_x0, body_y0, body_w, body_h))


def band_layout(lay: Layout, map_aspect: float, band_h: float) -> Layout:
    """A landscape page for a crowded view: the map and the enlargement side by side, as
    tall as each other, over the legend in a band across the page.

    With many clusters most glyphs are in the delta, so the enlargement gets all the width
    the main map does not need; the legend, too long for a side panel, runs in columns
    under both."""
    bx, by, bw, bh = lay.body
    th = bh - band_h - GAP
    mw = min(th * map_aspect, 0.5 * bw)
    iw = bw - mw - GAP
    top = by + band_h + GAP
    return Layout(lay.page, lay.type, lay.margin, lay.header_top, (bx, top, mw, th), (bx + mw + GAP, top, iw, th),
                  (bx, by, bw, band_h), lay.foot_y, None, lay.body)


def tall_inset_layout(wide: Layout, inset_aspect: float, legend_h: float) -> Layout | None:
    """A wide side panel whose enlargement takes the panel's width and every inch of height
    the legend (measured at the panel's width, `legend_h`) leaves; None when that is no
    taller than the wide layout's own enlargement."""
    bx, by, bw, bh = wide.body
    px, _, pw, _ = wide.legend_rect
    ih = min(pw / inset_aspect, bh - legend_h - GAP)
    if wide.inset_rect is None or ih <= wide.inset_rect[3] * 1.1:
        return None
    top = by + bh
    return Layout(wide.page, wide.type, wide.margin, wide.header_top, wide.map_rect, (px, top - ih, pw, ih),
                  (px, by, pw, bh - ih - GAP), wide.foot_y, wide.notes_rect, wide.body)


def fit_extent(bounds, rect: Rect, pad: float = 0.04) -> tuple[float, float, float, float]:
    """`bounds` (x0, y0, x1, y1) plus `pad` on each side, widened to the aspect of `rect`
    around its centre, so the frame is filled and the scale is the same both ways."""
    x0, y0, x1, y1 = bounds
    dx, dy = x1 - x0, y1 - y0
    x0, x1 = x0 - pad * dx, x1 + pad * dx
    y0, y1 = y0 - pad * dy, y1 + pad * dy
    want = rect[2] / rect[3]
    have = (x1 - x0) / (y1 - y0)
    if have < want:
        extra = (y1 - y0) * want - (x1 - x0)
        x0, x1 = x0 - extra / 2, x1 + extra / 2
    else:
        extra = (x1 - x0) / want - (y1 - y0)
        y0, y1 = y0 - extra / 2, y1 + extra / 2
    return (x0, y0, x1, y1)

"""The looks of `views.style` as matplotlib artists: the one place print draws a mark.

Glyphs, tints, zone lines, the focus outline and legend samples of the map, the
legend, the poster and the matrix all come from here, drawn from the same look
objects the Leaflet map uses (layers/marks.py is its counterpart). Widths of the
looks are screen pixels; print draws a pixel as `PT_PER_PX` points times the
page's line scale `k`.
"""

from __future__ import annotations

from matplotlib.lines import Line2D
from matplotlib.offsetbox import DrawingArea
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.path import Path as MplPath
from matplotlib.text import Text
from matplotlib.transforms import Affine2D

from export import fonts
from views.style import GLYPH_TEXT_DY, GLYPH_TEXT_SIZE, LAND_COLOR, Area, GlyphLook, Stroke

PT_PER_PX = 0.55


def _linestyle(dash):
    # matplotlib scales dash patterns by the line width, as the looks measure them.
    return (0, tuple(dash)) if dash else "-"


def stroke_kw(stroke: Stroke, k: float) -> dict:
    """Keyword arguments for a patch's or line's edge drawn with `stroke`."""
    return {"edgecolor": stroke.color, "linewidth": stroke.width * PT_PER_PX * k, "linestyle": _linestyle(stroke.dash),
            "capstyle": "round" if stroke.dots else stroke.cap, "joinstyle": "round"}


def casing_kw(stroke: Stroke, k: float) -> dict | None:
    """The casing under `stroke` (None when it has none)."""
    if not stroke.casing:
        return None
    return {"edgecolor": stroke.casing, "linewidth": (stroke.width + stroke.casing_extra) * PT_PER_PX * k,
            "joinstyle": "round", "alpha": 0.9}


def draw_area(ax, path: MplPath, area: Area, k: float, zorder: float, gid: str | None = None) -> None:
    """A filled shape: its fill (at its alpha), then its outline (at its own alpha)."""
    if area.fill:
        ax.add_artist(PathPatch(path, facecolor=area.fill, alpha=area.alpha, edgecolor="none", zorder=zorder, gid=gid))
    if area.stroke:
        draw_line(ax, path, area.stroke, k, zorder + 0.1, gid=f"{gid}-edge" if gid else None)


def draw_line(ax, path: MplPath, stroke: Stroke, k: float, zorder: float, gid: str | None = None) -> None:
    """A closed outline with `stroke`, over its casing if it has one."""
    under = casing_kw(stroke, k)
    if under:
        ax.add_artist(PathPatch(path, facecolor="none", zorder=zorder - 0.05, **under))
    ax.add_artist(PathPatch(path, facecolor="none", alpha=stroke.alpha, zorder=zorder, gid=gid,
                            **stroke_kw(stroke, k)))


def glyph_path(look: GlyphLook, d: float, x: float, y: float, y_down: bool = False) -> MplPath:
    """The glyph's shape `d` units across (before its scale), centred on (x, y); `y_down`
    for axes whose y grows downwards (a triangle still points up)."""
    if look.polygon is None:
        unit = MplPath.circle((0, 0), 0.5)
    else:
        unit = MplPath(list(look.polygon) + [look.polygon[0]], closed=True)
    s = d * look.scale
    return unit.transformed(Affine2D().scale(s, -s if y_down else s).translate(x, y))


def glyph_artists(look: GlyphLook, d: float, x: float, y: float, size_pt: float, num_pt: float, *,
                  zorder: float = 31, gid: str | None = None, y_down: bool = False) -> list:
    """The glyph's shape and its number: `d` is the glyph's size in the units of (x, y),
    `size_pt` the same size in points (edge widths are a share of it)."""
    shape = PathPatch(glyph_path(look, d, x, y, y_down), facecolor=look.fill, edgecolor=look.edge,
                      linewidth=look.edge_frac * size_pt, linestyle=_linestyle(look.dash), zorder=zorder, gid=gid)
    out = [shape]
    if look.text:
        dy = GLYPH_TEXT_DY.get(look.marker, 0.0) * d * (-1 if y_down else 1)
        size = num_pt * GLYPH_TEXT_SIZE[0 if len(look.text) < 2 else 1] / GLYPH_TEXT_SIZE[0]
        out.append(Text(x, y + dy, look.text, fontsize=size, fontweight="bold", color=look.text_color, ha="center",
                        va="center_baseline", zorder=zorder + 1, **fonts.text_kw()))
    return out


def draw_glyph(ax, look: GlyphLook, d: float, x: float, y: float, size_pt: float, num_pt: float, *,
               zorder: float = 31, gid: str | None = None, y_down: bool = False) -> None:
    for artist in glyph_artists(look, d, x, y, size_pt, num_pt, zorder=zorder, gid=gid, y_down=y_down):
        ax.add_artist(artist)


def sample(look, w: float, h: float, k: float, glyph_pt: float, num_pt: float) -> DrawingArea:
    """A legend sample of `look` in a w×h point box: the mark exactly as the map draws it."""
    da = DrawingArea(w, h, 0, 0)
    if isinstance(look, GlyphLook):
        for artist in glyph_artists(look, glyph_pt, w / 2, h / 2, glyph_pt, num_pt):
            da.add_artist(artist)
        return da
    da.add_artist(Rectangle((1, 1), w - 2, h - 2, facecolor=LAND_COLOR, edgecolor="none"))
    if isinstance(look, Stroke):
        under = casing_kw(look, k)
        if under:
            da.add_artist(Line2D([3, w - 3], [h / 2, h / 2], color=under["edgecolor"], lw=under["linewidth"]))
        kw = stroke_kw(look, k)
        da.add_artist(Line2D([3, w - 3], [h / 2, h / 2], color=kw["edgecolor"], lw=kw["linewidth"],
                             linestyle=kw["linestyle"], alpha=look.alpha, solid_capstyle=kw["capstyle"],
                             dash_capstyle=kw["capstyle"]))
        return da
    if look.fill:
        da.add_artist(Rectangle((1, 1), w - 2, h - 2, facecolor=look.fill, alpha=look.alpha, edgecolor="none"))
    if look.stroke:
        kw = stroke_kw(look.stroke, k)
        kw["linewidth"] = min(kw["linewidth"], 1.2 * k)  # a swatch's edge, not a boundary's weight
        da.add_artist(Rectangle((1.5, 1.5), w - 3, h - 3, facecolor="none", alpha=look.stroke.alpha, **kw))
    return da

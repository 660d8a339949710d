"""The poster: every cluster of the policy on one page, as small multiples.

One panel per cluster, grouped 支柱 / 新兴 in the policy's order, each titled
with the cluster's key number, name and count of designated cities; the cities
it names are tinted in its colour, with one glyph per role (hollow and dashed
where a city is covered only through a region term, at basis all). A cluster
with no city at the chosen basis says so in its panel and names its region
terms. One shared legend and a key map of the city names, title, source,
schematic note and date. Geometry and fonts are shared by all panels.

    render_poster(policy, "poster.pdf", lang="zh", basis="all", size="a3-landscape")
    data = poster_bytes(policy, fmt="png", lang="en")
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import os
from dataclasses import dataclass, field
from math import ceil
from pathlib import Path

import shapely
from matplotlib.offsetbox import AnchoredOffsetbox, DrawingArea, HPacker, TextArea, VPacker
from matplotlib.patches import Rectangle

from export import fonts
from export.data import StaticData, rows_for
from export.draw import draw_layers, setup_axes
from export.furniture import foot_line_count, footer, nice_length, north_arrow, scalebar, title
from export.keymap import key_map
from export.labels import Placer
from export.layout import fit_extent, make_layout
from export.marks import draw_glyph, sample
from export.options import (
    BASES,
    LANGS,
    POSTER_SIZE,
    check_choice,
    check_dpi,
    check_format,
    check_size,
    resolve_format,
)
from export.output import atomic_save, figure_bytes
from export.render import _today, new_figure, policy_text
from export.text import wrap
from policy.model import Policy
from views import i18n
from views.scene import build_scene
from views.state import ViewState
from views.style import LAND_COLOR, tint_look


@dataclass
class PosterInfo:
    title: str
    size: str
    panels: list[str] = field(default_factory=list)  # panel titles, in order
    clusters: list[str] = field(default_factory=list)  # cluster ids, in order
    glyphs: int = 0
    empty: list[str] = field(default_factory=list)  # clusters with a "no city" panel
    legend_labels: list[str] = field(default_factory=list)
    scale_m_per_pt: float = 0.0  # of the one scale bar, stated for every panel


def build_poster(policy: Policy, *, lang: str = "zh", basis: str = "explicit", size: str = POSTER_SIZE,
                 dpi: int = 100, data: StaticData | None = None, made: _dt.date | None = None,
                 approval: str | None = None):
    """(Figure, PosterInfo). The footer credits `data`'s boundaries; `approval`: their map
    approval number (审图号), only for a user's boundaries (as views.scene.build_scene rules)."""
    check_choice("lang", lang, LANGS)
    check_choice("basis", basis, BASES)
    page = check_size(size)
    data = data or StaticData.load()
    rows = rows_for(policy)
    base = build_scene(policy, rows, ViewState(clusters=tuple(policy.clusters), coverage=False, zoning=False,
                                               basis=basis, lang=lang),
                       boundaries=data.source, approval=approval)
    with fonts.using(policy_text(policy)):
        fig = new_figure(page, dpi)
        info = _draw(fig, policy, rows, base, page, data, lang, basis, made or _today())
    return fig, info


def _draw(fig, policy, rows, base, page, data, lang, basis, made) -> PosterInfo:
    x0, y0, x1, y1 = data.bounds
    lay = make_layout(page, (x1 - x0) / (y1 - y0), 1.0, inset=False)
    nf = foot_line_count(fig, page.width, lay.type, lay.margin, base.source, base.print_note, lang, made)
    lay = make_layout(page, (x1 - x0) / (y1 - y0), 1.0, inset=False, foot_lines=nf)
    if page.portrait:
        # Portrait: the panels take the page, the legend and key map share a strip under them.
        bx, by, bw, bh = lay.map_rect[0], lay.legend_rect[1], lay.map_rect[2], lay.map_rect[1] + lay.map_rect[3] - \
            lay.legend_rect[1]
        strip = 0.2 * bh + _scale_strip_height(lay.type) + 0.1  # legend, key map; the scale under them
        lay = dataclasses.replace(lay, map_rect=(bx, by + strip + 0.2, bw, bh - strip - 0.2),
                                  legend_rect=(bx, by, bw, strip))
    ty = lay.type
    k = ty.legend / 7.6 * 0.8
    renderer = fig.canvas.get_renderer()
    n = len(policy.clusters)
    info = PosterInfo(title=i18n.t("poster_title", lang, n=n), size=page.name)
    groups = [(tier, [c for c in base.clusters if c.tier == tier]) for tier in ("pillar", "emerging")]
    groups = [(t, cs) for t, cs in groups if cs]
    cols = 5
    # Grid area: the map area of the page layout (the panel beside it holds the legend).
    gx, gy, gw, gh = lay.map_rect
    head = ty.legend * 1.9 / 72  # a group's heading
    n_rows = sum(ceil(len(cs) / cols) for _, cs in groups)
    ptitle = ty.note * 1.15 * (2.6 if lang == "zh" else 3.8) / 72  # two (three in English) lines of title
    pw = (gw - (cols - 1) * 0.08) / cols
    ph = (gh - len(groups) * head - n_rows * ptitle - (n_rows - 1) * 0.06) / n_rows
    ext = fit_extent(data.bounds, (0, 0, pw, ph), pad=0.02)
    y = gy + gh
    for tier, cs in groups:
        fig.text(gx / page.width, (y - head * 0.15) / page.height, i18n.t(tier, lang), fontsize=ty.legend * 1.25,
                 fontweight="bold", ha="left", va="top", color="#222222", gid=f"group-{tier}", **fonts.text_kw())
        y -= head
        for i, c in enumerate(cs):
            r, col = divmod(i, cols)
            px = gx + col * (pw + 0.08)
            top = y - r * (ph + ptitle + 0.06)
            rect = (px, top - ptitle - ph, pw, ph)
            _panel(fig, lay, rect, top, policy, rows, c, data, ext, lang, basis, ty, k, renderer, info)
        y -= ceil(len(cs) / cols) * (ph + ptitle + 0.06)

    _legend(fig, lay, base, data, lang, ty, k, info, (ext[2] - ext[0]) / (pw * 72))
    title(fig, renderer, info.title, base.subtitle, lay)
    footer(fig, lay, base.source, base.print_note, lang, made)
    return info


def _panel(fig, lay, rect, top, policy, rows, c, data, ext, lang, basis, ty, k, renderer, info):
    scene = build_scene(policy, rows, ViewState(clusters=(c.id,), coverage=False, zoning=False, basis=basis,
                                                lang=lang))
    ax = setup_axes(fig, lay.frac(rect), ext, f"panel-{c.id}", k * 0.8)
    draw_layers(ax, scene, data, k, light=True)
    W, H = lay.page.width, lay.page.height
    fs = ty.note * 1.15
    label = wrap(c.label, lang, rect[2] * 72 * 0.97, fs, renderer, fig.dpi, "bold")
    if label.count("\n") > (1 if lang == "zh" else 2):  # too long: a smaller size, never a cut
        fs *= 0.86
        label = wrap(c.label, lang, rect[2] * 72 * 0.97, fs, renderer, fig.dpi, "bold")
    fig.text(rect[0] / W, top / H, label,
             fontsize=fs, fontweight="bold", color="#222222", ha="left", va="top",
             linespacing=1.1, gid=f"panel-title-{c.id}", **fonts.text_kw())
    # The cluster's colour as a bar along the panel's top edge.
    ax.add_patch(Rectangle((0, 0.985), 1, 0.015, transform=ax.transAxes, facecolor=c.color, edgecolor="none",
                           zorder=50))
    info.panels.append(c.label)
    info.clusters.append(c.id)
    pl = Placer(ax, renderer, data, scene, k)
    size = max(ty.glyph * 0.62, 6.0)
    glyphs = scene.visible_glyphs()
    by_city: dict[str, list] = {}
    for g in glyphs:
        by_city.setdefault(g.adcode, []).append(g)
    pitch = size * 1.1 * pl.m_per_pt
    for a, gs in by_city.items():
        x, yy = data.label_xy[a]
        for j, g in enumerate(gs):
            gxx = x + (j - (len(gs) - 1) / 2) * pitch
            # no number in a panel: the panel is one cluster, named in its title
            draw_glyph(ax, dataclasses.replace(g.look, text=""), size * pl.m_per_pt, gxx, yy, size, 0,
                       gid=f"glyph-{g.cluster_id}-{g.adcode}-{g.role}")
            info.glyphs += 1
    if not c.drawn_cities:
        # The scene's own note (as in print: what the document does, no instruction).
        lines = [n.text for n in scene.notes if n.layers == (c.id,)]
        text = "\n".join(wrap(line, lang, rect[2] * 72 * 0.8, ty.note, renderer, fig.dpi) for line in lines)
        ax.text(0.5, 0.5, text, transform=ax.transAxes, fontsize=ty.note, ha="center", va="center",
                color="#333333", zorder=40, linespacing=1.25, gid=f"empty-{c.id}",
                bbox=dict(facecolor="white", edgecolor="#9a9a9a", linewidth=0.5 * k, alpha=0.92,
                          boxstyle="round,pad=0.4"), **fonts.text_kw())
        info.empty.append(c.id)


def _legend(fig, lay, base, data, lang, ty, k, info, m_per_pt: float) -> None:
    """Shared legend (tints, role shapes, basis), the panels' common scale (`m_per_pt`:
    metres per point of print in every panel) and a key map of city names."""
    renderer = fig.canvas.get_renderer()
    rect = lay.legend_rect
    fs = ty.legend
    # On a portrait page two legend columns share the strip with the key map.
    width_pt = rect[2] * 72 * (0.3 if lay.page.portrait else 1.0) - 14
    sw_w, sw_h = 22 * fs / 7.6, 12 * fs / 7.6
    rows = []

    def row(da, label):
        info.legend_labels.append(label)
        rows.append(HPacker(children=[da, TextArea(wrap(label, lang, width_pt - sw_w - 6, fs, renderer, fig.dpi),
                                                   textprops=dict(fontsize=fs, color="#222222",
                                                                  **fonts.text_kw()))],
                            align="center", pad=0, sep=5))

    # The tint in several cluster colours at once (each panel uses its own), and the
    # outline of cities reached only through a region term, where a panel draws one.
    kinds = ["explicit"] + (["region"] if any(set(c.drawn_cities) - set(c.explicit_cities)
                                              for c in base.clusters) else [])
    for basis in kinds:
        da = DrawingArea(sw_w, sw_h, 0, 0)
        da.add_artist(Rectangle((1, 1), sw_w - 2, sw_h - 2, facecolor=LAND_COLOR, edgecolor="none"))
        colours = [c.color for c in base.clusters[:4]]
        w = (sw_w - 2) / len(colours)
        for i, col in enumerate(colours):
            look = tint_look(col, basis)
            if look.fill:
                da.add_artist(Rectangle((1 + i * w, 1), w, sw_h - 2, facecolor=look.fill, alpha=look.alpha,
                                        edgecolor="none"))
            else:
                da.add_artist(Rectangle((1 + i * w + 1, 2), w - 2, sw_h - 4, facecolor="none",
                                        edgecolor=look.stroke.color, linewidth=0.9 * k,
                                        linestyle=(0, look.stroke.dash)))
        row(da, i18n.t(f"tint_{basis}", lang))
    split = None
    for sec in base.legend:
        if sec.id in ("roles", "basis"):
            if sec.id == "basis":
                split = len(rows)
            rows.append(TextArea(sec.title, textprops=dict(fontsize=fs * 1.05, fontweight="bold", color="#222222",
                                                           **fonts.text_kw())))
            for e in sec.entries:
                row(sample(e.look, sw_w, sw_h, k, ty.glyph * 0.75, ty.glyph_num), e.label)
    sep = 3 * fs / 7.6
    if lay.page.portrait and split:  # a low strip: the basis samples beside the roles
        box = HPacker(children=[VPacker(children=rows[:split], align="left", pad=0, sep=sep),
                                VPacker(children=rows[split:], align="left", pad=0, sep=sep)],
                      align="top", pad=0, sep=14)
    else:
        box = VPacker(children=rows, align="left", pad=0, sep=sep)
    anchored = AnchoredOffsetbox(loc="upper left", child=box, pad=0.5, borderpad=0, frameon=True)
    anchored.patch.set_edgecolor("#9a9a9a")
    anchored.patch.set_linewidth(0.6 * k)
    anchored.set_gid("legend")
    lax = fig.add_axes(lay.frac(rect))
    lax.set_axis_off()
    lax.add_artist(anchored)
    # Key map: where each city is, under the legend (beside it on a portrait page).
    bb = anchored.get_window_extent(renderer)
    strip_h = _scale_strip_height(ty)
    if lay.page.portrait:
        used = bb.width / fig.dpi + 0.25
        # Under the legend and the key map, across the strip.
        _scale_strip(fig, lay, (rect[0], rect[1], rect[2], strip_h), data, m_per_pt, lang, ty, k, info)
        krect = (rect[0] + used, rect[1] + strip_h + 0.1, rect[2] - used, rect[3] - strip_h - 0.1)
    else:
        used = bb.height / fig.dpi + 0.15
        _scale_strip(fig, lay, (rect[0], rect[1] + rect[3] - used - strip_h, rect[2], strip_h), data, m_per_pt,
                     lang, ty, k, info)
        used += strip_h + 0.15
        # As tall as the province needs at this width: a taller frame is mostly sea and neighbours.
        x0, y0, x1, y1 = data.bounds
        kh = min(rect[3] - used, rect[2] / ((x1 - x0) / (y1 - y0)) * (1.08 + KEY_SEA))
        krect = (rect[0], rect[1] + rect[3] - used - kh, rect[2], kh)
    if krect[3] > 1.2 and krect[2] > 2.0:
        key_map(fig, lay, krect, base, data, lang, ty, k, renderer)


KEY_SEA = 0.42  # the key map shows this much more sea (a share of Guangdong's height) for its call-out


def _scale_strip_height(ty) -> float:
    return (ty.note * 1.4 + ty.legend * 5.5) / 72


def _scale_strip(fig, lay, rect, data, m_per_pt: float, lang, ty, k, info) -> None:
    """One scale bar and one north arrow for all the panels, and the sentence saying they
    share that scale: an empty frame at the panels' scale, centred on Guangdong."""
    ax = fig.add_axes(lay.frac(rect))
    ax.set_axis_off()
    ax.set_gid("poster-scale")
    cx = (data.bounds[0] + data.bounds[2]) / 2
    cy = (data.bounds[1] + data.bounds[3]) / 2
    w, h = rect[2] * 72 * m_per_pt, rect[3] * 72 * m_per_pt
    ax.set_xlim(cx - w / 2, cx + w / 2)
    ax.set_ylim(cy - h / 2, cy + h / 2)
    none = shapely.Point(0, 0).buffer(0)  # nothing to avoid in an empty frame
    head = ty.note * 1.4 * m_per_pt
    ax.text(0, 1, i18n.t("poster_scale", lang), transform=ax.transAxes, fontsize=ty.note, ha="left", va="top",
            color="#222222", gid="poster-scale-note", **fonts.text_kw())
    taken = [("head", shapely.box(cx - w / 2, cy + h / 2 - head, cx + w / 2, cy + h / 2))]
    # Half a panel's width or so, in two segments: their numbers need the room at this scale.
    panel_m = (data.bounds[2] - data.bounds[0])
    bar = scalebar(ax, none, taken, m_per_pt, ty.note, k, prefer=(0,), gid="poster-scalebar",
                   length=(nice_length(5 * panel_m)[0], 2))
    taken.append(("scalebar", bar))
    north_arrow(ax, none, taken, data.crs, m_per_pt, ty.legend, k, lang, prefer=(1,))
    info.scale_m_per_pt = m_per_pt


def render_poster(policy: Policy, out_path: str | os.PathLike, *, fmt: str | None = None, lang: str = "zh",
                  basis: str = "explicit", size: str = POSTER_SIZE, dpi: int = 300,
                  data: StaticData | None = None, made: _dt.date | None = None,
                  svg_text: str = "embed", approval: str | None = None) -> PosterInfo:
    """Draw the poster and write it to `out_path` (PNG, SVG or PDF) atomically."""
    fmt = resolve_format(out_path, fmt)
    dpi = check_dpi(dpi)
    fig, info = build_poster(policy, lang=lang, basis=basis, size=size, dpi=dpi, data=data, made=made,
                             approval=approval)
    atomic_save(fig, Path(out_path), fmt, dpi, info.title, svg_text=svg_text)
    return info


def poster_bytes(policy: Policy, *, fmt: str = "png", lang: str = "zh", basis: str = "explicit",
                 size: str = POSTER_SIZE, dpi: int = 300, data: StaticData | None = None,
                 svg_text: str = "embed", approval: str | None = None) -> bytes:
    """The poster as bytes (for a download button)."""
    fmt = check_format(fmt)
    dpi = check_dpi(dpi)
    fig, info = build_poster(policy, lang=lang, basis=basis, size=size, dpi=dpi, data=data, approval=approval)
    return figure_bytes(fig, fmt, dpi, info.title, svg_text=svg_text)

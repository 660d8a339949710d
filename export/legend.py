"""The legend: the scene's legend sections with a real sample of every mark, then its notes.

Samples are drawn with the same sizes and styles as the map (fills, tints,
zone lines over their white casing, glyphs with their numbers, hollow dashed
glyphs). Text is wrapped only where a line may break (after Chinese
punctuation, at spaces in English), never inside a term. The legend is fitted
into its panel: smaller type first, then two columns.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict

from matplotlib.lines import Line2D
from matplotlib.markers import MarkerStyle
from matplotlib.offsetbox import AnchoredOffsetbox, DrawingArea, HPacker, TextArea, VPacker
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.text import Text
from matplotlib.transforms import Affine2D

from export import fonts
from export.labels import MARKER_SCALE, ink
from views.scene import LegendEntry, Scene
from views.style import CITY_BORDER, LAND_COLOR

TEXT_COLOR = "#222222"
NOTE_COLOR = "#555555"
_BREAK_AFTER = "，。；：、）」』”"


def tokens(text: str, lang: str) -> list[str]:
    """Pieces a line may break between: after Chinese punctuation in Chinese text, at
    spaces in English; a key number stays with the word after it."""
    if re.search(r"[\u4e00-\u9fff]", text) and lang == "zh":
        out, cur = [], ""
        for ch in text:
            cur += ch
            if ch in _BREAK_AFTER:
                out.append(cur)
                cur = ""
        return out + ([cur] if cur else [])
    out = []
    for w in text.split(" "):
        if out and re.fullmatch(r"\d+ ", out[-1]):
            out[-1] += w + " "
        else:
            out.append(w + " ")
    return out


# Shared by every export in the process (measuring CJK text is slow, and legends
# repeat), so keyed by the font too, bounded, and locked: renders run in threads.
_WIDTHS_MAX = 20000
_widths: OrderedDict[tuple, float] = OrderedDict()
_widths_lock = threading.Lock()


def text_width_pt(s: str, size: float, renderer, dpi: float, weight: str = "normal") -> float:
    """Width of `s` in points in this render's font."""
    tf = fonts.current()
    key = (s, size, weight, tf.families)
    with _widths_lock:
        if key in _widths:
            return _widths[key]
    px = renderer.get_text_width_height_descent(s, tf.props(size, weight), ismath=False)[0]
    width = px * 72 / dpi
    with _widths_lock:
        _widths[key] = width
        while len(_widths) > _WIDTHS_MAX:
            _widths.popitem(last=False)
    return width


def wrap(text: str, lang: str, width_pt: float, size: float, renderer, dpi: float, weight: str = "normal") -> str:
    def width(s):
        return text_width_pt(s.strip(), size, renderer, dpi, weight)

    lines, cur = [], ""
    for tok in tokens(text, lang):
        if cur and width(cur + tok) > width_pt:
            lines.append(cur.rstrip())
            cur = tok
        else:
            cur += tok
    if cur.strip():
        lines.append(cur.rstrip())
    return "\n".join(lines)


def marker_patch(marker: str, d: float, x: float, y: float, **kw) -> PathPatch:
    ms = MarkerStyle(marker)
    path = ms.get_path().transformed(ms.get_transform())
    ext = path.get_extents()
    unit = Affine2D().translate(-(ext.x0 + ext.x1) / 2, -(ext.y0 + ext.y1) / 2).scale(1 / max(ext.width, ext.height))
    d *= MARKER_SCALE.get(marker, 1.0)
    return PathPatch(path.transformed(unit + Affine2D().scale(d).translate(x, y)), **kw)


def sample(e: LegendEntry, w: float, h: float, k: float, glyph_pt: float, num_pt: float) -> DrawingArea:
    """A sample of the mark `e` stands for, in a w×h point box."""
    da = DrawingArea(w, h, 0, 0)
    if e.kind in ("fill", "tint"):
        if e.kind == "tint":
            da.add_artist(Rectangle((1, 1), w - 2, h - 2, facecolor=LAND_COLOR, edgecolor="none"))
        da.add_artist(Rectangle((1, 1), w - 2, h - 2, facecolor=e.color, alpha=e.alpha,
                                edgecolor="none"))
        da.add_artist(Rectangle((1, 1), w - 2, h - 2, facecolor="none", edgecolor=e.edge or CITY_BORDER,
                                linewidth=0.5 * k))
    elif e.kind == "line":
        lw = e.width * 0.55 * k
        da.add_artist(Rectangle((1, 1), w - 2, h - 2, facecolor=LAND_COLOR, edgecolor="none"))
        da.add_artist(Line2D([3, w - 3], [h / 2, h / 2], color="white", lw=lw + 1.4 * k))
        da.add_artist(Line2D([3, w - 3], [h / 2, h / 2], color=e.color, lw=lw, solid_capstyle="round",
                             dash_capstyle="round", linestyle=(0, e.dash) if e.dash else "-"))
    elif e.kind == "glyph":
        hollow = e.hollow
        edge = ink(e.color) if hollow else "#2b2b2b"
        da.add_artist(marker_patch(e.marker or "o", glyph_pt, w / 2, h / 2,
                                   facecolor="white" if hollow else e.color, edgecolor=edge,
                                   linewidth=(0.9 if hollow else 0.4) * k,
                                   linestyle=(0, (2.2, 1.3)) if hollow else "-"))
        if e.text:
            from views.style import text_color_on

            da.add_artist(Text(w / 2, h / 2, e.text, fontsize=num_pt, fontweight="bold",
                               color=edge if hollow else text_color_on(e.color), ha="center",
                               va="center_baseline", **fonts.text_kw()))
    return da


def build_legend(scene: Scene, width_pt: float, fs: float, k: float, glyph_pt: float, num_pt: float,
                 renderer, dpi: float, columns: int = 1, notes: bool = True, fig=None):
    """(offset box, labels in order): the legend at type size `fs` (`fig`: to measure
    blocks, so columns balance by their drawn height)."""
    lang = scene.lang
    sw_w, sw_h = max(18 * fs / 7.6, glyph_pt * 1.5), max(11 * fs / 7.6, glyph_pt * 1.15)
    col_w = (width_pt - 10 * (columns - 1)) / columns
    label_w = col_w - sw_w - 6
    blocks, labels = [], []
    for sec in scene.legend:
        rows = []
        if sec.title:
            rows.append(TextArea(wrap(sec.title, lang, col_w, fs * 1.05, renderer, dpi),
                                 textprops=dict(fontsize=fs * 1.05, fontweight="bold", color=TEXT_COLOR,
                                                **fonts.text_kw())))
        for e in sec.entries:
            da = sample(e, sw_w, sw_h, k, glyph_pt, num_pt)
            txt = TextArea(wrap(e.label, lang, label_w, fs, renderer, dpi),
                           textprops=dict(fontsize=fs, color=TEXT_COLOR, linespacing=1.15, **fonts.text_kw()))
            rows.append(HPacker(children=[da, txt], align="center", pad=0, sep=5))
            labels.append(e.label)
        if sec.note:
            rows.append(TextArea(wrap(sec.note, lang, col_w, fs * 0.88, renderer, dpi),
                                 textprops=dict(fontsize=fs * 0.88, color=NOTE_COLOR, linespacing=1.2,
                                                **fonts.text_kw())))
        # In two columns a long section (all 20 clusters) may continue in the next one:
        # it is packed in short runs, so the columns can be balanced.
        step = 4 if columns > 1 and len(sec.entries) > 8 else len(rows)
        for i in range(0, len(rows), step):
            blocks.append(VPacker(children=rows[i:i + step], align="left", pad=0, sep=2.6 * fs / 7.6))
    for text in [n.text for n in scene.notes] if notes else []:
        blocks.append(TextArea(wrap(text, lang, col_w, fs * 0.9, renderer, dpi),
                               textprops=dict(fontsize=fs * 0.9, color=NOTE_COLOR, linespacing=1.2,
                                              **fonts.text_kw())))
    if not blocks:
        return None, labels
    sep = 8 * fs / 7.6
    if columns == 1:
        box = VPacker(children=blocks, align="left", pad=0, sep=sep)
    else:
        if fig is not None:
            for b in blocks:
                b.set_figure(fig)
            sizes = [b.get_bbox(renderer).height + sep * dpi / 72 for b in blocks]
        else:
            sizes = [_lines(b) + 0.6 for b in blocks]
        cuts = _balanced_cuts(sizes, columns)
        cols = [blocks[i:j] for i, j in zip((0, *cuts), (*cuts, len(blocks))) if i < j]
        box = HPacker(children=[VPacker(children=c, align="left", pad=0, sep=sep) for c in cols],
                      align="top", pad=0, sep=10)
    return box, labels


def _balanced_cuts(sizes: list[float], columns: int) -> tuple[int, ...]:
    """Where to start each next column so the tallest column is as short as can be
    (blocks keep their order; exact by dynamic programming, the lists are short)."""
    n = len(sizes)
    pre = [0.0]
    for x in sizes:
        pre.append(pre[-1] + x)
    # best[c][i]: (tallest column, cuts) for the first i blocks in c columns
    best = [[(0.0, ())] + [(float("inf"), ())] * n]
    for c in range(1, min(columns, n) + 1):
        row = [(float("inf"), ())] * (n + 1)
        for i in range(1, n + 1):
            for j in range(c - 1, i):
                prev, cuts = best[c - 1][j]
                cand = max(prev, pre[i] - pre[j])
                if cand < row[i][0] - 1e-9:
                    row[i] = (cand, cuts + ((j,) if j else ()))
        best.append(row)
    return min((best[c][n] for c in range(1, min(columns, n) + 1)), key=lambda t: t[0])[1]


def _anchored(box, k: float):
    anchored = AnchoredOffsetbox(loc="upper left", child=box, pad=0.5, borderpad=0, frameon=True)
    anchored.patch.set_facecolor("white")
    anchored.patch.set_edgecolor("#9a9a9a")
    anchored.patch.set_linewidth(0.6 * k)
    anchored.set_gid("legend")
    return anchored


def _lines(box) -> float:
    """About how many text lines tall an offset box is (to balance two columns)."""
    if isinstance(box, TextArea):
        return box.get_text().count("\n") + 1
    if isinstance(box, HPacker):
        return max((_lines(c) for c in box.get_children()), default=1)
    if isinstance(box, VPacker):
        return sum(_lines(c) for c in box.get_children()) + 0.3
    return 1


def legend_height(fig, scene: Scene, width_in: float, fs: float, k: float, glyph_pt: float, num_pt: float,
                  columns: int, scale: float, notes: bool = True) -> float:
    """Height in inches of the framed legend `width_in` wide (0 when there is none)."""
    renderer = fig.canvas.get_renderer()
    box, _ = build_legend(scene, width_in * 72 - 14, fs * scale, k, glyph_pt * min(1, scale + 0.1),
                          num_pt * min(1, scale + 0.1), renderer, fig.dpi, columns, notes, fig=fig)
    if box is None:
        return 0.0
    box.set_figure(fig)
    return (box.get_bbox(renderer).height + 2 * 0.5 * fs * scale * fig.dpi / 72) / fig.dpi


def fit_legend(fig, scene: Scene, rect_in, fs: float, k: float, glyph_pt: float, num_pt: float,
               columns=(1, 2), scales=(1.0, 0.93, 0.86), notes: bool = True):
    """(columns, scale) of the largest legend that fits a `rect_in` (x, y, w, h inches) panel, or None."""
    renderer = fig.canvas.get_renderer()
    width_pt = rect_in[2] * 72 - 14
    for cols in columns:
        for scale in scales:
            box, _ = build_legend(scene, width_pt, fs * scale, k, glyph_pt * min(1, scale + 0.1),
                                  num_pt * min(1, scale + 0.1), renderer, fig.dpi, cols, notes, fig=fig)
            if box is None:
                return (1, 1.0)
            box.set_figure(fig)
            bb = box.get_bbox(renderer)
            pad = 2 * 0.5 * fs * scale * fig.dpi / 72
            if bb.height + pad <= rect_in[3] * fig.dpi and bb.width + pad <= rect_in[2] * fig.dpi:
                return (cols, scale)
    return None


def place_legend(fig, ax, scene: Scene, fs: float, k: float, glyph_pt: float, num_pt: float,
                 columns: int = 1, scale: float = 1.0, notes: bool = True):
    """The legend at the top left of `ax` (an empty panel axes): (artist, labels)."""
    renderer = fig.canvas.get_renderer()
    pos = ax.get_position()
    width_pt = pos.width * fig.get_figwidth() * 72 - 14
    box, labels = build_legend(scene, width_pt, fs * scale, k, glyph_pt * min(1, scale + 0.1),
                               num_pt * min(1, scale + 0.1), renderer, fig.dpi, columns, notes, fig=fig)
    if box is None:
        return None, labels
    anchored = _anchored(box, k)
    ax.add_artist(anchored)
    return anchored, labels


def notes_height(fig, scene: Scene, rect_in, fs: float) -> float:
    """Height in inches the scene's notes take in a `rect_in` wide block."""
    renderer = fig.canvas.get_renderer()
    n = sum(wrap(note.text, scene.lang, rect_in[2] * 72, fs, renderer, fig.dpi).count("\n") + 1
            for note in scene.notes)
    return n * fs * 1.3 * 1.2 / 72


def place_notes(fig, ax, scene: Scene, fs: float) -> None:
    """The scene's notes as a paragraph list in `ax` (the room under the map frame)."""
    renderer = fig.canvas.get_renderer()
    pos = ax.get_position()
    width_pt = pos.width * fig.get_figwidth() * 72
    texts = [wrap(n.text, scene.lang, width_pt, fs, renderer, fig.dpi) for n in scene.notes]
    if texts:
        ax.text(0, 1, "\n".join(texts), transform=ax.transAxes, fontsize=fs, color=NOTE_COLOR, ha="left", va="top",
                linespacing=1.3, gid="notes", **fonts.text_kw())

"""The legend: the scene's legend sections with a real sample of every mark, then its notes.

Samples are drawn with the same sizes and styles as the map (fills, tints,
zone lines over their white casing, glyphs with their numbers, hollow dashed
glyphs). Text is wrapped only where a line may break (after Chinese
punctuation, at spaces in English), never inside a term. The legend is fitted
into its panel: smaller type first, then two columns.
"""

from __future__ import annotations

from matplotlib.offsetbox import AnchoredOffsetbox, HPacker, TextArea, VPacker

from export import fonts
from export.layout import MIN_PT
from export.marks import sample
from export.text import wrap
from views.scene import Scene

TEXT_COLOR = "#222222"
NOTE_COLOR = "#555555"


def build_legend(scene: Scene, width_pt: float, fs: float, k: float, glyph_pt: float, num_pt: float,
                 renderer, dpi: float, columns: int = 1, notes: bool = True, fig=None):
    """(offset box, labels in order): the legend at type size `fs` (`fig`: to measure
    blocks, so columns balance by their drawn height)."""
    lang = scene.lang
    fs = max(MIN_PT, fs)  # shrinking to fit stops at the least print size
    sw_w, sw_h = max(18 * fs / 7.6, glyph_pt * 1.5), max(11 * fs / 7.6, glyph_pt * 1.15)
    col_w = (width_pt - 10 * (columns - 1)) / columns
    label_w = col_w - sw_w - 6
    blocks, labels, samples = [], [], []
    note_fs = max(MIN_PT, fs * 0.88)
    for sec in scene.legend:
        rows = []
        # Entries of more than one group (支柱 / 新兴 clusters) go under a heading each.
        headed = len({e.group for e in sec.entries}) > 1
        heads = dict(sec.groups)
        group = None
        if sec.title:
            rows.append(TextArea(wrap(sec.title, lang, col_w, fs * 1.05, renderer, dpi),
                                 textprops=dict(fontsize=fs * 1.05, fontweight="bold", color=TEXT_COLOR,
                                                **fonts.text_kw())))
        for e in sec.entries:
            if headed and e.group != group:
                group = e.group
                rows.append(TextArea(wrap(heads.get(group, group), lang, col_w, fs, renderer, dpi),
                                     textprops=dict(fontsize=fs, fontweight="bold", color=NOTE_COLOR,
                                                    **fonts.text_kw())))
            da = sample(e.look, sw_w, sw_h, k, glyph_pt, num_pt)
            samples.append((e, da))
            txt = TextArea(wrap(e.label, lang, label_w, fs, renderer, dpi),
                           textprops=dict(fontsize=fs, color=TEXT_COLOR, linespacing=1.15, **fonts.text_kw()))
            rows.append(HPacker(children=[da, txt], align="center", pad=0, sep=5))
            labels.append(e.label)
        if sec.note:
            rows.append(TextArea(wrap(sec.note, lang, col_w, note_fs, renderer, dpi),
                                 textprops=dict(fontsize=note_fs, color=NOTE_COLOR, linespacing=1.2,
                                                **fonts.text_kw())))
        # In two columns a long section (all 20 clusters) may continue in the next one:
        # it is packed in short runs, so the columns can be balanced.
        step = 4 if columns > 1 and len(sec.entries) > 8 else len(rows)
        for i in range(0, len(rows), step):
            blocks.append(VPacker(children=rows[i:i + step], align="left", pad=0, sep=2.6 * fs / 7.6))
    for text in [n.text for n in scene.notes] if notes else []:
        blocks.append(TextArea(wrap(text, lang, col_w, note_fs, renderer, dpi),
                               textprops=dict(fontsize=note_fs, color=NOTE_COLOR, linespacing=1.2,
                                              **fonts.text_kw())))
    if not blocks:
        return None, labels
    sep = 8 * fs / 7.6
    labels = _Labels(labels)
    labels.samples = samples
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


class _Labels(list):
    """The legend's labels in order, carrying `samples`: (entry, its drawn sample) pairs,
    so a test can find each sample on the page."""

    samples: list


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

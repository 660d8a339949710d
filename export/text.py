"""Text on a page: where a line may break, how wide a string is in the page's font, wrapping.

One module for the map, the legend, the poster and the matrix, so a line breaks
by the same rule everywhere: after Chinese punctuation in Chinese text, at
spaces in English, never inside a term, a key number kept with its word.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict

from export import fonts

_BREAK_AFTER = "，。；：、）」』”"
_GLOSS = re.compile(r"\S+ \([^()]*[\u3000-\u9fff][^()]*\)")


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
    # A Chinese original glossed in brackets stays whole and with the word before it:
    # "Opinions (中共广东省委 广东省人民政府…)" never breaks inside or before the bracket.
    glued = _GLOSS.sub(lambda m: m.group(0).replace(" ", "\0"), text)
    out = []
    for w in (w.replace("\0", " ") for w in glued.split(" ")):
        if out and re.fullmatch(r"\d+ ", out[-1]):
            out[-1] += w + " "
        else:
            out.append(w + " ")
    return out


# Shared by every export in the process (measuring CJK text is slow, and legends
# repeat), so keyed by the font too, bounded, and locked: renders run in threads.
# Keyed by the renderer and dpi as well: a width measured with hinting at one dpi is not
# the width at another, and reusing it made a page's line breaks depend on which export
# the process happened to make before.
_WIDTHS_MAX = 20000
_widths: OrderedDict[tuple, float] = OrderedDict()
_widths_lock = threading.Lock()


def text_width_pt(s: str, size: float, renderer, dpi: float, weight: str = "normal") -> float:
    """Width of `s` in points in this render's font."""
    tf = fonts.current()
    key = (s, size, weight, tf.families, type(renderer).__name__, round(dpi, 3))
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




def two_lines(text: str, lang: str) -> str:
    """`text` on two lines of about equal length, broken where `tokens` allows (in
    Chinese text with no break point, at the middle)."""
    toks = tokens(text, lang)
    if len(toks) < 2:
        half = (len(text) + 1) // 2
        return text[:half] + "\n" + text[half:]
    total = sum(len(t) for t in toks)
    run, cut = 0, 1
    for i, tok in enumerate(toks[:-1], start=1):
        run += len(tok)
        if abs(run - total / 2) < abs(sum(len(t) for t in toks[:cut]) - total / 2):
            cut = i
    return "".join(toks[:cut]).rstrip() + "\n" + "".join(toks[cut:]).strip()

"""Reading an AppTest run as a reader sees the page."""

from __future__ import annotations

import html
import re

_CAPTION = re.compile(r'<p class="gd-caption">(.*?)</p>', re.S)


def captions(at) -> list[str]:
    """Every caption's text, in page order: Streamlit's own and the plain-text ones of
    `ui.text.caption` (st.html elements, unescaped here)."""
    out = []
    for el in _walk(at._tree):
        kind = getattr(el, "type", None)
        if kind == "caption":
            out.append(el.value)
        elif kind == "html":
            out += [html.unescape(m) for m in _CAPTION.findall(el.proto.body)]
    return out


def _walk(node):
    for child in getattr(node, "children", {}).values():
        yield child
        yield from _walk(child)

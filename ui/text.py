"""Text from data (names, clauses, file names) in Streamlit, shown as written.

Streamlit reads Markdown in labels and captions: an image `![t](https://…)` makes every
visitor's browser fetch an outside host, `$…$` becomes KaTeX, `:material/…:` an icon and a
URL a link. Captions of data therefore go out as escaped HTML (`caption`), never Markdown.
A widget label can only be Markdown, so `md_plain` escapes every character Markdown gives
a meaning to; links and icons are found by Streamlit in the text *after* escapes are
undone, so `://`, `www.` and `:name/` also get an invisible word joiner (U+2060), which
keeps the label reading as written while no pattern matches.
"""

from __future__ import annotations

import re
from html import escape

import streamlit as st

WORD_JOINER = "\u2060"
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|$<>~:&\"'=^])")
_AUTO = re.compile(r"(?<=:)(?=//)|(?<=www)(?=\.)|(?<=:)(?=[a-z_]+/)", re.IGNORECASE)


def md_plain(text) -> str:
    """`text` as Markdown that renders as the same characters (plus invisible joiners)."""
    return _MD_SPECIAL.sub(r"\\\1", _AUTO.sub(WORD_JOINER, str(text)))


def caption(text, where=st) -> None:
    """A caption (small grey line) whose text is shown exactly as written."""
    where.html(f'<p class="gd-caption">{escape(str(text))}</p>')


# Caption look for `caption` (Streamlit's own caption style); white space kept as written.
CAPTION_CSS = (".gd-caption { font-size: .875rem; color: rgba(49, 51, 63, .6); margin: 0 0 .25rem; "
               "white-space: pre-wrap; overflow-wrap: anywhere; }")

"""The policy document's text and the rule for matching quotes against it."""

from __future__ import annotations

import re
from pathlib import Path

_WHITESPACE = re.compile(r"\s+")


def normalize(text: str) -> str:
    # The text was extracted from a PDF: lines break mid-sentence and some start
    # with a stray space, so quotes are compared with all whitespace removed.
    return _WHITESPACE.sub("", text)


def find_quote(document: str, quote: str) -> int:
    """Offset of `quote` in the whitespace-free `document`, or -1."""
    return normalize(document).find(normalize(quote))


def read_document(path: Path) -> str:
    return path.read_text(encoding="utf-8")

"""The map approval number (审图号) a user types: checked as user text, kept as data.

A 审图号 is printed in a map's footer in place of the schematic-map note, so it is
text the user puts on a published map: one line, bounded, no control or
bidirectional character (a newline would break the footer, a bidi control could
make it read as another number). It is never a template or Markdown: the footer
draws it as plain text. The rule that it needs the user's own boundaries is the
scene's (views.scene.build_scene); this module only judges the text.
"""

from __future__ import annotations

import re
import unicodedata

from ingest.caps import APPROVAL_MAX_CHARS
from ingest.messages import Msg, Seq
from ingest.text import BIDI_CONTROLS, show

# A user who copies the whole line from the approval ("审图号：GS(2024)1234号") would
# otherwise print the label twice.
# A national and a Guangdong number, joined as each language joins a choice.
EXAMPLES = Seq(("GS(2024)1234号", "粤S(2024)123号"), "or")
_LABEL = re.compile(r"^\s*(审图号|審圖號)\s*[:：]?\s*")


def _forbidden(ch: str) -> bool:
    # Cc: C0/C1 controls (newline and tab included: the number is one line); Cf: format
    # characters (bidi controls, zero-width joiners that hide inside a number); Zl/Zp:
    # line and paragraph separators; Cs: lone surrogates.
    return ch in BIDI_CONTROLS or unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Cs")


def check_approval(text: str | None) -> tuple[str | None, Msg | None]:
    """(the number to print, None), or (None, why it is refused); (None, None) for None,
    no number asked for. Blank text given as a number is refused."""
    if text is None:
        return None, None
    text = str(text)
    for i, ch in enumerate(text):
        if _forbidden(ch):
            return None, Msg("approval.control", value=show(text), code=ord(ch), pos=i + 1,
                             max=APPROVAL_MAX_CHARS, examples=EXAMPLES)
    number = _LABEL.sub("", text).strip()
    if not number:
        return None, Msg("approval.empty", value=show(text), examples=EXAMPLES)
    if len(number) > APPROVAL_MAX_CHARS:
        return None, Msg("approval.long", value=show(text), n=len(number), max=APPROVAL_MAX_CHARS,
                         examples=EXAMPLES)
    return number, None

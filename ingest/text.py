"""Text from untrusted files: decoding, checks, shortening, spreadsheet formulas."""

from __future__ import annotations

import os
import re
import unicodedata

from ingest.caps import SHOW_CHARS
from ingest.messages import Msg

# Bidirectional controls let displayed text lie about its own order (an
# "exe.txt" that reads "txt.exe"): refused in every text field.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
# OWASP CSV injection: a cell starting with one of these is evaluated by Excel,
# LibreOffice and WPS; a leading ' makes it text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_HIDDEN = re.compile("[\x00-\x1f\x7f-\x9f" + "".join(sorted(BIDI_CONTROLS)) + "]")


# Byte-order marks, longest first: UTF-32-LE's begins with UTF-16-LE's.
_BOMS = ((b"\x00\x00\xfe\xff", "utf-32-be", "UTF-32"), (b"\xff\xfe\x00\x00", "utf-32-le", "UTF-32"),
         (b"\xfe\xff", "utf-16-be", "UTF-16"), (b"\xff\xfe", "utf-16-le", "UTF-16"))


def decode(data: bytes) -> tuple[str | None, Msg]:
    """(text, note) or (None, problem): UTF-8 (with or without BOM), UTF-16 or UTF-32
    (with a BOM, or without one, told by where the zero bytes fall), else GB18030
    (the superset of GBK that Excel writes on Chinese Windows)."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), Msg("text.read_utf8_bom")
        except UnicodeDecodeError as exc:
            return None, Msg("text.bad_utf8_bom", byte=data[3 + exc.start], offset=3 + exc.start)
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(codec), Msg("text.read_wide", encoding=name)
            except UnicodeDecodeError:
                return None, Msg("text.bad_wide", encoding=name)
    wide = _wide_without_bom(data)
    if wide is not None:
        return wide
    try:
        return data.decode("utf-8"), Msg("text.read_utf8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), Msg("text.read_gb18030")
    except UnicodeDecodeError as exc:
        return None, Msg("text.undecodable", byte=data[exc.start], offset=exc.start)


def _wide_without_bom(data: bytes) -> tuple[str, Msg] | None:
    """UTF-32 or UTF-16 text saved without a byte-order mark, or None.

    UTF-8 and GB18030 text has no zero bytes; wide text of ASCII-heavy CSV (the
    header, ids, commas) has many, in fixed places: every code unit of a
    character below U+0100 holds zeros. UTF-32 is accepted only if the whole
    file decodes strictly (any four bytes of other text exceed U+10FFFF), UTF-16
    only if at least a quarter of its code units have their zero byte on one
    side and almost none on the other; neither may decode to a NUL character."""
    if b"\x00" not in data:
        return None
    if len(data) % 4 == 0:
        for codec, order in (("utf-32-le", "LE"), ("utf-32-be", "BE")):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                continue
            if "\x00" not in text:
                return text, Msg("text.read_wide_nobom", encoding=f"UTF-32{order}")
    if len(data) % 2 == 0:
        units = len(data) // 2
        high_le, high_be = data[1::2].count(0), data[0::2].count(0)
        for codec, order, zeros, other in (("utf-16-le", "LE", high_le, high_be),
                                           ("utf-16-be", "BE", high_be, high_le)):
            if zeros * 4 >= units and other * 10 <= zeros:
                try:
                    text = data.decode(codec)
                except UnicodeDecodeError:
                    return None
                if "\x00" not in text:
                    return text, Msg("text.read_wide_nobom", encoding=f"UTF-16{order}")
    return None


def guess_encoding(data: bytes) -> str | None:
    """UTF-8 or GB18030 for non-ASCII bytes that carry no declaration; None if ASCII or neither."""
    if data.isascii():
        return None
    for enc, name in (("utf-8", "UTF-8"), ("gb18030", "GB18030")):
        try:
            data.decode(enc)
            return name
        except UnicodeDecodeError:
            pass
    return None


_FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff" + "".join(sorted(BIDI_CONTROLS)) + "]")


def bad_character(text: str) -> Msg | None:
    """Why `text` cannot be accepted (a control, bidi or surrogate character), or None."""
    m = _FORBIDDEN.search(text)
    if m is None:
        return None
    ch, i = m.group(), m.start()
    if ch in BIDI_CONTROLS:
        return Msg("text.bidi", code=ord(ch), pos=i + 1)
    if unicodedata.category(ch) == "Cs":
        return Msg("text.surrogate", code=ord(ch), pos=i + 1)
    return Msg("text.control", code=ord(ch), pos=i + 1)


_BIDI = re.compile("[" + "".join(sorted(BIDI_CONTROLS)) + "]")


def bidi_character(text: str) -> Msg | None:
    """Why `text` cannot be accepted when it carries a bidirectional control, or None
    (for text where other control characters are tolerated, such as GIS attributes)."""
    m = _BIDI.search(text)
    return None if m is None else Msg("text.bidi", code=ord(m.group()), pos=m.start() + 1)


def safe_str(value: object) -> str:
    try:
        return str(value)
    except ValueError:  # an integer too long for str() (sys.int_max_str_digits)
        return "<a number too long to show>"


def clip(value: object, limit: int = SHOW_CHARS) -> str:
    """A user value shortened to one visible line: controls and bidi characters
    become spaces, more than `limit` characters end in '…'."""
    text = _HIDDEN.sub(" ", safe_str(value))
    return text if len(text) <= limit else text[: max(limit - 1, 1)] + "…"


def show(value: object, limit: int = SHOW_CHARS) -> str:
    """A user value inside a message: quoted, escaped to one line (repr escapes
    controls and bidi characters), shortened."""
    text = safe_str(value)
    if len(text) > limit:
        text = text[:limit] + "…"
    return repr(text)


def show_path(path: object) -> str:
    """A path as the command line prints it: as it is, or, when it holds a control,
    bidirectional or other invisible character (a newline would split the line, an
    escape sequence would drive the terminal), quoted with those characters
    escaped, as Python's repr does."""
    text = os.fspath(path) if isinstance(path, os.PathLike) else safe_str(path)
    return text if text.isprintable() else repr(text)


def short_number(v: float) -> str:
    """A coordinate for a message: 1e308 is not printed with 300 digits."""
    if v != v or v in (float("inf"), float("-inf")):
        return str(v)
    if abs(v) >= 1e9:
        return f"{v:.3g}"
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.4g}"


def formula_like(text: str) -> bool:
    """Whether a spreadsheet would evaluate `text` (OWASP: it starts with = + - @ tab
    or CR), or it would read as such once the loader removed a leading ' from it:
    "'=x" is guarded too, so that the guard is always undone exactly."""
    return text.lstrip("'").startswith(FORMULA_START)


def strip_formula_guard(text: str) -> str:
    """Undo the ' that `policy.spreadsheet` puts before a formula-like CSV cell, so
    that an exported file loads back unchanged."""
    if text.startswith("'") and formula_like(text[1:]):
        return text[1:]
    return text

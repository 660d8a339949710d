"""The one typeface of the static maps: Noto Sans SC, registered by file path.

The font comes from the PyPI package ``justmytype-intl-cjk`` (SIL Open Font
License), which ships Google Fonts' ``NotoSansSC[wght].ttf``: a variable
TrueType font whose glyphs cover Chinese and Latin text alike, so one family
serves both languages. Two things stand between that file and matplotlib:

* its default instance is *Thin* (wght 100), and matplotlib cannot select a
  named instance of a variable font;
* the PDF backend embeds fonts as Type 42, which needs TrueType outlines
  (the CFF-flavoured ``.otf`` builds of Noto Sans CJK do not embed validly).

So on first use the variable font is cut down to the characters a map can use
(GB 2312, Latin, punctuation and every character of the policy data) and
instantiated at Regular (400) and Bold (700) with fontTools. The two static
TrueType files are cached (see `cache_dir`) and registered with matplotlib's
font manager by path; no system font is ever looked up and nothing is
downloaded. Building takes a few seconds once per machine.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import threading
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

FAMILY = "Noto Sans SC"
SOURCE_PACKAGE = "justmytype_intl_cjk"
SOURCE_FONT = "fonts/ofl/notosanssc/NotoSansSC[wght].ttf"
WEIGHTS = {"regular": 400, "bold": 700}
RECIPE = "2"  # bump when the subset or instancing below changes

_lock = threading.Lock()
_registered: dict[str, Path] | None = None


class FontError(RuntimeError):
    """The CJK font package is missing or its font cannot be prepared."""


def source_font() -> Path:
    try:
        path = Path(str(resources.files(SOURCE_PACKAGE).joinpath(SOURCE_FONT)))
    except ModuleNotFoundError:
        raise FontError(
            f"the font package {SOURCE_PACKAGE.replace('_', '-')} is not installed; "
            "run `pip install -r requirements.txt`"
        ) from None
    if not path.is_file():
        raise FontError(f"{path}: font file missing from {SOURCE_PACKAGE}; reinstall the package")
    return path


def cache_dir() -> Path:
    """``$GD_FONT_CACHE``, else ``$XDG_CACHE_HOME/gd-clusters/fonts`` (default ``~/.cache``)."""
    if os.environ.get("GD_FONT_CACHE"):
        return Path(os.environ["GD_FONT_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "gd-clusters" / "fonts"


def _gb2312() -> set[str]:
    out = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                out.add(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return out


def _project_text() -> set[str]:
    """Every character of the labels and the policy data (names, roles, zones)."""
    chars: set[str] = set()
    try:
        from policy import load_policy
        from views.i18n import LABELS

        for pair in LABELS.values():
            chars.update("".join(pair))
        p = load_policy()
        for c in p.cities.values():
            chars.update(c.name_zh + c.full_name_zh + c.name_en)
        for z in list(p.zones.values()) + list(p.overlays.values()):
            chars.update(z.name_zh + z.name_en + z.short_zh + z.short_en)
        for cl in p.clusters.values():
            chars.update(cl.name_zh + cl.name_en)
        for r in p.role_categories.values():
            chars.update("".join(r.values()))
    except Exception:  # the font must still build if the data is broken
        pass
    return chars


def charset() -> list[int]:
    ranges = [
        (0x20, 0x7F),  # ASCII
        (0xA0, 0x180),  # Latin-1 and Latin Extended-A
        (0x2000, 0x2070),  # general punctuation
        (0x2100, 0x2200),  # letterlike symbols, number forms, arrows
        (0x2460, 0x2500),  # enclosed alphanumerics
        (0x3000, 0x3040),  # CJK symbols and punctuation
        (0xFF00, 0xFFF0),  # full-width forms
    ]
    chars = {chr(c) for lo, hi in ranges for c in range(lo, hi)}
    chars |= _gb2312() | _project_text()
    return sorted(ord(c) for c in chars if not c.isspace() or c == " ")


@lru_cache(maxsize=1)
def _base_codes() -> frozenset[int]:
    return frozenset(charset())


def _key(src: Path, codes: list[int]) -> str:
    h = hashlib.sha256()
    h.update(f"{RECIPE}|{src.stat().st_size}|".encode())
    h.update(",".join(map(str, codes)).encode())
    return h.hexdigest()[:12]


def _build(src: Path, codes: list[int], targets: dict[str, Path], rename: str | None = None) -> None:
    from fontTools import subset
    from fontTools.ttLib import TTFont
    from fontTools.varLib import instancer

    font = TTFont(src)
    opts = subset.Options()
    opts.name_IDs = ["*"]
    opts.name_languages = ["*"]
    opts.notdef_outline = True
    opts.layout_features = ["kern", "liga", "locl", "ccmp", "mark", "mkmk", "halt", "vhal"]
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=codes)
    sub.subset(font)
    buf = io.BytesIO()
    font.save(buf)
    font.close()
    for style, path in targets.items():
        buf.seek(0)
        var = TTFont(buf)
        static = instancer.instantiateVariableFont(var, {"wght": WEIGHTS[style]}, inplace=True,
                                                   updateFontNames=True)
        static = static or var
        if rename:
            _rename(static, rename)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                static.save(fh)
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def font_files() -> dict[str, Path]:
    """Paths of the static Regular and Bold fonts, building them if needed."""
    src = source_font()
    codes = charset()
    key = _key(src, codes)
    targets = {s: cache_dir() / f"NotoSansSC-{s.capitalize()}-{key}.ttf" for s in WEIGHTS}
    missing = {s: p for s, p in targets.items() if not p.is_file()}
    if missing:
        try:
            _build(src, codes, missing)
        except OSError:
            # Unwritable cache: build into the temp directory instead.
            targets = {s: Path(tempfile.gettempdir()) / "gd-clusters-fonts" / p.name for s, p in targets.items()}
            missing = {s: p for s, p in targets.items() if not p.is_file()}
            if missing:
                _build(src, codes, missing)
    return targets


def register() -> dict[str, Path]:
    """Add the fonts to matplotlib's font manager (once per process)."""
    global _registered
    with _lock:
        if _registered is None:
            from matplotlib import font_manager

            files = font_files()
            for path in files.values():
                font_manager.fontManager.addfont(str(path))
            _registered = files
        return _registered


EXTRA_FAMILY = "GD Clusters Extra"
_extra: dict[str, str] = {}  # key of an extra character set -> its registered family


def _rename(font, family: str) -> None:
    for rec in font["name"].names:
        if rec.nameID in (1, 4, 16):
            rec.string = family
        elif rec.nameID == 6:
            rec.string = family.replace(" ", "")


def extras() -> list[tuple[str, str]]:
    """(key, family) of every fallback family registered so far: a copy, since another
    thread's export may register one meanwhile."""
    with _lock:
        return list(_extra.items())


def extra_family(text: str) -> str | None:
    """A fallback family for the characters of `text` missing from the main subset
    (rare characters in a user's data), built and registered on demand; None if
    nothing is missing or the source font lacks them too."""
    base = _base_codes()
    missing = sorted({ord(c) for c in text if not c.isspace()} - base)
    if not missing:
        return None
    src = source_font()
    key = _key(src, missing)
    with _lock:
        if key in _extra:
            return _extra[key]
        from fontTools.ttLib import TTFont

        with TTFont(src, lazy=True) as font:
            cmap = font.getBestCmap()
        missing = [c for c in missing if c in cmap]
        if not missing:
            return None
        family = f"{EXTRA_FAMILY} {key}"
        paths = {s: cache_dir() / f"GDExtra-{s.capitalize()}-{key}.ttf" for s in WEIGHTS}
        todo = {s: p for s, p in paths.items() if not p.is_file()}
        if todo:
            _build(src, missing, todo, rename=family)
        from matplotlib import font_manager

        for path in paths.values():
            font_manager.fontManager.addfont(str(path))
        _extra[key] = family
        return family


@dataclass(frozen=True)
class Typeface:
    """The font of one render, given to every text artist it makes (`text_kw`) and
    to every measurement (`props`): nothing goes through matplotlib's process-wide
    rcParams, which concurrent exports in other threads would see and change."""

    families: tuple[str, ...] = (FAMILY,)

    def props(self, size: float, weight: str = "normal"):
        from matplotlib.font_manager import FontProperties

        return FontProperties(family=list(self.families), size=size, weight=weight)

    def text_kw(self) -> dict:
        # Names and titles can come from a user's file: a "$" must print as a
        # dollar sign, never start mathtext.
        return {"fontfamily": list(self.families), "parse_math": False}


def typeface(text: str = "") -> Typeface:
    """The bundled font, plus, for characters of `text` outside it, a fallback cut
    from the same source."""
    register()
    extra = extra_family(text) if text else None
    return Typeface((FAMILY, extra) if extra else (FAMILY,))


# The typeface of the render running in this thread (a context variable: each
# thread, hence each session's export, has its own value).
_current: ContextVar[Typeface | None] = ContextVar("gd_typeface", default=None)


@contextmanager
def using(text: str = ""):
    """Make the figure built inside this block use `typeface(text)`."""
    token = _current.set(typeface(text))
    try:
        yield _current.get()
    finally:
        _current.reset(token)


def current() -> Typeface:
    tf = _current.get()
    return tf if tf is not None else typeface()


def text_kw() -> dict:
    """Keyword arguments for every text artist: this render's font, no mathtext."""
    return current().text_kw()


def props(size: float, weight: str = "normal"):
    """FontProperties for measuring text in this render's font."""
    return current().props(size, weight)


def save_params(svg_text: str = "embed") -> dict:
    """The rc settings matplotlib's vector backends read while saving (they take
    no argument for them): TrueType embedded in PDF, SVG text kept as text (or
    drawn as paths), and SVG ids made from a fixed salt instead of a random one,
    so the same view gives the same file."""
    return {"svg.fonttype": "path" if svg_text == "paths" else "none", "pdf.fonttype": 42, "ps.fonttype": 42,
            "svg.hashsalt": "gd-clusters"}

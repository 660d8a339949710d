"""The export choices, defined once: formats, page sizes, resolutions, layers.

Pure Python (no matplotlib), so `cli.py --help` can list the choices without
loading the renderer. `export.batch`, `export.poster` and `cli.py` import them
from here; every check gives one line naming the bad value and what is accepted.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

FORMATS = ("png", "svg", "pdf")
DPI_CHOICES = (100, 150, 300, 600)
DEFAULT_DPI = 300
SCREEN_DPI = 100
LAYERS = ("coverage", "zoning", "cluster")
LANGS = ("zh", "en")
BASES = ("explicit", "all")


@dataclass(frozen=True)
class PageSize:
    name: str
    width: float  # inches
    height: float
    note: str

    @property
    def portrait(self) -> bool:
        return self.height > self.width


SIZES = {
    # 1600×1000 px at 100 dpi: a full-HD screen less the window chrome.
    "screen": PageSize("screen", 16.0, 10.0, "1600×1000 px at 100 dpi"),
    "a4-landscape": PageSize("a4-landscape", 297 / 25.4, 210 / 25.4, "297×210 mm"),
    "a4-portrait": PageSize("a4-portrait", 210 / 25.4, 297 / 25.4, "210×297 mm"),
    "a3-landscape": PageSize("a3-landscape", 420 / 25.4, 297 / 25.4, "420×297 mm"),
    "slide": PageSize("slide", 13.333, 7.5, "16:9, 13.333×7.5 in"),
}
DEFAULT_SIZE = "a4-landscape"
POSTER_SIZE = "a3-landscape"


class ExportError(ValueError):
    """A bad export argument (format, size, dpi, path); the message names it."""


def check_size(size: str) -> PageSize:
    if size not in SIZES:
        raise ExportError(f"size {size!r} is not accepted; choose one of: {', '.join(SIZES)}")
    return SIZES[size]


def check_dpi(dpi) -> int:
    try:
        value = int(dpi)
    except (TypeError, ValueError):
        value = None
    if value not in DPI_CHOICES or str(dpi).strip() != str(value):
        raise ExportError(f"dpi {dpi!r} is not accepted; choose one of: {', '.join(map(str, DPI_CHOICES))}")
    return value


def default_dpi(size: str) -> int:
    """100 dpi for `screen` (so it is 1600×1000 px), 300 for print and slides."""
    return SCREEN_DPI if size == "screen" else DEFAULT_DPI


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise ExportError(f"format {fmt!r} is not accepted; choose one of: {', '.join(FORMATS)}")
    return fmt


def check_choice(what: str, value: str, accepted: tuple[str, ...]) -> str:
    if value not in accepted:
        raise ExportError(f"{what} {value!r} is not accepted; choose one of: {', '.join(accepted)}")
    return value


def resolve_format(path: str | os.PathLike, fmt: str | None) -> str:
    """The format named by `fmt` or, when it is None, by the file's extension."""
    ext = Path(path).suffix.lower().lstrip(".")
    if fmt is None:
        if ext not in FORMATS:
            shown = ("." + ext) if ext else "(none)"
            raise ExportError(f"cannot tell the format from {str(path)!r}: extension {shown} "
                              f"is not one of {', '.join('.' + f for f in FORMATS)}; name the file so or pass --format")
        return ext
    check_format(fmt)
    if ext and ext != fmt:
        raise ExportError(f"format {fmt!r} conflicts with the extension .{ext} of {str(path)!r}")
    return fmt


def check_out_file(out: Path, fmt: str) -> None:
    if not out.parent.is_dir():
        raise ExportError(f"--out: directory {str(out.parent)!r} does not exist")
    if out.is_dir():
        raise ExportError(f"--out {str(out)!r} is a directory; give a file name such as map.{fmt}")

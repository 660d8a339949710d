"""Writing a figure: PNG (RGB, sRGB profile, dpi set), SVG (font embedded), PDF;
the file itself is written by `export.outfile`.

SVG keeps its text as text by default, with the characters it uses embedded as
an `@font-face` subset (WOFF, base64) of the same Noto Sans SC the PNG and PDF
use: the file stays searchable and editable, and renders the same on a
machine without the font (halos line up, full-width punctuation keeps its
width). `svg_text="paths"` draws every glyph as a path instead (for tools that
ignore `@font-face`); `svg_text="plain"` keeps the old, font-dependent text.
"""

from __future__ import annotations

import base64
import html
import io
import re
import threading
from functools import lru_cache
from pathlib import Path

import matplotlib
from matplotlib.figure import Figure

from export import fonts
from export.options import ExportError
from export.outfile import write_output

SVG_TEXT = ("embed", "paths", "plain")
# matplotlib's SVG and PDF backends read how to write text (as text or paths, which
# font type to embed) from the process-wide rcParams while they save, with no
# argument for it. So vector saves take turns, each setting those keys for its
# own duration; nothing else in the project changes rcParams, and PNG output
# (the Agg canvas) reads none of them, so it runs in parallel.
_VECTOR_SAVE = threading.Lock()


def _metadata(fmt: str, title: str) -> dict:
    # No software versions or timestamps: the same view gives the same file.
    return {"svg": {"Title": title, "Date": None, "Creator": None},
            "pdf": {"Title": title, "Creator": None, "Producer": None, "CreationDate": None}}[fmt]


@lru_cache(maxsize=1)
def _srgb_profile() -> bytes:
    from PIL import ImageCms

    icc = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    # No creation date (bytes 24-35), hence no profile ID (84-99, zero = not computed):
    # the same map gives the same file on any day.
    icc[24:36] = bytes(12)
    icc[84:100] = bytes(16)
    return bytes(icc)


def png_bytes(fig: Figure, dpi: int, title: str) -> bytes:
    """RGB (the page is opaque: an alpha channel would only add bytes), with an sRGB
    ICC profile and the resolution in the pHYs chunk."""
    from PIL import Image, PngImagePlugin

    fig.set_dpi(dpi)
    fig.canvas.draw()
    rgba = fig.canvas.buffer_rgba()
    im = Image.frombuffer("RGBA", (rgba.shape[1], rgba.shape[0]), rgba, "raw", "RGBA", 0, 1).convert("RGB")
    meta = PngImagePlugin.PngInfo()
    meta.add_text("Title", title)
    buf = io.BytesIO()
    im.save(buf, format="PNG", dpi=(dpi, dpi), icc_profile=_srgb_profile(), pnginfo=meta, compress_level=6)
    return buf.getvalue()


@lru_cache(maxsize=32)
def _font_face(path: str, chars: str, family: str, weight: int) -> str:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(path)
    opts = subset.Options()
    opts.flavor = "woff"
    opts.layout_features = ["kern", "liga", "locl", "halt", "vhal"]
    opts.name_IDs = [0, 1, 2, 3, 4, 5, 6]  # keep the licence-relevant names
    sub = subset.Subsetter(opts)
    sub.populate(text=chars)
    sub.subset(font)
    buf = io.BytesIO()
    font.flavor = "woff"
    font.save(buf)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return (f"@font-face{{font-family:'{family}';font-weight:{weight};font-style:normal;"
            f"src:url(data:font/woff;base64,{data}) format('woff');}}")


def _embed_fonts(svg: str) -> str:
    texts = re.findall(r"<text\b[^>]*>(.*?)</text>", svg, flags=re.S)
    chars = "".join(sorted({ch for t in texts for ch in html.unescape(re.sub(r"<[^>]+>", "", t))} | set(" ")))
    faces = []
    for style, path in fonts.register().items():
        faces.append(_font_face(str(path), chars, fonts.FAMILY, fonts.WEIGHTS[style]))
    for key, family in fonts.extras():
        if family in svg:
            for style in fonts.WEIGHTS:
                p = fonts.cache_dir() / f"GDExtra-{style.capitalize()}-{key}.ttf"
                if p.is_file():
                    faces.append(_font_face(str(p), chars, family, fonts.WEIGHTS[style]))
    style_el = '<defs><style type="text/css">' + "".join(faces) + "</style></defs>"
    m = re.search(r"<svg\b[^>]*>", svg)
    return svg[:m.end()] + "\n" + style_el + svg[m.end():]


def _preserve_space(svg: str) -> str:
    """Repeated spaces in a text (the footer's gap before the date, a user's name) kept
    as written: without `xml:space="preserve"` an SVG viewer collapses them to one."""
    m = re.search(r"<svg\b", svg)
    return svg[:m.end()] + ' xml:space="preserve"' + svg[m.end():]


def figure_bytes(fig: Figure, fmt: str, dpi: int, title: str, *, svg_text: str = "embed") -> bytes:
    if svg_text not in SVG_TEXT:
        raise ExportError(f"svg_text {svg_text!r} is not accepted; choose one of: {', '.join(SVG_TEXT)}")
    if fmt == "png":
        return png_bytes(fig, dpi, title)
    buf = io.BytesIO()
    with _VECTOR_SAVE, matplotlib.rc_context(fonts.save_params(svg_text)):
        fig.savefig(buf, format=fmt, dpi=dpi, facecolor="white", metadata=_metadata(fmt, title))
    data = buf.getvalue()
    if fmt == "svg":
        svg = data.decode("utf-8")
        if svg_text == "embed":
            svg = _embed_fonts(svg)
        data = _preserve_space(svg).encode("utf-8")
    return data


def atomic_save(fig: Figure, out_path: Path, fmt: str, dpi: int, title: str, *, svg_text: str = "embed") -> None:
    """Render fully in memory, then write through `export.outfile` (atomically onto a
    regular file or a new path, in place into a FIFO, a device or stdout)."""
    out_path = Path(out_path)
    directory = out_path.parent if str(out_path.parent) else Path(".")
    if not directory.is_dir():
        raise ExportError(f"output directory {str(directory)!r} does not exist")
    write_output(out_path, figure_bytes(fig, fmt, dpi, title, svg_text=svg_text))

"""Static map export: the scene of a view as PNG, SVG or PDF files, and the poster.

    from export import render_map, render_bytes, render_poster, poster_bytes
    render_map(policy, state, "coverage.pdf", size="a4-landscape")

`export.render` draws a `views.scene.Scene` with matplotlib in the Guangdong
CRS; `export.poster` draws all clusters as small multiples on one page;
`export.options` holds the formats, sizes and resolutions; `export.fonts`
the bundled CJK font; `export.batch` the CLI commands. Importing this package
does not import matplotlib; the names below load it on first use.
"""

from __future__ import annotations

from export.options import DPI_CHOICES, FORMATS, LAYERS, SIZES, ExportError

__all__ = ["SIZES", "FORMATS", "DPI_CHOICES", "LAYERS", "ExportError", "StaticData", "build_figure",
           "render_bytes", "render_map", "render_poster", "poster_bytes"]

_LAZY = {"StaticData": "export.data", "build_figure": "export.render", "render_bytes": "export.render",
         "render_map": "export.render", "render_poster": "export.poster", "poster_bytes": "export.poster"}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'export' has no attribute {name!r}")

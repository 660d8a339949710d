"""Static map export: the interactive map's views as PNG, SVG or PDF files.

    from export import render_map, build_figure
    render_map(policy, state, "coverage.pdf", size="a4-landscape")

`export.render` draws a `views.state.ViewState` with matplotlib in the
Guangdong CRS; `export.fonts` provides the bundled CJK font; `export.batch`
holds the `cli.py export-map` / `export-all` commands. Importing this package
does not import matplotlib; the names below load it on first use.
"""

from __future__ import annotations

__all__ = ["SIZES", "FORMATS", "ExportError", "StaticData", "build_figure", "render_bytes", "render_map"]


def __getattr__(name: str):
    if name in __all__:
        from export import render

        return getattr(render, name)
    raise AttributeError(f"module 'export' has no attribute {name!r}")

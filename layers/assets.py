"""The map's JavaScript and CSS, from pip-installed packages, declared once.

Folium points every map at public CDNs; our users are often where those are
slow or blocked. Leaflet comes from the XStatic-Leaflet package instead and is
either served by the app (Streamlit static serving of ./static) or inlined into
a standalone HTML file.
"""

from __future__ import annotations

import base64
import filecmp
import re
import shutil
from functools import cache
from pathlib import Path

import xstatic.pkg.leaflet as xs_leaflet
from branca.element import Element

LEAFLET_DIR = Path(xs_leaflet.BASE_DIR)
LEAFLET_VERSION = xs_leaflet.VERSION
JS_FILES = ("leaflet.js",)
CSS_FILES = ("leaflet.css",)
# Where Streamlit serves them: <app>/static/vendor/leaflet -> /app/static/vendor/leaflet.
STATIC_SUBDIR = Path("static") / "vendor" / "leaflet"
# Relative to the streamlit-folium component iframe (/component/<name>/index.html),
# so the URLs survive a server.baseUrlPath.
SERVED_PREFIX = "../../app/static/vendor/leaflet"


def install_static(app_dir: Path) -> Path:
    """Copy Leaflet's files under app_dir/static for Streamlit to serve; idempotent."""
    dest = app_dir / STATIC_SUBDIR
    for rel in (*JS_FILES, *CSS_FILES, *(f"images/{p.name}" for p in (LEAFLET_DIR / "images").iterdir())):
        src, dst = LEAFLET_DIR / rel, dest / rel
        if dst.exists() and filecmp.cmp(src, dst, shallow=False):
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        tmp = dst.with_suffix(dst.suffix + ".tmp")
        shutil.copyfile(src, tmp)
        tmp.replace(dst)
    return dest


@cache
def _read(name: str) -> str:
    return (LEAFLET_DIR / name).read_text(encoding="utf-8")


def _inline_images(css: str) -> str:
    """leaflet.css points at images/*.png (the layer-control icon, markers); a
    standalone page has no images folder, so they become data: URIs."""

    def data_uri(match: re.Match) -> str:
        path = LEAFLET_DIR / "images" / match.group(1)
        if not path.is_file():
            return match.group(0)
        return f"url(data:image/png;base64,{base64.b64encode(path.read_bytes()).decode('ascii')})"

    return re.sub(r"url\(['\"]?images/([\w.-]+\.png)['\"]?\)", data_uri, css)


def use_served_assets(m) -> None:
    """Point the map's JS/CSS at the copies the app serves itself."""
    m.default_js = [(f.replace(".", "_"), f"{SERVED_PREFIX}/{f}") for f in JS_FILES]
    m.default_css = [(f.replace(".", "_"), f"{SERVED_PREFIX}/{f}") for f in CSS_FILES]


def use_inline_assets(m) -> None:
    """Inline Leaflet into the page so the HTML file works with no network at all."""
    m.default_js, m.default_css = [], []
    header = m.get_root().header
    for f in CSS_FILES:
        header.add_child(Element(f"<style>{_inline_images(_read(f))}</style>"), name=f"inline_{f}")
    for f in JS_FILES:
        # "</script" cannot occur inside an inline script element.
        code = _read(f).replace("</script", "<\\/script")
        header.add_child(Element(f"<script>{code}</script>"), name=f"inline_{f}")

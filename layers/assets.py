"""The map's JavaScript and CSS, declared once: Leaflet and the map's own script.

Folium points every map at public CDNs; our users are often where those are
slow or blocked. Leaflet comes from the XStatic-Leaflet package instead, the
map's own script and styles from layers/js/; both are either served by the app
(Streamlit static serving of ./static) or inlined into a standalone HTML file.
"""

from __future__ import annotations

import base64
import filecmp
import hashlib
import re
import shutil
from functools import cache
from pathlib import Path

import xstatic.pkg.leaflet as xs_leaflet

from layers.elements import Verbatim

LEAFLET_DIR = Path(xs_leaflet.BASE_DIR)
LEAFLET_VERSION = xs_leaflet.VERSION
JS_FILES = ("leaflet.js",)
CSS_FILES = ("leaflet.css",)
OWN_DIR = Path(__file__).resolve().parent / "js"
# The map's own scripts, in load order (gd-place.js adds to what gd.js defines).
OWN_JS, OWN_CSS = ("gd.js", "gd-place.js"), "gd.css"
# Where Streamlit serves them: <app>/static/vendor/leaflet -> /app/static/vendor/leaflet.
STATIC_SUBDIR = Path("static") / "vendor" / "leaflet"
OWN_SUBDIR = Path("static") / "vendor" / "gd"
# Relative to the streamlit-folium component iframe (/component/<name>/index.html),
# so the URLs survive a server.baseUrlPath.
SERVED_PREFIX = "../../app/static/vendor/leaflet"
OWN_PREFIX = "../../app/static/vendor/gd"


@cache
def own_version() -> str:
    """A digest of the map's own script: a new version gets a new URL, so a browser
    never runs a cached script against a newer page."""
    h = hashlib.sha256()
    for name in OWN_JS:
        h.update((OWN_DIR / name).read_bytes())
    return h.hexdigest()[:12]


def install_static(app_dir: Path) -> Path:
    """Copy Leaflet's files and the map's own under app_dir/static for Streamlit to serve;
    idempotent. Returns Leaflet's folder."""
    dest = app_dir / STATIC_SUBDIR
    files = [(LEAFLET_DIR / rel, dest / rel)
             for rel in (*JS_FILES, *CSS_FILES, *(f"images/{p.name}" for p in (LEAFLET_DIR / "images").iterdir()))]
    files += [(OWN_DIR / name, app_dir / OWN_SUBDIR / name) for name in OWN_JS]
    for src, dst in files:
        if dst.exists() and filecmp.cmp(src, dst, shallow=False):
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        tmp = dst.with_suffix(dst.suffix + ".tmp")
        shutil.copyfile(src, tmp)
        tmp.replace(dst)
    return dest


@cache
def _read(name: str, folder: Path = LEAFLET_DIR) -> str:
    return (folder / name).read_text(encoding="utf-8")


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
    m.default_js = [*((f.replace(".", "_"), f"{SERVED_PREFIX}/{f}") for f in JS_FILES),
                    *((name.replace(".", "_").replace("-", "_"), f"{OWN_PREFIX}/{name}?v={own_version()}")
                      for name in OWN_JS)]
    m.default_css = [(f.replace(".", "_"), f"{SERVED_PREFIX}/{f}") for f in CSS_FILES]
    _own_css(m)


def _own_css(m) -> None:
    # Inline in both modes: a linked sheet can arrive after the map's script has measured
    # its frame (which the sheet sizes), and the map would start at no size.
    m.get_root().header.add_child(Verbatim(f"<style>{_read(OWN_CSS, OWN_DIR)}</style>"), name="gd_css")


def use_inline_assets(m) -> None:
    """Inline Leaflet into the page so the HTML file works with no network at all."""
    m.default_js, m.default_css = [], []
    header = m.get_root().header
    for f in CSS_FILES:
        header.add_child(Verbatim(f"<style>{_inline_images(_read(f))}</style>"), name=f"inline_{f}")
    _own_css(m)
    for name, folder in ((f, LEAFLET_DIR) for f in JS_FILES):
        header.add_child(Verbatim(_script(_read(name, folder))), name=f"inline_{name}")
    for name in OWN_JS:
        header.add_child(Verbatim(_script(_read(name, OWN_DIR))), name=f"inline_{name.replace('.', '_')}")


def _script(code: str) -> str:
    # "</script" cannot occur inside an inline script element.
    return "<script>" + code.replace("</script", "<\\/script") + "</script>"

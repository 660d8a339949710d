"""The page a browser gets before any script has run, for the server `serve.py` starts.

Streamlit's index.html is an empty `<div id="root">` until ~3 MB of scripts have loaded and
the app's first run has sent its title: a first visitor looks at a white page for 1.5 s or more.
Here the same file carries the app's title and a line saying the map is loading inside that
element, in the link's language (`?lang=en`), so the page says what it is as soon as its HTML
arrives; Streamlit's scripts replace the element's content when they start, as they would an
empty one.

Streamlit has no setting for its index page, so the server is pointed at a copy of its static
folder: every file a link to the installed one, index.html rewritten. Nothing of the installed
package changes. If Streamlit's page no longer has the element, the installed folder is served
as it is (the page only loses its early title).
"""

from __future__ import annotations

import atexit
import html
import json
import os
import shutil
import tempfile
from pathlib import Path

from views.i18n import t

ROOT_DIV = '<div id="root"></div>'
TITLE_TAG = "<title>Streamlit</title>"

# Laid out like the app's first screen (ui/mapview.py PAGE_CSS: the title's place and size, the
# sidebar's width and colour), so nothing jumps when Streamlit's page takes over.
SHELL = """<div id="root"><style>
.gd-shell {{ font-family: "Source Sans", sans-serif; color: rgb(47, 45, 43); }}
.gd-shell-side {{ position: fixed; left: 0; top: 0; bottom: 0; width: 300px; background: rgb(248, 248, 247); }}
.gd-shell-main {{ padding: 35px 1.2rem 0 326px; }}
.gd-shell h1 {{ font-size: 23.2px; font-weight: 700; line-height: 1.2; margin: 0 0 .8rem; }}
.gd-shell p {{ color: #555; font-size: .95rem; margin: 0; }}
@media (max-width: 640px) {{
  .gd-shell-side {{ display: none; }}
  .gd-shell-main {{ padding: 57px .8rem 0; }}
  .gd-shell h1 {{ font-size: 18.4px; }}
}}
</style><div class="gd-shell"><div class="gd-shell-side"></div><div class="gd-shell-main">
<h1 id="gd-shell-title">{title}</h1><p id="gd-shell-note" role="status">{note}</p></div></div></div>
<script>(function () {{
  var words = {words};
  if (new URLSearchParams(location.search).get("lang") === "en") {{
    document.getElementById("gd-shell-title").textContent = words.title;
    document.getElementById("gd-shell-note").textContent = words.note;
    document.documentElement.lang = "en";
  }}
}})();</script>"""


def _json_for_script(value) -> str:
    # Inside <script>, "</" would end the element: JSON's \u escapes keep the text data.
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")


def shell_index(index_html: str) -> str | None:
    """Streamlit's index.html with the title and the loading line in it, or None when the
    page no longer has the element to put them in."""
    if index_html.count(ROOT_DIV) != 1:
        return None
    body = SHELL.format(title=html.escape(t("app_title", "zh")), note=html.escape(t("map_loading", "zh")),
                        words=_json_for_script({"title": t("app_title", "en"), "note": t("map_loading", "en")}))
    page = index_html.replace(ROOT_DIV, body).replace('<html lang="en">', '<html lang="zh-CN">', 1)
    title = html.escape(f"{t('app_title', 'zh')} · {t('app_title', 'en')}")
    return page.replace(TITLE_TAG, f"<title>{title}</title>", 1)


def static_copy(installed: Path, dest: Path) -> Path | None:
    """`dest` made a copy of the installed static folder with the shell in index.html (links,
    not copies, for everything else); None, and nothing made, when the shell does not fit."""
    page = shell_index((installed / "index.html").read_text(encoding="utf-8"))
    if page is None:
        return None
    dest.mkdir(parents=True, exist_ok=True)
    for entry in os.scandir(installed):
        if entry.name != "index.html":
            os.symlink(entry.path, dest / entry.name)
    (dest / "index.html").write_text(page, encoding="utf-8")
    return dest


def install() -> Path | None:
    """Serve the copy with the shell from now on (call before the server starts); returns its
    folder, or None when Streamlit's page is served as it is."""
    from streamlit import file_util

    installed = Path(file_util.get_static_dir())
    tmp = Path(tempfile.mkdtemp(prefix="gd-static-"))
    atexit.register(shutil.rmtree, tmp, ignore_errors=True)
    folder = static_copy(installed, tmp / "static")
    if folder is not None:
        file_util.get_static_dir = lambda: str(folder)
    return folder

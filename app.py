"""Streamlit app: Guangdong's strategic industrial clusters on one map.

Page configuration and layout only; everything else lives in `ui/` (the only
other place that imports Streamlit). Data and geometry load once per process
and are shared by all sessions; a session's uploads give it its own validated
copy. The map is rendered once per (data, language, basemap); switching
clusters, basis, tier, shading or zoning only runs a line of JavaScript in the page.

The title and, on a cold server, a placeholder for the map are drawn before the
app's modules load (ui.warmup imports only Streamlit), so a first visitor sees the
page at once; `serve.py` starts the server with its caches warming.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ui import warmup
from views.i18n import t

APP_DIR = Path(__file__).resolve().parent

st.set_page_config(page_title="广东省战略性产业集群地图 · Guangdong clusters", layout="wide")


def link_warnings(lang: str) -> None:
    """What the link asked for and could not have: a fixed sentence, the details as plain text."""
    warnings = st.session_state.get("url_warnings") or []
    if warnings:
        st.warning(t("link_ignored", lang))
        st.text("\n".join(w.text(lang) if hasattr(w, "text") else str(w) for w in warnings))


def first_lang() -> str:
    """The language of this run before the session is set up: the session's, else the link's."""
    lang = st.session_state.get("lang") or st.query_params.get("lang")
    return "en" if lang == "en" else "zh"


def main() -> None:
    st.title(t("app_title", first_lang()))
    slot = warmup.placeholder(first_lang())
    # The app's modules (data, geometry, maps) load after the title is on the page.
    from ui import resources, session
    from ui.downloads import export_panel
    from ui.mapview import PAGE_CSS, current_scene, map_tab
    from ui.panels import about_panel, comparison_panel, designations_panel
    from ui.sidebar import sidebar
    from ui.text import caption
    from ui.uploads import uploads_panel
    from views.state import PANELS

    base = resources.startup(APP_DIR)
    res, messages = resources.session_data(base)
    session.init_from_url(res)
    session.forget_unknown(res)
    session.take_map_click(res)
    session.take_map_toggles(res)
    sidebar(res)
    lang = st.session_state["lang"]
    uploads_panel(res, messages, lang)
    state = session.current_state(res)
    session.sync_url(state, res)
    scene = current_scene(state, res)
    st.html(PAGE_CSS)
    caption(f"{scene.title} · {scene.subtitle}")
    link_warnings(lang)
    # The map tab always runs (its frame stays mounted); the others only while open.
    session.show_panel(state)
    tabs = dict(zip(PANELS, st.tabs([t(f"tab_{p}", lang) for p in PANELS], key="panel", on_change="rerun")))
    with tabs["map"]:
        map_tab(state, scene, res)
    warmup.drawn(slot)
    draw = {
        "compare": lambda: comparison_panel(state, res),
        "designations": lambda: designations_panel(state, res),
        "export": lambda: export_panel(state, res),
        "about": lambda: about_panel(lang, res),
    }
    for key, fn in draw.items():
        if tabs[key].open:
            with tabs[key]:
                fn()


main()

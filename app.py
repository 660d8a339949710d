"""Streamlit app: Guangdong's strategic industrial clusters on one map.

Page configuration and layout only; everything else lives in `ui/` (the only
other place that imports Streamlit). Data and geometry load once per process
and are shared by all sessions; a session's uploads give it its own validated
copy. The map is rendered once per (data, language, basis, tier, basemap);
switching clusters only runs a line of JavaScript in the page.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ui import resources, session
from ui.downloads import export_panel
from ui.mapview import PAGE_CSS, current_scene, map_tab
from ui.panels import about_panel, comparison_panel, designations_panel
from ui.sidebar import sidebar
from ui.text import caption
from ui.uploads import uploads_panel
from views.i18n import t
from views.state import PANELS

APP_DIR = Path(__file__).resolve().parent

st.set_page_config(page_title="广东省战略性产业集群地图 · Guangdong clusters", layout="wide")


def link_warnings(lang: str) -> None:
    """What the link asked for and could not have: a fixed sentence, the details as plain text."""
    warnings = st.session_state.get("url_warnings") or []
    if warnings:
        st.warning(t("link_ignored", lang))
        st.text("\n".join(w.text(lang) if hasattr(w, "text") else str(w) for w in warnings))


def main() -> None:
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
    st.title(t("app_title", lang))
    caption(f"{scene.title} · {scene.subtitle}")
    link_warnings(lang)
    # The map tab always runs (its frame stays mounted); the others only while open.
    session.show_panel(state)
    tabs = dict(zip(PANELS, st.tabs([t(f"tab_{p}", lang) for p in PANELS], key="panel", on_change="rerun")))
    with tabs["map"]:
        map_tab(state, scene, res)
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

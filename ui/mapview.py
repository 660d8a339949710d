"""The map with what explains it: the view's title, notes beside the map, city detail."""

from __future__ import annotations

from dataclasses import astuple
from html import escape

import streamlit as st

from layers.marks import glyph_img
from ui.bridge import show_map
from ui.panels import coverage_tables
from ui.session import show_region_level
from ui.text import CAPTION_CSS, caption
from views import i18n
from views.i18n import t
from views.scene import Scene, build_scene
from views.state import ViewState

# The map's frame follows the window: the page's header and tab bar take ~170 px.
_PAGE_RULES = """
.block-container { padding: 2.2rem 1.2rem 1rem 1.6rem !important; max-width: none !important; }
h1 { font-size: 1.45rem !important; padding: 0 0 .1rem !important; }
.st-key-mapbox iframe { height: max(420px, calc(100vh - 190px)) !important; }
section[data-testid="stSidebar"] .block-container, section[data-testid="stSidebar"] > div { padding-top: .6rem; }
.st-key-checklist { gap: 0 !important; }
.st-key-checklist .stCheckbox { margin: 0; min-height: 0; }
.st-key-checklist .gd-tier { margin: 8px 0 2px; font-weight: 700; font-size: .85rem; }
section[data-testid="stSidebar"] [class*="st-key-btn_"] button { padding: 0 2px; min-height: 1.9rem; }
section[data-testid="stSidebar"] [class*="st-key-btn_"] button p { font-size: .8rem; }
.st-key-checklist label p { font-size: .86rem; line-height: 1.25; }
.st-key-checklist .stCheckbox label { min-height: 0; padding: 1px 0; }
.st-key-checklist label p::before { display: inline-block; width: 16px; height: 16px; margin-right: 5px;
  border-radius: 50%; border: 1px solid; box-sizing: border-box; font: 700 9px/14px Arial, sans-serif;
  text-align: center; }
@media (max-width: 640px) {
  .block-container { padding: 3.6rem .8rem 1rem .8rem !important; }
  h1 { font-size: 1.15rem !important; }
  /* Guangdong is about 0.75 as tall as wide (Web Mercator): on a phone the frame takes the
     province's shape, so it fills the map's height and width, plus the legend's folded bar. */
  .st-key-mapbox iframe { height: calc(.78 * (100vw - 1.6rem) + 40px) !important; }
}
.gd-detail { font-size: .88rem; line-height: 1.45; }
.gd-detail .gd-item { margin: 0 0 .55rem; }
.gd-detail .gd-chipglyph { display: inline-block; vertical-align: -3px; margin-right: 4px; }
.gd-detail .gd-meta { color: #555; }
.gd-detail blockquote { margin: .2rem 0 0; padding: .2rem .5rem; border-left: 3px solid #999; background: #f6f6f6;
  white-space: normal; overflow-wrap: anywhere; font-size: .84rem; }
"""
PAGE_CSS = f"<style>{_PAGE_RULES}{CAPTION_CSS}\n</style>"


@st.cache_resource(show_spinner=False, max_entries=256)
def scene_for(data_key: str, view: tuple, _res) -> Scene:
    """The scene of a view, once per (data, view)."""
    return build_scene(_res.policy, _res.rows, ViewState(*view))


def current_scene(state: ViewState, res) -> Scene:
    return scene_for(res.key, astuple(state.map_view()), res)


def map_tab(state: ViewState, scene: Scene, res) -> None:
    left, right = st.columns([3.3, 1.35], gap="small")
    with left:
        with st.container(key="mapbox"):
            show_map(state, res)
        caption(scene.source)
    with right:
        notes_panel(scene)
        city_panel(state, res)


def notes_panel(scene: Scene) -> None:
    for note in scene.notes:
        if note.action == "basis_all":
            box = st.container(border=True)
            box.text(note.text)
            box.button(t("show_region_level", scene.lang), key=f"fix_{hash(note.text)}", on_click=show_region_level,
                       type="primary")
    for note in scene.notes:
        if note.action is None and note.beside_map:
            caption(note.text)


def city_panel(state: ViewState, res) -> None:
    """Every designation of the city in focus, grouped by cluster, with its clause wrapped."""
    lang = state.lang
    policy = res.policy
    if not state.city:
        st.info(t("click_a_city", lang))
        return
    c = policy.cities[state.city]
    scene = scene_for(res.key, astuple(state.map_view().with_(clusters=tuple(policy.clusters))), res)
    title = f"{c.full_name_zh}" if lang == "zh" else f"{c.name_en}"
    st.markdown(f"#### {escape(title)}")
    st.caption(f"{i18n.zone_name(policy, c.zone, lang)} · {c.adcode}")
    cities = coverage_tables(res.key, state.basis, state.tier, res)[0]
    cov = cities[cities["adcode"] == state.city].iloc[0]
    m1, m2, m3 = st.columns(3)
    m1.metric(t("clusters_n", lang), int(cov["clusters"]))
    m2.metric(t("pillar_short", lang), int(cov["pillar"]))
    m3.metric(t("emerging_short", lang), int(cov["emerging"]))
    items = [(k, cl) for k, cl in scene.city_items(state.city)
             if state.tier == "all" or policy.clusters[k.id].tier == state.tier]
    if not items:
        st.caption(t("city_none", lang))
        return
    parts = []
    for k, clauses in items:
        roles = "; ".join(dict.fromkeys(f"{cl.role_label} ({cl.basis_label})" for cl in clauses))
        if lang == "zh":
            roles = roles.replace("; ", "；").replace(" (", "（").replace(")", "）")
        colon = "：" if lang == "zh" else ": "
        quotes = "".join(f"<blockquote>{escape(cl.quote)}<br><span class='gd-meta'>{escape(t('place', lang))}{colon}"
                         f"{escape(cl.place_zh)} · {escape(t('role_as_written', lang))}{colon}{escape(cl.role_zh)}"
                         f"</span></blockquote>" for cl in clauses)
        on = "" if k.id in state.clusters else f" <span class='gd-meta'>({escape(t('layer_off', lang))})</span>"
        parts.append(f"<div class='gd-item'>{glyph_img(k.chip)}<b>{escape(k.name)}</b>{on}<br>"
                     f"<span class='gd-meta'>{escape(roles)}</span>{quotes}</div>")
    with st.container(height=420, border=False):
        st.html(f"<div class='gd-detail'>{''.join(parts)}</div>")
    from ui.analysis_panel import similar_cities

    similar = similar_cities(state, res)
    if similar is not None and len(similar):
        st.markdown(f"**{escape(t('similar_cities', lang))}**")
        st.dataframe(similar, hide_index=True, width="stretch")

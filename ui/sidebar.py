"""The sidebar: language, the 20 clusters as a checklist, coverage options, city, basemap."""

from __future__ import annotations

from html import escape

import streamlit as st

from ui.session import cluster_key, keep_choices_across_language, set_clusters_spec
from ui.text import md_plain
from views import i18n
from views.i18n import t
from views.state import BASEMAPS, BASIS, LANGS, TIER
from views.style import cluster_color, glyph_look

SHORTCUTS = ("all", "none", "pillar", "emerging")


def _checklist_css(res) -> str:
    """Each checkbox carries its cluster's colour and number, as on the map (CSS on the
    widget's key class; no user text reaches the CSS: ids are checked identifiers)."""
    rules = []
    for i, cid in enumerate(res.cluster_tiers):
        chip = glyph_look(cluster_color(i), "o", str(i + 1))  # the map's key glyph, in CSS
        rules.append(
            f'.st-key-{cluster_key(cid)} label p::before {{ content: "{i + 1}"; background: {chip.fill}; '
            f"color: {chip.text_color}; border-color: {chip.edge}; }}")
    return "<style>" + "\n".join(rules) + "</style>"


def sidebar(res) -> None:
    sb = st.sidebar
    sb.radio("语言 / Language", LANGS, key="lang", horizontal=True, label_visibility="collapsed",
             format_func={"zh": "中文", "en": "English"}.__getitem__, on_change=keep_choices_across_language)
    lang = st.session_state["lang"]
    policy = res.policy
    sb.html(_checklist_css(res))
    # Four in a row fit in Chinese; the English words need two rows of two (no "Emer…").
    cols = sb.columns(4 if lang == "zh" else 2, gap="small")
    for col, spec in zip(cols * 2, SHORTCUTS):
        col.button(t(f"btn_{spec}", lang), key=f"btn_{spec}", on_click=set_clusters_spec, args=(spec, res),
                   width="stretch")
    with sb.container(key="checklist"):
        for tier in ("pillar", "emerging"):
            st.html(f'<div class="gd-tier">{escape(t(tier, lang))}</div>')
            for cid, cl in policy.clusters.items():
                if cl.tier == tier:
                    name = i18n.cluster_name(policy, cid, lang)
                    st.checkbox(md_plain(name), key=cluster_key(cid))
    sb.divider()
    sb.radio(t("basis", lang), BASIS, key="basis", format_func=lambda b: t(f"basis_{b}", lang), horizontal=True)
    sb.toggle(t("coverage_layer", lang), key="coverage")
    # The tier filters the clusters on the map as well as the shading and every count, so it
    # is never greyed out (a greyed-out tier that still filtered the panels said the opposite).
    sb.radio(t("tier", lang), TIER, key="tier", format_func=lambda v: t(f"tier_{v}", lang), horizontal=True,
             help=t("tier_help", lang))
    sb.toggle(t("zoning_layer", lang), key="zoning")
    # Picked from the list, not filtered by typing: a filter that finds nothing answers in
    # Streamlit's own English ("No results"), whatever the app's language.
    sb.selectbox(t("city", lang), [""] + list(policy.cities), key="city", filter_mode=None,
                 format_func=lambda a: t("choose_city", lang) if not a
                 else f"{i18n.city_name(policy, a, lang)} ({a})")
    sb.selectbox(t("basemap", lang), BASEMAPS, key="basemap", filter_mode=None, format_func=lambda b: t(f"basemap_{b}", lang))
    if st.session_state["basemap"] != "none":
        sb.caption(t("basemap_online", lang))

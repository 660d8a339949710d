"""The view state in a Streamlit session: from the URL on the first run, from the
widgets and the map on every run, back to the URL at the end of each run.

The open tab lives in the tabs widget (key "panel") as its label, in the language
shown; the state holds its id (views.state.PANELS). The comparison tab's widgets
(cmp_a, cmp_b, msort) run only while that tab is open and keep their values
(persist_state) while it is closed."""

from __future__ import annotations

import streamlit as st
from shapely.geometry import Point

from ui.bridge import map_report
from views.i18n import t
from views.state import LANGS, PANELS, ViewState, expand_clusters, parse_query, to_query

_PANEL_IDS = {t(f"tab_{p}", lang): p for p in PANELS for lang in LANGS}

# Widgets whose option labels follow the language. The browser sends a choice back
# as its label, so on the run after a language switch the old label matches no
# option: the choice was lost (basis, city …) or, for the upload mode, the label
# itself reached the loader. The language radio's callback runs before that run,
# while the old labels still apply, and pins every such choice to its value.
LANGUAGE_LABELLED = ("basis", "tier", "city", "basemap", "up_mode", "msort", "exp_size", "poster_size",
                     "cmp_a", "cmp_b")


def keep_choices_across_language() -> None:
    ss = st.session_state
    for key in LANGUAGE_LABELLED:
        if key in ss:
            ss[key] = ss[key]


def cluster_key(cid: str) -> str:
    return f"cl_{cid}"


def init_from_url(res) -> None:
    """Once per session: the link's view, and warnings for what it had to ignore."""
    if "view_loaded" in st.session_state:
        return
    parsed = parse_query({k: st.query_params.get_all(k) for k in st.query_params}, res.cluster_tiers, res.city_keys,
                         place_names=res.place_keys)
    s = parsed.state
    st.session_state.update(
        view_loaded=True, url_warnings=parsed.warnings, lang=s.lang, basis=s.basis, tier=s.tier,
        coverage=s.coverage, zoning=s.zoning, basemap=s.basemap, city=s.city or "",
        panel=t(f"tab_{s.panel}", s.lang), cmp_a=s.cmp_a, cmp_b=s.cmp_b, msort=s.msort,
    )
    set_clusters(s.clusters, res)


def open_panel(panel: str) -> None:
    """Switch tabs (in a callback, or before the tabs exist in a run)."""
    st.session_state["panel"] = t(f"tab_{panel}", st.session_state.get("lang", "zh"))


def show_panel(state: ViewState) -> None:
    """Before the tabs: the open tab's label in the language shown (it changes with the language)."""
    label = t(f"tab_{state.panel}", state.lang)
    if st.session_state.get("panel") != label:
        st.session_state["panel"] = label


def set_clusters(ids, res) -> None:
    on = set(ids)
    for cid in res.cluster_tiers:
        st.session_state[cluster_key(cid)] = cid in on


def set_clusters_spec(spec: str, res) -> None:
    """Callback of the all / none / pillar / emerging shortcuts."""
    set_clusters(expand_clusters(spec, res.cluster_tiers)[0], res)


def show_region_level() -> None:
    """Callback of the one-click fix for a cluster that names no city."""
    st.session_state["basis"] = "all"


def take_map_click(res) -> None:
    """A click on the map chooses the city under it (before the city widget exists)."""
    click = map_report().get("last_clicked")
    if not click or click == st.session_state.get("_last_click"):
        return
    st.session_state["_last_click"] = click
    pt = Point(click["lng"], click["lat"])
    hit = res.cities[res.cities.geometry.contains(pt)]
    if len(hit):
        st.session_state["city"] = hit.iloc[0]["adcode"]


def take_map_toggles(res) -> None:
    """Ticks in the map's layer control become the view state (before the widgets exist)."""
    tags = map_report().get("selected_tags") or []
    if not any(str(x).startswith("@") for x in tags) or tags == st.session_state.get("_last_tags"):
        return
    st.session_state["_last_tags"] = tags
    st.session_state["coverage"] = "coverage" in tags
    st.session_state["zoning"] = "zoning" in tags
    set_clusters([c for c in res.cluster_tiers if c in tags], res)


def forget_unknown(res) -> None:
    """After the data changed: a city the data does not have is no longer in focus."""
    ss = st.session_state
    if ss.get("city") and ss["city"] not in res.policy.cities:
        ss["city"] = ""
    for key, default in zip(("cmp_a", "cmp_b"), (ViewState.cmp_a, ViewState.cmp_b)):
        if ss.get(key) not in res.policy.cities and ss.get(key) not in res.policy.zones:
            ss[key] = default if default in res.policy.cities else next(iter(res.policy.cities))


def current_state(res) -> ViewState:
    ss = st.session_state
    return ViewState(
        clusters=tuple(c for c in res.cluster_tiers if ss.get(cluster_key(c))),
        basis=ss["basis"], tier=ss["tier"], coverage=ss["coverage"], zoning=ss["zoning"],
        lang=ss["lang"], basemap=ss["basemap"], city=ss["city"] or None,
        panel=_PANEL_IDS.get(ss.get("panel"), "map"), cmp_a=ss.get("cmp_a") or ViewState.cmp_a,
        cmp_b=ss.get("cmp_b") or ViewState.cmp_b, msort=ss.get("msort") or ViewState.msort,
    )


def sync_url(state: ViewState, res) -> None:
    q = to_query(state, res.cluster_tiers)
    if {k: st.query_params.get(k) for k in st.query_params} != q:
        st.query_params.from_dict(q)

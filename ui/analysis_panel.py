"""The comparison tab's analyses: the cluster × city matrix, concentration, similarity.

The figures come from `policy.analysis` (cached per data, basis and tier); this
module only lays them out. A row picked in the matrix turns that cluster on in
the map; a column picked selects the city.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from policy import analysis as an
from policy import analysis_tables as at
from ui.session import cluster_key
from views.i18n import t
from views.state import ViewState

SORTS = ("policy", "total")


@st.cache_resource(show_spinner=False, max_entries=64)
def analyses(data_key: str, basis: str, tier: str, _res):
    """Matrix, concentration and similarity, once per (data, basis, tier)."""
    m = an.designation_matrix(_res.policy, _res.rows, basis, tier)
    conc = an.concentration(_res.policy, _res.rows, _res.cities, basis, tier)
    sim = an.similarity(_res.policy, _res.rows, basis, tier)
    return m, conc, sim


def _pick_cluster(cid: str) -> None:
    st.session_state[cluster_key(cid)] = True
    st.session_state["_open_map"] = True


def matrix_section(state: ViewState, res) -> None:
    lang, policy = state.lang, res.policy
    m, _, _ = analyses(res.key, state.basis, state.tier, res)
    st.markdown(f"**{t('matrix_title', lang)}**")
    st.caption(t("matrix_help", lang))
    sort = st.segmented_control(t("matrix_sort", lang), SORTS, key="msort", default="policy",
                                format_func=lambda s: t(f"matrix_sort_{s}", lang))
    m = an.sort_matrix(m, by=sort or "policy")
    grid = at.matrix_grid(policy, m, lang)
    body = grid.drop(index="total", errors="ignore")
    event = st.dataframe(body, hide_index=True, width="stretch", height=36 + 35 * len(body), key="matrix",
                         on_select="rerun", selection_mode=["single-row", "single-column"])
    sel = getattr(event, "selection", None) or {}
    picked_rows = sel.get("rows") or []
    if picked_rows:
        cid = body.index[picked_rows[0]]
        if not st.session_state.get(cluster_key(cid)):
            _pick_cluster(cid)
            st.rerun()
    picked_cols = sel.get("columns") or []
    names = dict(zip(grid.columns[3:3 + len(m.cities)], m.cities["adcode"]))
    if picked_cols and picked_cols[0] in names and st.session_state.get("city") != names[picked_cols[0]]:
        st.session_state["city"] = names[picked_cols[0]]
        st.session_state["_open_map"] = True
        st.rerun()
    if "total" in grid.index:
        st.caption(t("matrix_totals", lang) + " " + "  ".join(
            f"{c} {v}" for c, v in grid.loc["total"].items() if c in names and v not in ("", None)))


def concentration_section(state: ViewState, res) -> None:
    lang, policy = state.lang, res.policy
    _, conc, _ = analyses(res.key, state.basis, state.tier, res)
    st.markdown(f"**{t('concentration_title', lang)}**")
    zones, index = at.concentration_tables(policy, conc, lang)
    st.dataframe(zones, hide_index=True, width="stretch")
    chart = at.concentration_chart(policy, conc, lang)
    chart = chart[chart["tier"] == (state.tier if state.tier != "all" else "all")]
    if len(chart):
        st.altair_chart(
            alt.Chart(chart).mark_bar().encode(
                y=alt.Y("zone_name:N", sort=list(dict.fromkeys(chart["zone_name"])), title=None),
                yOffset=alt.YOffset("measure_name:N", sort=list(dict.fromkeys(chart["measure_name"]))),
                x=alt.X("value:Q", axis=alt.Axis(format="%"), title=None),
                color=alt.Color("measure_name:N", sort=list(dict.fromkeys(chart["measure_name"])), title=None,
                                scale=alt.Scale(range=["#9a9a9a", "#c7b27a", "#33638d"]),
                                legend=alt.Legend(orient="bottom")),
            ).properties(height=220), width="stretch")
    st.dataframe(index, hide_index=True, width="stretch")
    st.caption(t("concentration_help", lang))


def similarity_section(state: ViewState, res) -> None:
    lang, policy = state.lang, res.policy
    _, _, sim = analyses(res.key, state.basis, state.tier, res)
    st.markdown(f"**{t('similarity_title', lang)}**")
    long = at.similarity_long(policy, sim, lang)
    order = list(dict.fromkeys(long.sort_values("order_a")["a_name"]))
    heat = alt.Chart(long).mark_rect().encode(
        x=alt.X("b_name:N", sort=order, title=None, axis=alt.Axis(labelAngle=-60)),
        y=alt.Y("a_name:N", sort=order, title=None),
        color=alt.Color("jaccard:Q", scale=alt.Scale(scheme="greys", domain=[0, 1]), title="Jaccard"),
        tooltip=[alt.Tooltip("a_name:N", title=t("city", lang)), alt.Tooltip("b_name:N", title=t("city", lang)),
                 alt.Tooltip("jaccard:Q", format=".2f")],
    ).properties(height=460)
    st.altair_chart(heat, width="stretch")
    st.caption(t("similarity_help", lang))


def similar_cities(state: ViewState, res, top: int = 3) -> pd.DataFrame | None:
    """The cities whose cluster portfolios are most like the city in focus (city detail)."""
    if not state.city:
        return None
    return _similar(res.key, state.city, top, state.basis, state.tier, state.lang, res)


@st.cache_resource(show_spinner=False, max_entries=256)
def _similar(data_key: str, city: str, top: int, basis: str, tier: str, lang: str, _res) -> pd.DataFrame:
    df = an.most_similar(_res.policy, _res.rows, city, top=top, basis=basis, tier=tier)
    return at.most_similar_table(_res.policy, df, lang)

"""The comparison tab's analyses: the cluster × city matrix, concentration, similarity.

The figures come from `policy.analysis` (cached per data, basis and tier); this
module only lays them out. A row picked in the matrix turns that cluster on in
the map; a column picked selects the city.
"""

from __future__ import annotations

from functools import partial

import altair as alt
import pandas as pd
import streamlit as st

from policy import analysis as an
from ui.session import cluster_key, open_panel
from ui.text import caption, md_plain
from views import analysis_tables as at
from views import i18n
from views.i18n import t
from views.state import MATRIX_SORTS, ViewState

SORTS = MATRIX_SORTS


@st.cache_resource(show_spinner=False, max_entries=64)
def analyses(data_key: str, basis: str, tier: str, _res):
    """Matrix, concentration and similarity, once per (data, basis, tier)."""
    m = an.designation_matrix(_res.policy, _res.rows, basis, tier)
    conc = an.concentration(_res.policy, _res.rows, _res.cities, basis, tier)
    sim = an.similarity(_res.policy, _res.rows, basis, tier)
    return m, conc, sim


def _on_pick(row_clusters: tuple[str, ...], column_cities: dict[str, str]) -> None:
    """The rows ticked are the matrix's clusters on the map (ticks in, unticks out; clusters
    of another tier stay as they are); a column picked puts its city in focus. What changed
    is said under the matrix (matrix_said); the tab stays open. A callback: it runs before
    the sidebar's widgets exist, so it may set them."""
    ss = st.session_state
    sel = ss["matrix"]["selection"]
    rows, cols = sel.get("rows") or [], sel.get("columns") or []
    on = {row_clusters[i] for i in rows if 0 <= i < len(row_clusters)}
    before = {c for c in row_clusters if ss.get(cluster_key(c))}
    said: list
    if on != before:
        for c in row_clusters:
            ss[cluster_key(c)] = c in on
        said = [("shown", [c for c in row_clusters if c in on - before]),
                ("hidden", [c for c in row_clusters if c in before - on])]
    elif cols and cols[0] in column_cities:
        ss["city"] = column_cities[cols[0]]
        said = [("city", [column_cities[cols[0]]])]
    else:
        return
    # Said for as long as the view is the one the pick made (the grid may report its
    # selection again once redrawn with the new ticks, which changes nothing).
    ss["matrix_said"] = (_picked_view(), said)


def _picked_view() -> tuple:
    ss = st.session_state
    return tuple(sorted(k for k in ss if str(k).startswith("cl_") and ss[k])), ss.get("city")


def _say_picked(state: ViewState, res) -> None:
    """What the last tick or click in the matrix did, and the way to the map."""
    kept = st.session_state.get("matrix_said")
    if not kept or kept[0] != _picked_view():
        st.session_state.pop("matrix_said", None)
        return
    said = kept[1]
    lang, policy = state.lang, res.policy
    sep = "、" if lang == "zh" else ", "
    lines = []
    for kind, ids in said:
        if ids:
            names = sep.join(i18n.city_name(policy, a, lang) if kind == "city" else i18n.cluster_name(policy, a, lang)
                             for a in ids)
            lines.append(t(f"matrix_{kind}", lang, names=names))
    box = st.container(border=True)
    for line in lines:
        box.text(line)
    box.button(t("go_to_map", lang), key="matrix_to_map", on_click=open_panel, args=("map",))


@st.cache_resource(show_spinner=False, max_entries=64)
def matrix_table(data_key: str, basis: str, tier: str, sort: str, lang: str, _res):
    """The matrix as shown, once per (data, basis, tier, order, language): the rows without the
    totals row (a row is picked to show its cluster), short tier words and each cluster's
    total before the cities, so the names and totals stay in view; the city of each city
    column; the line of per-city totals; the line naming the zones of the city columns."""
    m = an.sort_matrix(analyses(data_key, basis, tier, _res)[0], by=sort)
    grid = at.matrix_grid(_res.policy, m, lang)
    names = dict(zip(grid.columns[3:3 + len(m.cities)], m.cities["adcode"]))
    body = grid.drop(index="total", errors="ignore")
    key, cluster, tier_col, total = (at.lbl(k, lang) for k in ("key", "cluster", "tier", "total"))
    body = body[[key, cluster, tier_col, total, *names]].copy()
    body[tier_col] = [t(f"{x}_short", lang) for x in m.clusters.set_index("cluster_id").loc[body.index, "tier"]]
    # st.dataframe has no column groups: the zones of the city columns are said in a line above.
    groups: dict[str, list[str]] = {}
    for col, a in names.items():
        groups.setdefault(_res.policy.cities[a].zone, []).append(col)
    sep = "、" if lang == "zh" else ", "
    zones = t("matrix_columns", lang) + ("；" if lang == "zh" else "; ").join(
        f"{i18n.zone_name(_res.policy, z, lang)}（{sep.join(cols)}）" if lang == "zh"
        else f"{i18n.zone_name(_res.policy, z, lang)} ({sep.join(cols)})" for z, cols in groups.items())
    totals = None
    if "total" in grid.index:
        totals = t("matrix_totals", lang) + " " + "  ".join(
            f"{c} {v}" for c, v in grid.loc["total"].items() if c in names and v not in ("", None))
    return body, names, totals, zones


def matrix_section(state: ViewState, res) -> None:
    lang = state.lang
    st.markdown(f"**{t('matrix_title', lang)}**")
    st.caption(t("matrix_help", lang))
    # The order starts from the link (session.init_from_url) and is in the URL.
    st.segmented_control(t("matrix_sort", lang), SORTS, key="msort", required=True, persist_state="page",
                         format_func=lambda s: t(f"matrix_sort_{s}", lang))
    body, names, totals, zones = matrix_table(res.key, state.basis, state.tier, state.msort, lang, res)
    caption(zones)
    zh = lang == "zh"
    key, cluster, tier_col, total = body.columns[:4]
    # Narrow city columns: in Chinese all 21 nearly fit; number and name stay pinned while scrolling.
    config = {key: st.column_config.NumberColumn(width=40, pinned=True),
              cluster: st.column_config.TextColumn(width=130 if zh else 240, pinned=True),
              tier_col: st.column_config.TextColumn(width=48 if zh else 78),
              total: st.column_config.NumberColumn(width=48 if zh else 50),
              **{c: st.column_config.TextColumn(width=44 if zh else 80) for c in names}}
    # The ticks mirror the map: the rows of the clusters on it start ticked.
    ticked = [i for i, c in enumerate(body.index) if c in state.clusters]
    st.dataframe(body, hide_index=True, width="stretch", height=36 + 35 * len(body), key="matrix",
                 column_config=config, on_select=partial(_on_pick, tuple(body.index), names),
                 selection_mode=["multi-row", "single-column"],
                 selection_default={"selection": {"rows": ticked, "columns": []}})
    _say_picked(state, res)
    if totals:
        caption(totals)


def concentration_section(state: ViewState, res) -> None:
    lang, policy = state.lang, res.policy
    _, conc, _ = analyses(res.key, state.basis, state.tier, res)
    st.markdown(f"**{t('concentration_title', lang)}**")
    headline_figures(policy, conc, state)
    zones, index = at.concentration_tables(policy, conc, lang)
    st.dataframe(zones, hide_index=True, width="stretch")
    chart = at.concentration_chart(policy, conc, lang)
    chart = chart[chart["tier"] == (state.tier if state.tier != "all" else "all")]
    if len(chart):
        st.altair_chart(
            alt.Chart(chart).mark_bar().encode(
                y=alt.Y("zone_name:N", sort=list(dict.fromkeys(chart["zone_name"])), title=None,
                        axis=alt.Axis(labelLimit=260)),
                yOffset=alt.YOffset("measure_name:N", sort=list(dict.fromkeys(chart["measure_name"]))),
                x=alt.X("value:Q", axis=alt.Axis(format="%"), title=None),
                color=alt.Color("measure_name:N", sort=list(dict.fromkeys(chart["measure_name"])), title=None,
                                scale=alt.Scale(range=["#9a9a9a", "#c7b27a", "#33638d"]),
                                legend=alt.Legend(orient="bottom")),
            ).properties(height=220), width="stretch")
    st.dataframe(index, hide_index=True, width="stretch")
    st.caption(t("concentration_help", lang))


def headline_figures(policy, conc, state: ViewState) -> None:
    """One figure per zone, the one to quote: its share of the cluster–city cells, with
    what a cell is said right under the figures."""
    lang = state.lang
    zones = conc.zones[conc.zones["tier"] == state.tier]
    cols = st.columns(len(zones))
    for col, r in zip(cols, zones.itertuples(index=False)):
        name = r.zone_zh if lang == "zh" else r.zone_en
        col.metric(md_plain(t("headline_share", lang, zone=name)), f"{r.cluster_city_share:.1%}",
                   t("headline_ratio", lang, r=r.ratio_cities), delta_color="off", delta_arrow="off")
    n = int(conc.index.set_index("tier").loc[state.tier, "cluster_cities"])
    caption(t("headline_definition", lang, n=n, basis=t(f"basis_{state.basis}", lang),
              tier=t(f"tier_{state.tier}", lang)))


def similarity_section(state: ViewState, res) -> None:
    lang, policy = state.lang, res.policy
    _, _, sim = analyses(res.key, state.basis, state.tier, res)
    st.markdown(f"**{t('similarity_title', lang)}**")
    long = at.similarity_long(policy, sim, lang)
    order = list(dict.fromkeys(long.sort_values("order_a")["a_name"]))
    x = alt.X("b_name:N", sort=order, title=None, axis=alt.Axis(labelAngle=-60))
    y = alt.Y("a_name:N", sort=order, title=None, axis=alt.Axis(labelOverlap=False))
    tooltip = [alt.Tooltip("a_name:N", title=t("city", lang)), alt.Tooltip("b_name:N", title=t("city", lang)),
               alt.Tooltip("value:N", title="Jaccard")]
    base = alt.Chart(long)
    heat = base.transform_filter("isValid(datum.jaccard)").mark_rect().encode(
        x=x, y=y, tooltip=tooltip,
        color=alt.Color("jaccard:Q", scale=alt.Scale(scheme="greys", domain=[0, 1]), title="Jaccard"))
    # Undefined pairs (neither city hosts a cluster): no shade on the 0-1 scale, a dash instead.
    undefined = base.transform_filter("!isValid(datum.jaccard)")
    blank = undefined.mark_rect(color="#ffffff", stroke="#d0d0d0", strokeWidth=0.5).encode(x=x, y=y, tooltip=tooltip)
    dash = undefined.mark_text(text="—", color="#555555").encode(x=x, y=y, tooltip=tooltip)
    st.altair_chart((heat + blank + dash).properties(height=460), width="stretch")
    st.caption(t("similarity_help", lang))
    if long["jaccard"].isna().any():
        st.caption(t("similarity_undefined", lang))


def similar_cities(state: ViewState, res, top: int = 3) -> pd.DataFrame | None:
    """The cities whose cluster portfolios are most like the city in focus (city detail)."""
    if not state.city:
        return None
    return _similar(res.key, state.city, top, state.basis, state.tier, state.lang, res)


@st.cache_resource(show_spinner=False, max_entries=256)
def _similar(data_key: str, city: str, top: int, basis: str, tier: str, lang: str, _res) -> pd.DataFrame:
    df = an.most_similar(_res.policy, _res.rows, city, top=top, basis=basis, tier=tier)
    return at.most_similar_table(_res.policy, df, lang)

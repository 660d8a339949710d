"""The tabs beside the map: regional comparison, all designations, about."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ingest.cities import NameIndex
from policy.coverage import city_coverage, compare, compare_rows, select, zone_coverage
from policy.model import DOCUMENT_DATE, DOCUMENT_ID, DOCUMENT_TITLE_EN, DOCUMENT_TITLE_ZH
from views import i18n
from views.i18n import t
from views.state import ViewState, short_value

# One colour per tier in both languages; shared is neutral.
TIER_COLORS = ("#33638d", "#c96a28")
STATUS_COLORS = ("#9a9a9a", "#33638d", "#c96a28")


@st.cache_resource(show_spinner=False, max_entries=64)
def coverage_tables(data_key: str, basis: str, tier: str, _res) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-city and per-zone coverage, once per data and filter (callers do not modify them)."""
    return (city_coverage(_res.policy, _res.rows, basis, tier), zone_coverage(_res.policy, _res.rows, basis, tier))


def _names(policy, ids, lang: str) -> str:
    return ("、" if lang == "zh" else ", ").join(i18n.cluster_name(policy, c, lang) for c in ids)


def comparison_panel(state: ViewState, res) -> None:
    from ui.analysis_panel import concentration_section, matrix_section, similarity_section

    matrix_section(state, res)
    concentration_section(state, res)
    zones_and_cities(state, res)
    similarity_section(state, res)
    compare_two(state, res)


def zones_and_cities(state: ViewState, res) -> None:
    lang, policy = state.lang, res.policy
    cities, zones = coverage_tables(res.key, state.basis, state.tier, res)
    zone_names = [i18n.zone_name(policy, zid, lang) for zid in zones["zone"]]
    st.dataframe(pd.DataFrame({
        t("zone", lang): zone_names,
        t("cities_n", lang): zones["cities"],
        t("cities_covered", lang): zones["cities_covered"],
        t("clusters_n", lang): zones["clusters"],
        t("pillar_short", lang): zones["pillar"],
        t("emerging_short", lang): zones["emerging"],
        t("designations_n", lang): zones["designations"],
        t("city_designations", lang): zones["city_designations"],
        t("share", lang): (zones["share"] * 100).round(1).astype(str) + "%",
    }), hide_index=True, width="stretch")
    st.caption(t("pairs_help", lang))
    chart = pd.DataFrame({t("pillar_short", lang): list(zones["pillar"]),
                          t("emerging_short", lang): list(zones["emerging"])}, index=zone_names)
    st.bar_chart(chart, horizontal=True, height=200, color=list(TIER_COLORS), sort=False)

    st.markdown(f"**{t('cities_ranked', lang)}**")
    cov = cities.sort_values(["clusters", "designations", "adcode"], ascending=[False, False, True])
    st.dataframe(pd.DataFrame({
        t("city", lang): [i18n.city_name(policy, a, lang) for a in cov["adcode"]],
        t("zone", lang): [i18n.zone_name(policy, zid, lang) for zid in cov["zone"]],
        t("clusters_n", lang): cov["clusters"],
        t("pillar_short", lang): cov["pillar"],
        t("emerging_short", lang): cov["emerging"],
        t("designations_n", lang): cov["designations"],
        t("cluster", lang): [_names(policy, ids, lang) for ids in cov["cluster_ids"]],
    }), hide_index=True, width="stretch")


def take_typed_place(key: str, res) -> None:
    """Callback of a compare picker: a typed place becomes its adcode or zone id; what names
    no place leaves the choice as it was and is said (cmp_typed_bad)."""
    ss = st.session_state
    raw = ss.get(key)
    if raw in res.policy.cities or raw in res.policy.zones:
        ss[f"_{key}_kept"] = raw
        return
    found = NameIndex(res.place_keys).get(str(raw))
    if found is None:
        ss["cmp_typed_bad"] = raw
        found = ss.get(f"_{key}_kept") or getattr(ViewState, key)
    ss[key] = ss[f"_{key}_kept"] = found


def compare_two(state: ViewState, res) -> None:
    lang, policy = state.lang, res.policy
    st.markdown(f"**{t('compare_two', lang)}**")
    places = list(policy.zones) + list(policy.cities)

    def label(p: str) -> str:
        return i18n.zone_name(policy, p, lang) if p in policy.zones else i18n.city_name(policy, p, lang)

    def option(p: str) -> str:  # a zone also by its short name, so typing 一核 finds it
        if p not in policy.zones:
            return label(p) if p in policy.cities else str(p)
        z = policy.zones[p]
        return f"{z.short_zh} · {z.name_zh}" if lang == "zh" else f"{z.name_en} ({z.short_zh})"

    c1, c2 = st.columns(2)
    # The choices start from the link (session.init_from_url), are in the URL and outlive a closed
    # tab. Anything else typed is read as the link's a and b are read (adcodes, 廣州, guangzhou …).
    a = c1.selectbox("A", places, format_func=option, key="cmp_a", persist_state="page", accept_new_options=True,
                     on_change=take_typed_place, args=("cmp_a", res))
    b = c2.selectbox("B", places, format_func=option, key="cmp_b", persist_state="page", accept_new_options=True,
                     on_change=take_typed_place, args=("cmp_b", res))
    st.session_state["_cmp_a_kept"], st.session_state["_cmp_b_kept"] = a, b
    bad = st.session_state.pop("cmp_typed_bad", None)
    if bad is not None:
        st.warning(t("place_unknown_head", lang))
        st.text(t("place_unknown", lang, value=short_value(bad)))
    result = compare(policy, res.rows, a, b, state.basis, state.tier)
    table = compare_rows(policy, result)
    status = {k: t(f"status_{k}", lang) for k in ("shared", "only_a", "only_b")}
    m1, m2, m3 = st.columns(3)
    m1.metric(status["shared"], len(result["shared"]))
    m2.metric(f"{status['only_a']} · {label(a)}", len(result["only_a"]))
    m3.metric(f"{status['only_b']} · {label(b)}", len(result["only_b"]))
    tiers = table.set_index("cluster_id")["tier"] if len(table) else pd.Series(dtype=str)
    chart = pd.DataFrame(
        {status[k]: [sum(1 for c in result[k] if tiers.get(c) == tier) for tier in ("pillar", "emerging")]
         for k in ("shared", "only_a", "only_b")},
        index=[t("pillar_short", lang), t("emerging_short", lang)])
    st.bar_chart(chart, horizontal=True, height=160, color=list(STATUS_COLORS), sort=False)
    st.dataframe(pd.DataFrame({
        t("cluster", lang): [i18n.cluster_name(policy, c, lang) for c in table["cluster_id"]],
        t("tier", lang): [t(f"{x}_short", lang) for x in table["tier"]],
        label(a): table["in_a"].map({True: "●", False: ""}),
        label(b): table["in_b"].map({True: "●", False: ""}),
        t("status", lang): [status[s] for s in table["status"]],
    }), hide_index=True, width="stretch")


def designation_table(policy, rows: pd.DataFrame, lang: str) -> pd.DataFrame:
    roles = [i18n.role_name(policy, r, lang) for r in rows["role"]]
    return pd.DataFrame({
        t("cluster", lang): [i18n.cluster_name(policy, c, lang) for c in rows["cluster_id"]],
        t("tier", lang): [t(f"{x}_short", lang) for x in rows["tier"]],
        t("city", lang): [i18n.city_name(policy, a, lang) for a in rows["adcode"]],
        t("role", lang): roles,
        t("role_as_written", lang): rows["role_zh"],
        t("basis", lang): [t(b, lang) for b in rows["basis"]],
        t("place", lang): rows["place_zh"],
        t("quote", lang): rows["quote"],
    })


def designations_panel(state: ViewState, res) -> None:
    table = designation_table(res.policy, select(res.rows, state.basis, state.tier), state.lang)
    # As tall as the window allows (about 25 rows), not ten rows over an empty page.
    st.dataframe(table, hide_index=True, width="stretch", height=min(38 + 35 * len(table), 38 + 35 * 25),
                 column_config={t("quote", state.lang): st.column_config.TextColumn(width="large")})


def about_panel(lang: str, res) -> None:
    policy = res.policy
    st.markdown(f"**{DOCUMENT_TITLE_ZH}**（{DOCUMENT_ID}，{DOCUMENT_DATE}）  \n*{DOCUMENT_TITLE_EN}*")
    # The boundaries drawn are credited: an uploaded file by its name.
    st.text(i18n.source_line(policy, lang, boundaries=getattr(res.static, "source", None)))
    st.text(t("about_design", lang))
    sep = "、" if lang == "zh" else ", "
    st.dataframe(pd.DataFrame({
        t("region_term", lang): [r.term_zh for r in policy.regions.values()],
        t("region_english", lang): [r.name_en for r in policy.regions.values()],
        t("city", lang): [sep.join(i18n.city_name(policy, a, lang) for a in r.members)
                          for r in policy.regions.values()],
        t("definition", lang): [i18n.region_note(policy, r.id, lang) for r in policy.regions.values()],
    }), hide_index=True, width="stretch")

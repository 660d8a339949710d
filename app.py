"""Streamlit UI for the Guangdong strategic industrial clusters map.

The only module that imports Streamlit. Data and geometry load once per
process (st.cache_resource) and are shared by all sessions; a user's uploaded
files give that session its own validated copy, keyed by their content. The
base map is rendered once per (data, language, basis, tier, basemap), so a rerun
that does not change it rebuilds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st
import streamlit_folium

from geo.boundaries import BoundaryDataError, load_cities, load_context
from layers.assets import install_static
from layers.map import MapData, base_state, build_map, state_script
from policy import Policy, PolicyDataError, load_policy
from policy.coverage import city_coverage, compare, compare_rows, designation_rows, select, zone_coverage
from views import i18n
from views.i18n import t
from views.state import BASEMAPS, BASIS, LANGS, TIER, ViewState, expand_clusters, parse_query, to_query

APP_DIR = Path(__file__).resolve().parent
MAP_HEIGHT = 700

st.set_page_config(page_title="广东省战略性产业集群地图 · Guangdong clusters", layout="wide")


@dataclass(frozen=True)
class Resources:
    key: str  # "builtin", or a digest of the user's files
    policy: Policy
    rows: pd.DataFrame
    cities: object  # GeoDataFrame
    context: object  # GeoDataFrame
    map_data: MapData
    custom_boundaries: bool = False


@st.cache_resource(show_spinner=False)
def resources() -> Resources:
    install_static(APP_DIR)
    policy = load_policy()
    cities, context = load_cities(), load_context()
    return Resources("builtin", policy, designation_rows(policy), cities, context, MapData.build(cities, context))


@st.cache_resource(show_spinner=False, max_entries=16, ttl=3600)
def user_resources(des: bytes | None, des_name: str, mode: str, bnd: bytes | None, bnd_name: str):
    """Validate a session's uploads once per distinct content. Returns the data to
    use (None if a file is invalid: then nothing from it reaches the map) and
    (level, message) lines to show."""
    import hashlib

    from geo.userboundaries import load_user_boundaries
    from policy.userdata import load_designations

    base = resources()
    policy, cities, messages = base.policy, base.cities, []
    if des is not None:
        res = load_designations(des, des_name, base.policy, mode)
        messages += [("error", f"{des_name}: {p}") for p in res.problems]
        messages += [("info", f"{des_name}: {n}") for n in res.notes]
        if res.policy is None:
            return None, messages
        policy = res.policy
    if bnd is not None:
        res = load_user_boundaries(bnd, bnd_name, base.policy)
        messages += [("error", f"{bnd_name}: {p}") for p in res.problems]
        messages += [("info", f"{bnd_name}: {n}") for n in res.notes]
        if res.cities is None:
            return None, messages
        cities = res.cities
    digest = hashlib.sha256()
    for part in (des or b"", mode.encode(), bnd or b""):
        digest.update(hashlib.sha256(part).digest())
    map_data = base.map_data if bnd is None else MapData.build(cities, base.context)
    return Resources(digest.hexdigest()[:16], policy, designation_rows(policy), cities, base.context, map_data,
                     custom_boundaries=bnd is not None), messages


def session_data(base: Resources) -> tuple[Resources, list]:
    """This session's data: the built-in data, or its own validated uploads."""
    des, bnd = st.session_state.get("up_des"), st.session_state.get("up_bnd")
    if des is None and bnd is None:
        return base, []
    res, messages = user_resources(
        des.getvalue() if des else None, des.name if des else "", st.session_state.get("up_mode", "replace"),
        bnd.getvalue() if bnd else None, bnd.name if bnd else "")
    if res is None:
        messages = messages + [("warning", "文件无效，地图仍使用内置数据。 The file is invalid; "
                                           "the map keeps the built-in data.")]
        return base, messages
    return res, messages


def startup() -> Resources:
    try:
        return resources()
    except (PolicyDataError, BoundaryDataError) as exc:
        st.error("应用无法启动：内置数据文件缺失或损坏。  \n"
                 f"The app cannot start: a bundled data file is missing or damaged.\n\n{exc}")
        st.stop()


R, DATA_MESSAGES = session_data(startup())
P = R.policy
CLUSTER_TIERS = {c.id: c.tier for c in P.clusters.values()}
CITY_KEYS = {k: c.adcode for k, c in P.city_by_name.items()}


# ---- view state: URL -> widgets (first run), widgets -> URL (every run) ----

def init_from_url() -> None:
    if "view_loaded" in st.session_state:
        return
    parsed = parse_query({k: st.query_params.get_all(k) for k in st.query_params}, CLUSTER_TIERS, CITY_KEYS)
    s = parsed.state
    st.session_state.update(
        view_loaded=True, url_warnings=parsed.warnings, lang=s.lang, clusters=list(s.clusters),
        basis=s.basis, tier=s.tier, coverage=s.coverage, zoning=s.zoning, basemap=s.basemap,
        city=s.city or "",
    )


def take_map_click() -> None:
    """A click on the map chooses the city under it (before the city widget exists)."""
    ret = st.session_state.get("map") or {}
    click = ret.get("last_clicked")
    if not click or click == st.session_state.get("_last_click"):
        return
    st.session_state["_last_click"] = click
    from shapely.geometry import Point

    pt = Point(click["lng"], click["lat"])
    hit = R.cities[R.cities.geometry.contains(pt)]
    if len(hit):
        st.session_state["city"] = hit.iloc[0]["adcode"]
        st.session_state["_open_city_tab"] = True


def forget_unknown_clusters() -> None:
    """After the data changed, drop selected clusters the current data does not have."""
    if "clusters" in st.session_state:
        st.session_state["clusters"] = [c for c in st.session_state["clusters"] if c in CLUSTER_TIERS]


def set_clusters(spec: str) -> None:
    st.session_state["clusters"] = list(expand_clusters(spec, CLUSTER_TIERS)[0])


def current_state() -> ViewState:
    ss = st.session_state
    return ViewState(
        clusters=tuple(c for c in CLUSTER_TIERS if c in set(ss["clusters"])),
        basis=ss["basis"], tier=ss["tier"], coverage=ss["coverage"], zoning=ss["zoning"],
        lang=ss["lang"], basemap=ss["basemap"], city=ss["city"] or None,
    )


def sync_url(state: ViewState) -> None:
    q = to_query(state, CLUSTER_TIERS)
    if {k: st.query_params.get(k) for k in st.query_params} != q:
        st.query_params.from_dict(q)


# ---- sidebar ----

def sidebar() -> None:
    lang = st.session_state["lang"]
    sb = st.sidebar
    sb.radio("语言 / Language", LANGS, key="lang", horizontal=True,
             format_func={"zh": "中文", "en": "English"}.__getitem__)
    lang = st.session_state["lang"]
    sb.subheader(t("cluster", lang) + (" 图层" if lang == "zh" else " layers"))
    cols = sb.columns(2) * 2
    for col, spec, zh, en in zip(cols, ("all", "none", "pillar", "emerging"),
                                 ("全部", "清空", "支柱", "新兴"), ("All", "None", "Pillar", "Emerging")):
        col.button(zh if lang == "zh" else en, key=f"btn_{spec}", on_click=set_clusters, args=(spec,),
                   width="stretch")

    def cluster_label(cid: str) -> str:
        c = P.clusters[cid]
        return f"{t(c.tier + '_short', lang)} {c.number} · {i18n.cluster_name(P, cid, lang)}"

    sb.multiselect(t("cluster", lang), list(CLUSTER_TIERS), key="clusters", format_func=cluster_label,
                   label_visibility="collapsed", placeholder="选择产业集群" if lang == "zh" else "Choose clusters")
    sb.subheader("覆盖统计" if lang == "zh" else "Coverage")
    sb.radio(t("basis", lang), BASIS, key="basis", format_func=lambda b: t(f"basis_{b}", lang))
    sb.radio(t("tier", lang), TIER, key="tier", format_func=lambda v: t(f"tier_{v}", lang), horizontal=True)
    sb.toggle(t("coverage_layer", lang), key="coverage")
    sb.toggle(t("zoning_layer", lang), key="zoning")
    sb.subheader("城市" if lang == "zh" else "City")
    sb.selectbox(t("city", lang), [""] + list(P.cities), key="city", label_visibility="collapsed",
                 format_func=lambda a: ("— 选择城市 —" if lang == "zh" else "— choose a city —") if not a
                 else f"{i18n.city_name(P, a, lang)} ({a})")
    sb.subheader(t("basemap", lang))
    names = {"none": ("无（离线）", "None (offline)"), "osm": ("OpenStreetMap", "OpenStreetMap"),
             "carto": ("CartoDB Positron", "CartoDB Positron"), "gaode": ("高德地图（GCJ-02）", "Gaode (GCJ-02)")}
    sb.selectbox(t("basemap", lang), BASEMAPS, key="basemap",
                 label_visibility="collapsed", format_func=lambda b: names[b][0 if lang == "zh" else 1])
    if st.session_state["basemap"] != "none":
        sb.caption("底图瓦片需联网加载。" if lang == "zh" else "Basemap tiles need a network connection.")
    data_panel(lang)


def data_panel(lang: str) -> None:
    """Uploads: the user's own designations and/or boundaries, for this session only."""
    zh = lang == "zh"
    with st.sidebar.expander("自有数据" if zh else "Your own data", expanded=bool(DATA_MESSAGES)):
        st.file_uploader("点名表（CSV、XLSX、YAML）" if zh else "Designations (CSV, XLSX, YAML)",
                         type=["csv", "xlsx", "yaml", "yml"], key="up_des",
                         help=("格式见 data/templates/designations-template.csv" if zh else
                               "Schema: data/templates/designations-template.csv"))
        st.radio("方式" if zh else "Use it", ("replace", "beside"), key="up_mode", horizontal=True,
                 format_func=lambda m: {"replace": ("替换内置", "instead of built-in"),
                                        "beside": ("与内置并列", "beside built-in")}[m][0 if zh else 1])
        st.file_uploader("边界（GeoJSON、GeoPackage、Shapefile 压缩包）" if zh else
                         "Boundaries (GeoJSON, GeoPackage, zipped Shapefile)",
                         type=["geojson", "json", "gpkg", "zip"], key="up_bnd")
        # Messages quote the user's file (names, values): shown as plain text, never markdown.
        errors = [m for level, m in DATA_MESSAGES if level == "error"]
        if errors:
            st.error(f"{len(errors)} 个问题" if zh else f"{len(errors)} problem(s)")
            st.code("\n".join(errors), language=None, wrap_lines=True)
        for level, m in DATA_MESSAGES:
            if level == "warning":
                st.warning(m)
            elif level == "info":
                st.text(m)
        if R.key != "builtin":
            st.success(("正在使用上传的数据（仅本会话可见）。" if zh else
                        "Using your uploaded data (visible to this session only)."))


# ---- main panels ----

@dataclass(frozen=True)
class MapPayload:
    """What the streamlit-folium component needs to draw one base map: strings only,
    immutable, so one copy serves every session."""

    script: str
    header: str
    html: str
    map_id: str
    key: str
    css_links: tuple[str, ...]
    js_links: tuple[str, ...]
    defaults: dict


RETURNED = ("last_clicked", "center", "zoom", "selected_tags")


@st.cache_resource(show_spinner=False, max_entries=64)
def map_payload(base: ViewState, data_key: str, _res: Resources) -> MapPayload:
    """Render the base map once per (language, basis, tier, basemap).

    st_folium re-renders and re-serialises the whole Folium map on every rerun and
    renames the elements of the Map it is given. We do its rendering steps once
    here (same helper functions, pinned streamlit-folium version) and hand the
    strings to its component on each run."""
    sf = streamlit_folium
    m = build_map(_res.policy, _res.rows, _res.map_data, base)
    m.get_root().render()
    m.render()
    html, header = sf._get_html(m), sf._get_header(m)
    script = sf._get_map_string(m)
    return MapPayload(
        script=script, header=header, html=html, map_id=sf.get_full_id(m),
        key=sf.generate_js_hash(script, "map", False),
        css_links=tuple(dict.fromkeys(u for _, u in m.default_css)),
        js_links=tuple(dict.fromkeys(u for _, u in m.default_js)),
        defaults={k: None for k in RETURNED},
    )


def _map_changed() -> None:
    p = st.session_state.get("_payload_key")
    if p:
        st.session_state["map"] = st.session_state.get(p) or {}


def take_map_toggles() -> None:
    """Layer-control ticks in the browser become the view state (before the widgets exist)."""
    tags = (st.session_state.get("map") or {}).get("selected_tags") or []
    if not any(str(x).startswith("@") for x in tags) or tags == st.session_state.get("_last_tags"):
        return
    st.session_state["_last_tags"] = tags
    st.session_state["coverage"] = "coverage" in tags
    st.session_state["zoning"] = "zoning" in tags
    st.session_state["clusters"] = [c for c in CLUSTER_TIERS if c in tags]


def map_panel(state: ViewState) -> None:
    payload = map_payload(base_state(state), R.key, R)
    # A new base map (language, basis, tier or basemap changed) mounts afresh; it
    # starts where the user last left the previous one.
    ret = st.session_state.get("map") or {}
    mount = st.session_state.setdefault("_mount", {"key": None, "center": None, "zoom": None})
    if mount["key"] != payload.key:
        if ret.get("center") and ret.get("zoom"):
            mount.update(center=[ret["center"]["lat"], ret["center"]["lng"]], zoom=ret["zoom"])
        mount["key"] = payload.key
    st.session_state["_payload_key"] = payload.key
    streamlit_folium._component_func(
        script=payload.script, header=payload.header, html=payload.html, id=payload.map_id,
        key=payload.key, height=MAP_HEIGHT, width=None, returned_objects=list(RETURNED),
        default=payload.defaults, zoom=mount["zoom"], center=mount["center"], feature_group=None,
        return_on_hover=False,
        # Evaluated by the component whenever it changes, without re-rendering the map:
        # this is how overlays switch on and off.
        layer_control=state_script(state),
        pixelated=False, css_links=list(payload.css_links), js_links=list(payload.js_links),
        on_change=_map_changed, wrap_longitude=False,
    )


@st.cache_resource(show_spinner=False, max_entries=64)
def coverage_tables(data_key: str, basis: str, tier: str, _res: Resources) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-city and per-zone coverage, once per data and filter (callers do not modify them)."""
    return (city_coverage(_res.policy, _res.rows, basis, tier), zone_coverage(_res.policy, _res.rows, basis, tier))


def fmt_clusters(ids, lang: str) -> str:
    sep = "、" if lang == "zh" else ", "
    return sep.join(i18n.cluster_name(P, c, lang) for c in ids)


def comparison_panel(state: ViewState) -> None:
    lang = state.lang
    zones = coverage_tables(R.key, state.basis, state.tier, R)[1]
    z = pd.DataFrame({
        t("zone", lang): [i18n.zone_name(P, zid, lang) for zid in zones["zone"]],
        ("城市数" if lang == "zh" else "Cities"): zones["cities"],
        ("被点名城市" if lang == "zh" else "Cities covered"): zones["cities_covered"],
        t("clusters_n", lang): zones["clusters"],
        t("pillar_short", lang): zones["pillar"],
        t("emerging_short", lang): zones["emerging"],
        t("designations_n", lang): zones["designations"],
        ("城市点名次数" if lang == "zh" else "City designations"): zones["city_designations"],
        ("占比" if lang == "zh" else "Share"): (zones["share"] * 100).round(1).astype(str) + "%",
    })
    st.dataframe(z, hide_index=True, width="stretch")
    chart = zones.set_index(pd.Index([i18n.zone_name(P, zid, lang) for zid in zones["zone"]]))[["pillar", "emerging"]]
    chart.columns = [t("pillar_short", lang), t("emerging_short", lang)]
    st.bar_chart(chart, horizontal=True, height=200)

    st.markdown("**" + ("城市排名" if lang == "zh" else "Cities ranked") + "**")
    cov = coverage_tables(R.key, state.basis, state.tier, R)[0].sort_values(
        ["clusters", "designations", "adcode"], ascending=[False, False, True])
    ranked = pd.DataFrame({
        t("city", lang): [i18n.city_name(P, a, lang) for a in cov["adcode"]],
        t("zone", lang): [i18n.zone_name(P, zid, lang) for zid in cov["zone"]],
        t("clusters_n", lang): cov["clusters"],
        t("pillar_short", lang): cov["pillar"],
        t("emerging_short", lang): cov["emerging"],
        t("designations_n", lang): cov["designations"],
        t("cluster", lang): [fmt_clusters(ids, lang) for ids in cov["cluster_ids"]],
    })
    st.dataframe(ranked, hide_index=True, width="stretch")

    st.markdown("**" + ("两地比较" if lang == "zh" else "Compare two places") + "**")
    places = list(P.zones) + list(P.cities)

    def place_label(p: str) -> str:
        return i18n.zone_name(P, p, lang) if p in P.zones else i18n.city_name(P, p, lang)

    c1, c2 = st.columns(2)
    a = c1.selectbox("A", places, index=places.index("440100"), format_func=place_label, key="cmp_a")
    b = c2.selectbox("B", places, index=places.index("440300"), format_func=place_label, key="cmp_b")
    res = compare(P, R.rows, a, b, state.basis, state.tier)
    table = compare_rows(P, res)
    status = {"shared": ("共有", "shared"), "only_a": ("仅 A", "only A"), "only_b": ("仅 B", "only B")}
    shown = pd.DataFrame({
        t("cluster", lang): [i18n.cluster_name(P, c, lang) for c in table["cluster_id"]],
        t("tier", lang): [t(f"{x}_short", lang) for x in table["tier"]],
        place_label(a): table["in_a"].map({True: "●", False: ""}),
        place_label(b): table["in_b"].map({True: "●", False: ""}),
        ("状态" if lang == "zh" else "Status"): [status[s][0 if lang == "zh" else 1] for s in table["status"]],
    })
    m1, m2, m3 = st.columns(3)
    m1.metric(status["shared"][0 if lang == "zh" else 1], len(res["shared"]))
    m2.metric(f"{status['only_a'][0 if lang == 'zh' else 1]} · {place_label(a)}", len(res["only_a"]))
    m3.metric(f"{status['only_b'][0 if lang == 'zh' else 1]} · {place_label(b)}", len(res["only_b"]))
    # Clusters per place and tier, split into shared and unique.
    tiers = table.set_index("cluster_id")["tier"] if len(table) else pd.Series(dtype=str)
    chart = pd.DataFrame(
        {status[k][0 if lang == "zh" else 1]: [
            sum(1 for c in res[k] if tiers.get(c) == tier) for tier in ("pillar", "emerging")]
         for k in ("shared", "only_a", "only_b")},
        index=[t("pillar_short", lang), t("emerging_short", lang)])
    st.bar_chart(chart, horizontal=True, height=160)
    st.dataframe(shown, hide_index=True, width="stretch")


def designation_table(rows: pd.DataFrame, lang: str) -> pd.DataFrame:
    return pd.DataFrame({
        t("cluster", lang): [i18n.cluster_name(P, c, lang) for c in rows["cluster_id"]],
        t("tier", lang): [t(f"{x}_short", lang) for x in rows["tier"]],
        t("city", lang): [i18n.city_name(P, a, lang) for a in rows["adcode"]],
        t("role", lang): [f"{rz} · {i18n.role_name(P, r, lang)}" for rz, r in zip(rows["role_zh"], rows["role"])],
        t("basis", lang): [t(b, lang) for b in rows["basis"]],
        t("place", lang): rows["place_zh"],
        t("quote", lang): rows["quote"],
    })


def city_panel(state: ViewState) -> None:
    lang = state.lang
    if not state.city:
        st.info("在地图上点击城市，或在侧栏选择城市。" if lang == "zh" else
                "Click a city on the map or choose one in the sidebar.")
        return
    c = P.cities[state.city]
    cov = coverage_tables(R.key, state.basis, state.tier, R)[0].set_index("adcode").loc[state.city]
    st.markdown(f"### {c.full_name_zh} {c.name_en} · {i18n.zone_name(P, c.zone, lang)}")
    m1, m2, m3, m4 = st.columns(4)
    m1.metric(t("clusters_n", lang), int(cov["clusters"]))
    m2.metric(t("pillar_short", lang), int(cov["pillar"]))
    m3.metric(t("emerging_short", lang), int(cov["emerging"]))
    m4.metric(t("designations_n", lang), int(cov["designations"]))
    mine = R.rows[R.rows["adcode"] == state.city]
    mine = mine if state.tier == "all" else mine[mine["tier"] == state.tier]
    if state.basis == "explicit" and (mine["basis"] == "region").any():
        st.caption("区域性提及也列在下面，但不计入上面的数字（依据=仅明确点名）。" if lang == "zh" else
                   "Region-level mentions are listed below but not counted above (basis = named cities only).")
    st.dataframe(designation_table(mine, lang), hide_index=True, width="stretch")


def about_panel(lang: str) -> None:
    from policy.model import DOCUMENT_DATE, DOCUMENT_ID, DOCUMENT_TITLE_EN, DOCUMENT_TITLE_ZH

    st.markdown(f"**{DOCUMENT_TITLE_ZH}**（{DOCUMENT_ID}，{DOCUMENT_DATE}）  \n*{DOCUMENT_TITLE_EN}*")
    st.text(i18n.source_line(P, lang))
    regions = pd.DataFrame({
        ("区域术语" if lang == "zh" else "Region term"): [r.term_zh for r in P.regions.values()],
        ("英文" if lang == "zh" else "English"): [r.name_en for r in P.regions.values()],
        t("city", lang): ["、".join(i18n.city_name(P, a, "zh") for a in r.members) if lang == "zh"
                          else ", ".join(i18n.city_name(P, a, "en") for a in r.members) for r in P.regions.values()],
        ("定义来源" if lang == "zh" else "Definition"): [r.note for r in P.regions.values()],
    })
    st.dataframe(regions, hide_index=True, width="stretch")


EXPORT_SIZES = {"a4-landscape": ("A4 横向", "A4 landscape"), "a4-portrait": ("A4 纵向", "A4 portrait"),
                "slide": ("16:9 幻灯片", "16:9 slide"), "screen": ("屏幕 1600×1000", "Screen 1600×1000")}


def view_slug(state: ViewState) -> str:
    """A file name stem that says what the view shows."""
    parts = ["gd-clusters", state.lang]
    if state.coverage:
        parts += ["coverage", state.basis, state.tier]
    if state.clusters:
        spec = to_query(state, CLUSTER_TIERS)["clusters"]
        parts.append(spec if len(state.clusters) <= 3 or spec in ("all", "pillar", "emerging")
                     else f"{len(state.clusters)}clusters")
    if state.zoning:
        parts.append("zoning")
    return "-".join(p.replace(",", "+") for p in parts)


@st.cache_resource(show_spinner=False, max_entries=16, ttl=3600)
def static_data(data_key: str, _res: Resources):
    """Projected boundaries for the static renderer, for a session's own boundaries."""
    from export import StaticData

    return StaticData.build(_res.cities, _res.context)


def export_panel(state: ViewState) -> None:
    """Downloads of exactly the current view. Files are made when the button is pressed."""
    from export import render_bytes
    from policy import tables

    lang = state.lang
    zh = lang == "zh"
    st.markdown("**" + ("地图图片" if zh else "Map image") + "**")
    c1, c2, c3 = st.columns(3)
    fmt = c1.selectbox("格式" if zh else "Format", ("png", "svg", "pdf"), key="exp_fmt",
                       format_func=str.upper)
    size = c2.selectbox("尺寸" if zh else "Size", list(EXPORT_SIZES), key="exp_size",
                        format_func=lambda k: EXPORT_SIZES[k][0 if zh else 1])
    dpi = c3.selectbox("分辨率 (PNG)" if zh else "Resolution (PNG)", (150, 300, 600), index=1, key="exp_dpi",
                       format_func=lambda d: f"{d} dpi", disabled=fmt != "png")
    stem = view_slug(state)
    mime = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}[fmt]
    st.download_button(
        ("下载地图 " if zh else "Download map ") + fmt.upper(), key="dl_image", on_click="ignore",
        data=lambda: render_bytes(P, state, fmt=fmt, size=size, dpi=dpi if fmt == "png" else 300,
                                  data=static_data(R.key, R) if R.custom_boundaries else None),
        file_name=f"{stem}-{size}.{fmt}", mime=mime, type="primary")
    st.caption("图片与上方地图同一视图：相同图层、分级、配色和语言。" if zh else
               "The image draws the same view as the map above: same layers, classes, colours and language.")

    st.markdown("**" + ("交互地图" if zh else "Interactive map") + "**")
    st.download_button(
        ("下载离线 HTML" if zh else "Download offline HTML"), key="dl_html", on_click="ignore",
        data=lambda: build_map(P, R.rows, R.map_data, state, assets="inline").get_root().render().encode("utf-8"),
        file_name=f"{stem}.html", mime="text/html")

    st.markdown("**" + ("数据" if zh else "Data") + "**")
    cols = st.columns(4)
    names = {"coverage": ("城市覆盖", "Coverage"), "zones": ("区域汇总", "Zones"),
             "designations": ("全部点名", "Designations")}
    def data_file(kind: str, fmt: str):
        filters = {} if kind == "designations" else {"basis": state.basis, "tier": state.tier}
        encode = tables.csv_bytes if fmt == "csv" else tables.json_bytes
        return lambda: encode(*tables.table(kind, P, R.rows, **filters))

    for col, kind in zip(cols, names):
        label = names[kind][0 if zh else 1]
        suffix = "" if kind == "designations" else f"-{state.basis}-{state.tier}"
        for fmt_, mime_ in (("csv", "text/csv"), ("json", "application/json")):
            col.download_button(f"{label} {fmt_.upper()}", data_file(kind, fmt_), key=f"dl_{kind}_{fmt_}",
                                file_name=f"gd-clusters-{kind}{suffix}.{fmt_}", mime=mime_, on_click="ignore")
    cols[3].download_button(
        ("城市边界+计数 GeoJSON" if zh else "Cities + counts GeoJSON"), key="dl_geojson", on_click="ignore",
        data=lambda: tables.cities_geojson(P, R.rows, R.cities, state.basis, state.tier),
        file_name=f"gd-clusters-cities-{state.basis}-{state.tier}.geojson", mime="application/geo+json")
    st.caption("CSV 为带 BOM 的 UTF-8，Excel 可直接打开中文。" if zh else
               "CSV files are UTF-8 with a byte-order mark so Excel shows the Chinese text correctly.")


PANELS = {
    "compare": ("区域比较", "Regional comparison"),
    "city": ("城市详情", "City detail"),
    "all": ("全部点名", "All designations"),
    "export": ("导出", "Export"),
    "about": ("说明", "About"),
}


def panels(state: ViewState) -> None:
    """The tabs under the map. Only the open tab runs (lazy tabs), and none on a
    session's first run: the page's first paint is the map's alone, and the
    tables and charts follow on the rerun the map triggers when it reports in."""
    lang = state.lang
    labels = [v[0 if lang == "zh" else 1] for v in PANELS.values()]
    if st.session_state.pop("_open_city_tab", False) or (state.city and "panel" not in st.session_state):
        st.session_state["panel"] = labels[list(PANELS).index("city")]
    if st.session_state.get("panel") not in labels:
        st.session_state.pop("panel", None)  # e.g. the language changed
    tabs = dict(zip(PANELS, st.tabs(labels, key="panel", on_change="rerun")))
    draw = {
        "compare": lambda: comparison_panel(state),
        "city": lambda: city_panel(state),
        "all": lambda: st.dataframe(designation_table(select(R.rows, state.basis, state.tier), lang),
                                    hide_index=True, width="stretch"),
        "export": lambda: export_panel(state),
        "about": lambda: about_panel(lang),
    }
    for key, tab in tabs.items():
        if tab.open:
            with tab:
                draw[key]()


def main() -> None:
    # A session's first run draws the title and the map only: the map shares the
    # browser's main thread with the rest of the page, so it paints first and the
    # sidebar and panels follow on the rerun its first report triggers.
    first_run = "view_loaded" not in st.session_state
    init_from_url()
    forget_unknown_clusters()
    take_map_click()
    take_map_toggles()
    if not first_run:
        sidebar()
    state = current_state()
    sync_url(state)
    lang = state.lang
    st.title(t("app_title", lang))
    st.caption(t("subtitle", lang))
    for w in st.session_state.get("url_warnings", []):
        st.warning(("链接参数已忽略：" if lang == "zh" else "Link parameter ignored: ") + w)
    map_panel(state)
    if first_run:
        st.caption("正在载入地图…" if lang == "zh" else "Loading the map…")
    else:
        panels(state)


main()

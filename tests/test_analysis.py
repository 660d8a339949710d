"""Regional analyses: the matrix against the coverage engine, concentration
recomputed from the designation rows, Jaccard similarity checked by hand."""

from __future__ import annotations

import io
import itertools

import numpy as np
import pandas as pd
import pytest

from policy.analysis import (
    concentration,
    designation_matrix,
    gini,
    jaccard,
    land_areas,
    most_similar,
    portfolios,
    similar_pairs,
    similarity,
    zone_order,
)
from policy.coverage import city_coverage, designation_rows
from views.analysis_tables import (
    MATRIX_FIELDS,
    concentration_tables,
    matrix_csv,
    matrix_frame,
    matrix_grid,
    matrix_xlsx,
    most_similar_table,
    read_matrix_csv,
    similarity_table,
    zone_table,
)
from views.style import ROLE_MARKERS

BASES = ("explicit", "all")
TIERS = ("all", "pillar", "emerging")


@pytest.fixture(scope="module")
def cities():
    from geo.boundaries import load_cities

    return load_cities()


def code(policy, name):
    return policy.find_city(name).adcode


def pick(rows, basis, tier):
    """The designation rows of (basis, tier), filtered here without the engine."""
    keep = rows if basis == "all" else rows[rows["basis"] == "explicit"]
    return keep if tier == "all" else keep[keep["tier"] == tier]


# ------------------------------------------------------------------------ matrix


@pytest.mark.parametrize("basis", BASES)
@pytest.mark.parametrize("tier", TIERS)
def test_matrix_totals_equal_coverage(policy, rows, basis, tier):
    m = designation_matrix(policy, rows, basis, tier)
    cov = city_coverage(policy, rows, basis, tier).set_index("adcode")
    assert len(m.cities) == 21
    for r in m.cities.itertuples():
        assert r.total == cov.loc[r.adcode, "clusters"], r.adcode
        assert r.total == (m.cells["adcode"] == r.adcode).sum()
    sel = pick(rows, basis, tier)
    for r in m.clusters.itertuples():
        assert r.total == sel.loc[sel["cluster_id"] == r.cluster_id, "adcode"].nunique(), r.cluster_id
    assert m.clusters["total"].sum() == m.cities["total"].sum() == len(m.cells)


def test_matrix_order_rows_by_tier_columns_by_zone(policy, rows):
    m = designation_matrix(policy, rows)
    assert list(m.clusters["cluster_id"]) == list(policy.clusters)
    assert list(m.clusters["key"]) == list(range(1, 21))
    assert list(m.clusters["tier"]) == ["pillar"] * 10 + ["emerging"] * 10
    zones = list(m.cities["zone"])
    assert zones == sorted(zones, key=list(policy.zones).index)
    assert list(m.cities["adcode"][:9]) == list(policy.zones["prd_core"].members)
    pillar = designation_matrix(policy, rows, tier="pillar")
    assert list(pillar.clusters["key"]) == list(range(1, 11))


def test_matrix_cells_roles_and_bases(policy, rows):
    assert list(policy.role_categories) == list(ROLE_MARKERS)
    explicit = designation_matrix(policy, rows, "explicit")
    assert set(explicit.cells["basis"]) == {"explicit"}
    # 半导体与集成电路 in 深圳: core, manufacturing and cluster area; core comes first.
    c = explicit.cell("semiconductors", code(policy, "深圳"))
    assert c["role"] == "core" and c["roles"] == ("core", "manufacturing", "cluster_area")
    assert explicit.cell("uhd_video", code(policy, "广州")) is None
    both = designation_matrix(policy, rows, "all")
    region = both.cells[both.cells["basis"] == "region"]
    assert len(region) == len(both.cells) - len(explicit.cells) > 0
    # Every region cell is reached by region terms only, every explicit cell is named.
    named = set(map(tuple, rows.loc[rows["basis"] == "explicit", ["cluster_id", "adcode"]].to_numpy()))
    assert all((r.cluster_id, r.adcode) not in named for r in region.itertuples())
    assert both.cell("uhd_video", code(policy, "广州"))["basis"] == "region"
    # 新能源 in 广州: named as a production base and also reached by 珠三角 as a cluster area.
    c = both.cell("new_energy", code(policy, "广州"))
    assert (c["basis"], c["roles"], c["region_roles"]) == ("explicit", ("manufacturing",),
                                                          ("manufacturing", "cluster_area"))
    assert both.clusters.set_index("cluster_id").loc["new_energy", "explicit"] == 7


@pytest.mark.parametrize("basis", BASES)
def test_matrix_csv_round_trips(policy, rows, basis, tmp_path):
    frame = matrix_frame(policy, designation_matrix(policy, rows, basis))
    assert list(frame.columns) == MATRIX_FIELDS
    text = matrix_csv(frame)
    back = read_matrix_csv(text)
    pd.testing.assert_frame_equal(back, frame)
    path = tmp_path / "m.csv"
    path.write_bytes(text.encode("utf-8-sig"))
    pd.testing.assert_frame_equal(read_matrix_csv(path), frame)
    assert back["adcode"].str.len().eq(6).all()
    with pytest.raises(ValueError, match="not a matrix CSV"):
        read_matrix_csv("a,b\n1,2\n")


def test_matrix_grid_and_xlsx(policy, rows):
    m = designation_matrix(policy, rows, "all")
    g = matrix_grid(policy, m, "en")
    assert list(g.index[:-1]) == list(policy.clusters) and g.index[-1] == "total"
    assert g.loc["green_petrochem", "Guangzhou"] == "●"  # core, named
    assert g.loc["uhd_video", "Guangzhou"] == "○"  # core, region-level only
    assert g.loc["semiconductors", "Shenzhen"] == "●+2"
    assert g.loc["total", "Guangzhou"] == "19" and g.loc["total", "Total"] == 213
    zh = matrix_grid(policy, m, "zh")
    assert "广州" in zh.columns and zh.loc["agri_food", "合计"] == 0
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.load_workbook(io.BytesIO(matrix_xlsx(policy, m, "zh")))
    assert wb.sheetnames == ["matrix", "cells"]
    assert wb["cells"].max_row == len(m.cells) + 1
    assert wb["matrix"].max_row == 22  # header, 20 clusters, total


def test_matrix_of_user_designations(policy):
    from policy.userdata import load_designations

    csv_text = ("cluster_id,cluster_zh,cluster_en,tier,place_zh,city_zh,adcode,role_zh,role,basis,quote\n"
                "hydrogen,氢能,Hydrogen,emerging,,广州,,,core,explicit,打造以广州为核心的氢能产业集群\n"
                "hydrogen,氢能,Hydrogen,emerging,,佛山,,,manufacturing,explicit,佛山制造基地\n")
    res = load_designations(csv_text.encode(), "mine.csv", policy, "beside")
    assert res.policy is not None, res.problems
    up = res.policy
    urows = designation_rows(up)
    m = designation_matrix(up, urows)
    assert len(m.clusters) == 21 and m.clusters.iloc[-1]["key"] == 21
    cov = city_coverage(up, urows).set_index("adcode")
    assert all(m.cities.set_index("adcode")["total"] == cov.loc[m.cities["adcode"], "clusters"])
    assert m.cell("hydrogen", code(up, "佛山"))["role"] == "manufacturing"


# ----------------------------------------------------------------- concentration


def test_land_areas_equal_area_match_geodesic(cities):
    from pyproj import Geod

    geod = Geod(ellps="WGS84")
    areas = land_areas(cities)
    for r in cities.itertuples():
        true = abs(geod.geometry_area_perimeter(r.geometry)[0]) / 1e6
        assert areas[r.adcode] == pytest.approx(true, rel=1e-3), r.name_zh
    # Guangdong's land is about 179,700 km²; the simplified outlines land within 2 %.
    assert areas.sum() == pytest.approx(179_700, rel=0.02)


@pytest.mark.parametrize("basis", BASES)
def test_concentration_recomputed_from_rows(policy, rows, cities, basis):
    conc = concentration(policy, rows, cities, basis, "all")
    areas = land_areas(cities)
    assert list(conc.index["tier"]) == list(TIERS)
    for tier in TIERS:
        sel = pick(rows, basis, tier)
        cells = set(zip(sel["cluster_id"], sel["adcode"]))
        z = conc.zones[conc.zones["tier"] == tier].set_index("zone")
        assert list(z.index) == list(policy.zones)
        for zid, zone in policy.zones.items():
            n = sum(1 for _, a in cells if a in zone.members)
            assert z.loc[zid, "cluster_cities"] == n
            assert z.loc[zid, "cluster_city_share"] == pytest.approx(n / len(cells))
            assert z.loc[zid, "city_designations"] == sel["adcode"].isin(zone.members).sum()
            assert z.loc[zid, "city_share"] == pytest.approx(len(zone.members) / 21)
            assert z.loc[zid, "area_share"] == pytest.approx(areas[list(zone.members)].sum() / areas.sum())
            assert z.loc[zid, "ratio_cities"] == pytest.approx(n / len(cells) / (len(zone.members) / 21))
        for col in ("cluster_city_share", "share", "city_share"):
            assert z[col].sum() == pytest.approx(1.0)
        assert z["area_share"].sum() == pytest.approx(1.0, rel=1e-3)
        per_city = [sum(1 for _, a in cells if a == c) for c in policy.cities]
        # Gini as the mean absolute difference over all ordered pairs over twice the mean.
        mad = sum(abs(x - y) for x in per_city for y in per_city) / 21 ** 2
        idx = conc.index.set_index("tier").loc[tier]
        assert idx["gini"] == pytest.approx(mad / (2 * np.mean(per_city)))
        assert set(idx["unnamed"]) == {c for c, k in zip(policy.cities, per_city) if k == 0}
        assert idx["cities_named"] == sum(1 for k in per_city if k)


def test_concentration_headline_figures(policy, rows, cities):
    conc = concentration(policy, rows, cities, "explicit", "all")
    prd = conc.zones[(conc.zones["tier"] == "all") & (conc.zones["zone"] == "prd_core")].iloc[0]
    # The figures: 9 of 21 cities hold 79 of the 100 explicit (cluster, city) cells.
    assert (prd["cities"], prd["cluster_cities"]) == (9, 79)
    assert conc.index.iloc[0]["cluster_cities"] == 100
    assert {policy.cities[a].name_zh for a in conc.unnamed} == {"汕尾", "梅州", "河源"}
    assert prd["area_share"] < prd["city_share"] < prd["cluster_city_share"]
    assert conc.index.iloc[0]["top_city"] == code(policy, "广州")
    # Region-level mentions spread the policy: every city is reached and inequality falls.
    wide = concentration(policy, rows, cities, "all", "all")
    assert wide.unnamed == () and wide.index.iloc[0]["gini"] < conc.index.iloc[0]["gini"]
    only = concentration(policy, rows, cities, "explicit", "pillar")
    assert list(only.index["tier"]) == ["pillar"] and set(only.zones["tier"]) == {"pillar"}


def test_gini_bounds():
    assert gini([3, 3, 3]) == 0
    assert gini([0, 0, 0, 5]) == pytest.approx(3 / 4)
    assert np.isnan(gini([0, 0])) and np.isnan(gini([]))


def test_zone_table_adds_columns(policy, rows, cities):
    z = zone_table(policy, rows, cities, "explicit", "all").set_index("zone")
    assert z.loc["prd_core", "cluster_cities"] == 79 and z.loc["prd_core", "city_designations"] == 85
    assert z.loc["northern_eco", "unnamed"] == [code(policy, "梅州"), code(policy, "河源")]
    assert z["area_km2"].sum() == pytest.approx(land_areas(cities).sum(), abs=0.5)


def test_concentration_tables_both_languages(policy, rows, cities):
    conc = concentration(policy, rows, cities, "explicit", "all")
    zh_z, zh_i = concentration_tables(policy, conc, "zh")
    en_z, en_i = concentration_tables(policy, conc, "en")
    assert zh_z.shape == en_z.shape == (9, 11) and zh_i.shape == en_i.shape == (3, 7)
    assert en_z.iloc[0]["Share of cluster–city cells"] == "79.0%" and zh_z.iloc[0]["集群—城市格占比"] == "79.0%"
    assert en_i.iloc[0]["Cities named by no cluster"] == "Shanwei, Meizhou, Heyuan"  # zone order
    assert zh_i.iloc[0]["未被任何集群点名的城市"] == "汕尾、梅州、河源"


def test_bad_boundaries_are_named(policy, rows, cities):
    with pytest.raises(ValueError, match="lack cities 440100"):
        concentration(policy, rows, cities[cities["adcode"] != "440100"])
    with pytest.raises(ValueError, match="no CRS"):
        concentration(policy, rows, cities.set_crs(None, allow_override=True))
    with pytest.raises(ValueError, match="'both'"):
        concentration(policy, rows, cities, basis="both")


# -------------------------------------------------------------------- similarity


@pytest.mark.parametrize("basis", BASES)
@pytest.mark.parametrize("tier", TIERS)
def test_jaccard_matrix_properties(policy, rows, basis, tier):
    sim = similarity(policy, rows, basis, tier)
    assert sim.shape == (21, 21) and list(sim.index) == zone_order(policy) == list(sim.columns)
    m = sim.to_numpy()
    assert np.allclose(m, m.T, equal_nan=True)
    sets = portfolios(policy, rows, basis, tier)
    # undefined exactly where both cities host no cluster (the diagonal of such a city too)
    empty = np.array([not s for s in sets.values()])
    assert (np.isnan(m) == np.outer(empty, empty)).all()
    assert np.all(np.diag(m)[~empty] == 1.0)
    assert np.nanmin(m) >= 0 and np.nanmax(m) <= 1
    # Against scipy's Jaccard distance on 0/1 membership vectors, where it is defined.
    distance = pytest.importorskip("scipy.spatial.distance")
    vec = {a: np.array([cid in s for cid in policy.clusters]) for a, s in sets.items()}
    for a, b in itertools.combinations(list(sets)[::4], 2):
        if sets[a] or sets[b]:
            assert sim.loc[a, b] == pytest.approx(1 - distance.jaccard(vec[a], vec[b]))


def test_jaccard_pairs_by_hand(policy, rows):
    explicit = rows[rows["basis"] == "explicit"]

    def clusters(name):
        return set(explicit.loc[explicit["city_zh"] == name, "cluster_id"])

    zh, fs = clusters("珠海"), clusters("佛山")
    assert len(zh) == len(fs) == 12  # the pair the issue asks about
    assert zh - fs == {"semiconductors"} and fs - zh == {"new_energy"}  # not the same 12
    sim = similarity(policy, rows)
    assert sim.loc[code(policy, "珠海"), code(policy, "佛山")] == pytest.approx(11 / 13)
    assert sim.loc[code(policy, "广州"), code(policy, "深圳")] == pytest.approx(14 / 15)
    assert np.isnan(sim.loc[code(policy, "汕尾"), code(policy, "梅州")])  # both named by none: undefined
    assert sim.loc[code(policy, "汕尾"), code(policy, "广州")] == 0.0
    assert jaccard(frozenset("a"), frozenset("b")) == 0.0 and jaccard(frozenset("ab"), frozenset("a")) == 0.5


def test_jaccard_of_two_empty_portfolios_is_undefined_and_never_most_similar(policy, rows):
    assert np.isnan(jaccard(frozenset(), frozenset()))
    unnamed = [a for a, s in portfolios(policy, rows).items() if not s]
    assert len(unnamed) >= 2  # 汕尾, 梅州, 河源
    # a city no cluster names: its list holds every named city (at 0), no unnamed one
    df = most_similar(policy, rows, unnamed[0], top=20)
    assert not set(df["adcode"]) & set(unnamed)
    assert len(df) == 21 - len(unnamed) and (df["jaccard"] == 0).all() and df["jaccard"].notna().all()
    # a named city's list never holds a NaN either, and keeps the unnamed cities at 0
    full = most_similar(policy, rows, "珠海", top=20)
    assert full["jaccard"].notna().all() and set(unnamed) <= set(full["adcode"])
    pairs = similar_pairs(policy, rows, top=400)
    assert pairs["jaccard"].notna().all() and not (set(pairs["a"]) | set(pairs["b"])) & set(unnamed)


def test_most_similar(policy, rows):
    df = most_similar(policy, rows, "珠海", top=5)
    assert list(df["rank"]) == [1, 2, 3, 4, 5]
    assert list(df["city_zh"][:2]) == ["深圳", "佛山"] and df["jaccard"].iloc[0] == pytest.approx(12 / 14)
    assert df["jaccard"].is_monotonic_decreasing
    assert code(policy, "珠海") not in set(df["adcode"])
    assert list(most_similar(policy, rows, "Zhuhai", top=2)["adcode"]) == list(df["adcode"][:2])
    assert len(most_similar(policy, rows, "440400", top=20)) == 20
    r = df.iloc[1]
    assert (r["shared"], r["only_city_ids"], r["only_other_ids"]) == (11, ["semiconductors"], ["new_energy"])
    with pytest.raises(ValueError, match="'香港'.*广州"):
        most_similar(policy, rows, "香港")
    for bad in (0, 21, 2.5, True):
        with pytest.raises(ValueError, match="from 1 to 20"):
            most_similar(policy, rows, "珠海", top=bad)
    t = most_similar_table(policy, df, "en")
    assert t.iloc[1]["Only this city"] == "Semiconductors and integrated circuits"
    assert most_similar_table(policy, df, "zh").iloc[1]["仅对方"] == "新能源"


def test_similar_pairs_and_table(policy, rows):
    pairs = similar_pairs(policy, rows, top=3)
    assert (pairs.iloc[0]["a_zh"], pairs.iloc[0]["b_zh"], pairs.iloc[0]["jaccard"]) == ("韶关", "清远", 1.0)
    assert (pairs.iloc[1]["a_zh"], pairs.iloc[1]["b_zh"]) == ("广州", "深圳")
    assert (pairs["shared"] > 0).all()
    t = similarity_table(policy, similarity(policy, rows), "en")
    assert t.loc["Zhuhai", "Foshan"] == pytest.approx(11 / 13) and t.index.name == "City"


def test_sort_matrix_by_totals_within_groups(policy, rows):
    from policy.analysis import sort_matrix

    m = designation_matrix(policy, rows)
    s = sort_matrix(m, "total")
    assert list(s.clusters["tier"]) == list(m.clusters["tier"]) and list(s.cities["zone"]) == list(m.cities["zone"])
    for df, group in ((s.clusters, "tier"), (s.cities, "zone")):
        for _, g in df.groupby(group, sort=False):
            assert g["total"].is_monotonic_decreasing
    assert s.clusters.iloc[0]["cluster_id"] == "advanced_materials" and s.cities.iloc[0]["name_zh"] == "广州"
    assert list(s.cities["name_zh"][9:12]) == ["湛江", "茂名", "阳江"]  # 5, 3, 3 in the belt; ties by policy order
    assert sort_matrix(m, "policy") is m and s.cells is m.cells
    with pytest.raises(ValueError, match="'size'.*policy, total"):
        sort_matrix(m, "size")


def test_chart_data(policy, rows, cities):
    from views.analysis_tables import concentration_chart, similarity_long

    conc = concentration(policy, rows, cities, "explicit", "all")
    bars = concentration_chart(policy, conc, "en")
    assert len(bars) == 3 * 3 * 3
    mine = bars[(bars["tier"] == "all") & (bars["measure"] == "cluster_city_share")]
    assert list(mine["zone"]) == list(policy.zones) and mine["value"].sum() == pytest.approx(1)
    assert set(bars["measure_name"]) == {"Share of cities", "Share of land", "Share of cluster–city cells"}
    heat = similarity_long(policy, similarity(policy, rows), "zh")
    assert len(heat) == 21 * 21 and heat["order_a"].max() == 20
    hit = heat[(heat["a_name"] == "珠海") & (heat["b_name"] == "佛山")].iloc[0]
    assert hit["jaccard"] == pytest.approx(11 / 13) and hit["a_zone"] == "prd_core"
    assert heat.loc[heat["order_a"] == 0, "a_name"].iloc[0] == "广州"
    assert hit["value"] == "0.85"
    # two cities no cluster names: no number on the heatmap's scale, a dash that says why
    und = heat[(heat["a_name"] == "汕尾") & (heat["b_name"] == "梅州")].iloc[0]
    assert np.isnan(und["jaccard"]) and und["value"] == "— (无定义)"
    en = similarity_long(policy, similarity(policy, rows), "en")
    assert set(en.loc[en["jaccard"].isna(), "value"]) == {"— (undefined)"}

"""Coverage counts agree with the designations they are built from."""

import pytest

from policy.coverage import city_coverage, compare, select, zone_coverage


def test_rows_expand_regions_per_city(policy, rows):
    assert set(rows["basis"]) == {"explicit", "region"}
    expected = sum(len(d.adcodes) for d in policy.designations)
    assert len(rows) == expected
    region = rows[rows["basis"] == "region"]
    assert (region["region_id"] != "").all()
    assert (rows.loc[rows["basis"] == "explicit", "region_id"] == "").all()


@pytest.mark.parametrize("basis", ["explicit", "all"])
@pytest.mark.parametrize("tier", ["all", "pillar", "emerging"])
def test_city_counts_match_rows(policy, rows, basis, tier):
    cov = city_coverage(policy, rows, basis, tier)
    sel = select(rows, basis, tier)
    assert len(cov) == 21 and cov["adcode"].is_unique
    for _, r in cov.iterrows():
        mine = sel[sel["adcode"] == r["adcode"]]
        assert r["clusters"] == mine["cluster_id"].nunique()
        assert r["designations"] == mine["designation_id"].nunique()
        assert r["pillar"] + r["emerging"] == r["clusters"]
        assert sorted(r["cluster_ids"]) == sorted(set(mine["cluster_id"]))
    assert cov["designations"].sum() == len(sel)  # one row per (designation, city)


def test_known_counts(policy, rows):
    cov = city_coverage(policy, rows).set_index("city_zh")
    # 广州 is named by 15 clusters; 梅州, 汕尾 and 河源 by none (explicitly).
    assert cov.loc["广州", "clusters"] == 15
    assert cov.loc["深圳", "designations"] == 17  # 智能家电 names 深圳 twice, 半导体 three times
    assert cov.loc[["梅州", "汕尾", "河源"], "clusters"].tolist() == [0, 0, 0]
    allb = city_coverage(policy, rows, "all").set_index("city_zh")
    assert allb.loc["梅州", "clusters"] > 0  # named only through regions
    assert (allb["clusters"] >= cov["clusters"]).all()


@pytest.mark.parametrize("basis", ["explicit", "all"])
def test_zone_totals(policy, rows, basis):
    zones = zone_coverage(policy, rows, basis)
    sel = select(rows, basis)
    assert zones["city_designations"].sum() == len(sel)
    assert zones["share"].sum() == pytest.approx(1.0, abs=1e-3)
    assert zones["cities"].tolist() == [9, 7, 5]
    cov = city_coverage(policy, rows, basis)
    for _, z in zones.iterrows():
        in_zone = cov[cov["zone"] == z["zone"]]
        assert z["cities_covered"] == (in_zone["clusters"] > 0).sum()
        assert set(z["cluster_ids"]) == set().union(*map(set, in_zone["cluster_ids"]))


def test_compare_cities_and_zones(policy, rows):
    r = compare(policy, rows, "深圳", "Dongguan")
    assert r["a"].name_zh == "深圳" and r["b"].name_en == "Dongguan"
    assert "automotive" in r["only_a"] and "semiconductors" in r["shared"]
    assert not set(r["shared"]) & set(r["only_a"])
    z = compare(policy, rows, "prd_core", "北部生态发展区", basis="all")
    assert z["a"].kind == z["b"].kind == "zone"
    assert "agri_food" not in z["shared"] + z["only_a"] + z["only_b"]


def test_compare_rejects_unknown_place(policy, rows):
    with pytest.raises(ValueError, match="'Atlantis'.*accepted"):
        compare(policy, rows, "Atlantis", "广州")


def test_bad_basis_named(policy, rows):
    with pytest.raises(ValueError, match="basis 'both'.*explicit, all"):
        city_coverage(policy, rows, "both")

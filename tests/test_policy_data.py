"""The reviewed policy data agrees with the document and with itself."""

import shutil
from collections import Counter

import pytest
import yaml

from policy import PolicyDataError, load_policy
from policy.model import DATA_DIR, DOCUMENT
from policy.text import find_quote, normalize


def test_document_is_the_policy():
    text = (DATA_DIR / DOCUMENT).read_text(encoding="utf-8")
    assert "粤府函〔2020〕82号" in text
    assert "2020年 5月 18日" in text


def test_twenty_clusters_ten_per_tier(policy):
    assert len(policy.clusters) == 20
    tiers = Counter(c.tier for c in policy.clusters.values())
    assert tiers == {"pillar": 10, "emerging": 10}
    for tier in ("pillar", "emerging"):
        numbers = sorted(c.number for c in policy.clusters.values() if c.tier == tier)
        assert numbers == list(range(1, 11))


def test_cluster_ids_are_ascii_slugs(policy):
    for cid in policy.clusters:
        assert cid.isascii() and cid.replace("_", "").isalnum() and cid.islower()


def test_cluster_names_appear_in_document(policy):
    # Each cluster's Chinese name heads its paragraph: "N.<name>产业集群".
    text = normalize(policy.document)
    for c in policy.clusters.values():
        name = c.name_zh if c.name_zh.endswith("产业") else c.name_zh + "产业"
        assert f"{c.number}.{name}集群" in text, c.id


def test_every_quote_is_verbatim(policy):
    for d in policy.designations:
        assert find_quote(policy.document, d.quote) >= 0, d.id


def test_explicit_places_are_named_in_their_quote(policy):
    for d in policy.designations:
        if d.basis == "explicit":
            for adcode in d.adcodes:
                assert policy.cities[adcode].name_zh in d.quote, (d.id, adcode)
            assert normalize(d.place_zh) in normalize(d.quote), d.id


def test_region_terms_appear_in_their_quote(policy):
    for d in policy.designations:
        if d.basis == "region":
            assert d.place_zh in d.quote, d.id
            assert d.region_id in policy.regions


def test_lists_ending_in_deng_count_only_named_cities(policy):
    # 以湛江、茂名、广州、惠州、揭阳等为核心 -> exactly five cities
    petro = policy.clusters["green_petrochem"].designations
    assert [sorted(policy.cities[a].name_zh for a in d.adcodes) for d in petro] == [
        sorted(["湛江", "茂名", "广州", "惠州", "揭阳"])
    ]


def test_clusters_without_named_cities_still_exist(policy):
    assert policy.clusters["agri_food"].designations == ()
    assert policy.clusters["agri_food"].unplaced
    for cid in ("electronic_info", "uhd_video", "safety_env", "precision_instruments"):
        assert {d.basis for d in policy.clusters[cid].designations} == {"region"}, cid


def test_zoning_partitions_the_21_cities(policy):
    members = [a for z in policy.zones.values() for a in z.members]
    assert len(members) == 21 == len(set(members)) == len(policy.cities)
    assert set(members) == set(policy.cities)
    sizes = {z.id: len(z.members) for z in policy.zones.values()}
    assert sizes == {"prd_core": 9, "coastal_belt": 7, "northern_eco": 5}


def test_full_coastal_belt_holds_14(policy):
    full = set(policy.overlays["coastal_belt_full"].members)
    assert len(full) == 14
    assert set(policy.zones["coastal_belt"].members) < full
    prd_coastal = full - set(policy.zones["coastal_belt"].members)
    assert {policy.cities[a].name_zh for a in prd_coastal} == {"广州", "深圳", "珠海", "惠州", "东莞", "中山", "江门"}
    assert policy.regions["coastal_belt_full"].members == policy.overlays["coastal_belt_full"].members


def test_regions_agree_with_zoning(policy):
    z = {k: set(v.members) for k, v in policy.zones.items()}
    r = {k: set(v.members) for k, v in policy.regions.items()}
    assert r["prd"] == z["prd_core"]
    assert r["northern_eco"] == z["northern_eco"]
    assert r["coastal_wings"] == z["coastal_belt"]
    assert r["east_west_north"] == z["coastal_belt"] | z["northern_eco"]
    named = {policy.find_city(n).adcode for n in ("广州", "深圳", "珠海", "佛山", "东莞", "中山")}
    assert r["robots_others"] == set(policy.cities) - named
    for reg in policy.regions.values():
        assert reg.note, reg.id


def _copy_data(tmp_path):
    dst = tmp_path / "data"
    shutil.copytree(DATA_DIR, dst, ignore=shutil.ignore_patterns("boundaries"))
    return dst


def _edit_clusters(data_dir, fn):
    path = data_dir / "clusters.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    fn(doc)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda d: d["clusters"][1]["designations"][0].update(quote="打造以湛江为核心的月球石化基地"), "quote not found"),
        (lambda d: d["clusters"][1]["designations"][0]["places"].append("香港"), "unknown city '香港'"),
        (lambda d: d["clusters"][0]["designations"][0].update(region="atlantis"), "unknown region 'atlantis'"),
        (lambda d: d["clusters"][1].update(tier="stable"), "tier 'stable'"),
        (lambda d: d["clusters"][1]["designations"][0].update(role="boss"), "role 'boss'"),
    ],
)
def test_bad_data_is_rejected_with_a_message(tmp_path, edit, message):
    data_dir = _copy_data(tmp_path)
    _edit_clusters(data_dir, edit)
    with pytest.raises(PolicyDataError, match=message):
        load_policy(data_dir)


def test_missing_file_names_the_file(tmp_path):
    data_dir = _copy_data(tmp_path)
    (data_dir / "regions.yaml").unlink()
    with pytest.raises(PolicyDataError, match="regions.yaml"):
        load_policy(data_dir)

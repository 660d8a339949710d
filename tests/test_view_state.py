"""URL view state: every input gives a valid state, bad values give warnings."""

import pytest

from views.state import (
    BASEMAPS,
    MATRIX_SORTS,
    PANELS,
    ViewState,
    clusters_spec,
    expand_clusters,
    parse_query,
    place_names,
    to_query,
)


@pytest.fixture(scope="module")
def keys(policy):
    tiers = {c.id: c.tier for c in policy.clusters.values()}
    cities = {k: c.adcode for k, c in policy.city_by_name.items()}
    return tiers, cities


@pytest.fixture(scope="module")
def places(policy):
    return place_names(policy)


def test_defaults(keys):
    r = parse_query({}, *keys)
    assert r.state == ViewState() and r.warnings == []


@pytest.mark.parametrize("spec, n", [("all", 20), ("none", 0), ("pillar", 10), ("emerging", 10), ("", 0)])
def test_cluster_keywords(keys, spec, n):
    ids, unknown = expand_clusters(spec, keys[0])
    assert len(ids) == n and unknown == []


def test_cluster_list_is_ordered_and_deduplicated(keys):
    ids, unknown = expand_clusters("new_energy,automotive,automotive", keys[0])
    assert ids == ("automotive", "new_energy") and unknown == []
    assert clusters_spec(ids, keys[0]) == "automotive,new_energy"
    assert clusters_spec(expand_clusters("pillar", keys[0])[0], keys[0]) == "pillar"


def test_full_round_trip(keys):
    s = ViewState(clusters=("automotive", "smart_robots"), basis="all", tier="emerging", coverage=False,
                  zoning=False, lang="en", basemap="gaode", city="440300")
    q = to_query(s, keys[0])
    assert q["clusters"] == "automotive,smart_robots" and q["city"] == "440300"
    r = parse_query(q, *keys)
    assert r.state == s and r.warnings == []


@pytest.mark.parametrize(
    "params, field, bad",
    [
        ({"basis": "both"}, "basis", "both"),
        ({"tier": "gold"}, "tier", "gold"),
        ({"lang": "fr"}, "lang", "fr"),
        ({"basemap": "google"}, "basemap", "google"),
        ({"zoning": "maybe"}, "zoning", "maybe"),
        ({"city": "Atlantis"}, "city", "Atlantis"),
        ({"clusters": "automotive,<script>"}, "clusters", "<script>"),
    ],
)
def test_malformed_values_warn_and_fall_back(keys, params, field, bad):
    r = parse_query(params, *keys)
    assert len(r.warnings) == 1
    assert field in r.warnings[0] and bad in r.warnings[0]
    if field == "clusters":
        assert r.state.clusters == ("automotive",)
    else:
        assert getattr(r.state, field) == getattr(ViewState(), field)


def test_city_by_any_name(keys):
    for name in ("深圳", "深圳市", "Shenzhen", "shenzhen", "440300"):
        assert parse_query({"city": name}, *keys).state.city == "440300"


def test_list_values_take_the_last(keys):
    # Streamlit's query params can repeat a key; the last one wins.
    assert parse_query({"lang": ["zh", "en"]}, *keys).state.lang == "en"
    assert set(BASEMAPS) == {"none", "osm", "carto", "gaode"}


def test_warnings_are_bilingual_data(keys):
    r = parse_query({"basemap": "google"}, *keys)
    (w,) = r.warnings
    assert (w.key, w.value, w.accepted) == ("basemap", "google", BASEMAPS)
    assert w.zh == "链接参数 basemap 的值“google”已忽略；可用值：none、osm、carto、gaode"
    assert w.en == "link parameter basemap: the value 'google' was ignored; accepted: none, osm, carto, gaode"
    assert w.text("zh") == w.zh and w.text("en") == w.en == str(w)
    assert "Google" not in w.zh and "忽略" not in w.en  # each language complete on its own


def test_warning_values_are_short_and_visible(keys):
    link = "[请点此重新登录](https://evil.example/login)" * 5
    r = parse_query({"lang": "\u202eAB\u200b\x00C" + link, "zoning": "x" * 500}, *keys)
    lang_w = next(w for w in r.warnings if w.key == "lang")
    zoning_w = next(w for w in r.warnings if w.key == "zoning")
    assert len(lang_w.value) <= 40 and lang_w.value.startswith("ABC[") and lang_w.value.endswith("…")
    assert not any(ch in lang_w.zh + lang_w.en for ch in "\u202e\u200b\x00")
    assert zoning_w.value == "x" * 39 + "…" and zoning_w.accepted == ("1", "0", "on", "off")
    assert "x" * 41 not in zoning_w.en


def test_short_value():
    from views.state import short_value

    assert short_value("  a\tb\n\nc  ") == "a b c"
    assert short_value("\u2066abc\u2069\u061c\u200e") == "abc"
    assert short_value("字" * 41) == "字" * 39 + "…"
    assert short_value("ok", limit=2) == "ok"


def test_unknown_city_and_cluster_warnings_give_examples(keys):
    r = parse_query({"city": "Atlantis", "clusters": "nope"}, *keys)
    city = next(w for w in r.warnings if w.key == "city")
    cl = next(w for w in r.warnings if w.key == "clusters")
    assert city.examples and any(a.isdigit() for a in city.accepted)
    assert cl.examples and cl.accepted[:4] == ("all", "none", "pillar", "emerging")
    assert "例如" in city.zh and "e.g." in city.en


# ---- the comparison tab's choices: tab, a, b, sort ----

def test_comparison_defaults_stay_out_of_the_link(keys):
    q = to_query(ViewState(), keys[0])
    assert not {"tab", "a", "b", "sort"} & set(q)
    q = to_query(ViewState(panel="compare", cmp_b="prd_core"), keys[0])
    assert (q["tab"], q["b"]) == ("compare", "prd_core") and "a" not in q and "sort" not in q


def test_comparison_round_trip(keys, places):
    s = ViewState(clusters=("automotive",), lang="en", city="440600", panel="compare", cmp_a="coastal_belt",
                  cmp_b="441900", msort="total")
    q = to_query(s, keys[0])
    assert {k: q[k] for k in ("tab", "a", "b", "sort")} == {"tab": "compare", "a": "coastal_belt", "b": "441900",
                                                              "sort": "total"}
    r = parse_query(q, *keys, place_names=places)
    assert r.state == s and r.warnings == []


@pytest.mark.parametrize("name, place", [
    ("佛山", "440600"), ("佛山市", "440600"), ("Foshan", "440600"), ("440600", "440600"),
    ("prd_core", "prd_core"), ("珠三角核心区", "prd_core"), ("一核", "prd_core"), ("Core", "prd_core"),
    ("Pearl River Delta core", "prd_core"), ("一区", "northern_eco"), (" belt ", "coastal_belt"),
])
def test_places_by_any_name(keys, places, policy, name, place):
    r = parse_query({"a": name, "b": name}, *keys, place_names=places)
    assert (r.state.cmp_a, r.state.cmp_b) == (place, place) and r.warnings == []
    assert place in policy.cities or place in policy.zones


def test_without_place_names_only_cities(keys):
    r = parse_query({"a": "prd_core", "b": "Zhuhai"}, *keys)
    assert r.state.cmp_a == ViewState().cmp_a and r.state.cmp_b == "440400"
    assert [w.key for w in r.warnings] == ["a"]


@pytest.mark.parametrize("params, key, bad, field", [
    ({"tab": "charts"}, "tab", "charts", "panel"),
    ({"sort": "alphabetical"}, "sort", "alphabetical", "msort"),
    ({"a": "Atlantis"}, "a", "Atlantis", "cmp_a"),
    ({"b": "<b>Mars</b>"}, "b", "<b>Mars</b>", "cmp_b"),
])
def test_bad_comparison_values_warn_and_fall_back(keys, places, params, key, bad, field):
    r = parse_query(params, *keys, place_names=places)
    (w,) = r.warnings
    assert (w.key, w.value) == (key, bad) and bad in w.en and bad in w.zh
    assert getattr(r.state, field) == getattr(ViewState(), field)
    if key == "tab":
        assert w.accepted == PANELS and not w.examples
    elif key == "sort":
        assert w.accepted == MATRIX_SORTS
    else:  # examples of each kind of place: a name, a city code, a zone id
        assert w.examples and w.accepted == ("广州", "440100", "prd_core")


def test_tab_and_sort_ignore_case_and_blank_places_keep_the_default(keys, places):
    r = parse_query({"tab": " Compare", "sort": "TOTAL", "a": "", "b": "  "}, *keys, place_names=places)
    assert (r.state.panel, r.state.msort) == ("compare", "total") and r.warnings == []
    assert (r.state.cmp_a, r.state.cmp_b) == (ViewState().cmp_a, ViewState().cmp_b)


def test_map_view_drops_only_the_comparison_choices():
    s = ViewState(clusters=("automotive",), basis="all", city="440300", panel="compare", cmp_a="prd_core",
                  msort="total")
    assert s.map_view() == ViewState(clusters=("automotive",), basis="all", city="440300")


# Spellings `cli.py compare` accepts (README "Command line"), and zones written in
# full-width letters: the link's city, a and b find the same place (issue 21).
SPELLINGS = [("４４０１００", "440100"), ("440100.0", "440100"), ("廣州", "440100"), ("廣州市", "440100"),
             ("GUANGZHOU", "440100"), ("韶關", "440200"), ("４４１９００", "441900"), ("東莞", "441900"),
             ("ｐｒｄ＿ｃｏｒｅ", "prd_core"), ("珠三角核心區", "prd_core"), ("ＣＯＲＥ", "prd_core")]


@pytest.mark.parametrize("name, place", SPELLINGS)
def test_link_places_are_normalised_as_compare_does(keys, places, policy, name, place):
    from policy.coverage import find_place

    r = parse_query({"a": name, "b": name, "city": name}, *keys, place_names=places)
    assert (r.state.cmp_a, r.state.cmp_b) == (place, place)
    assert find_place(policy, name).id == place
    if place in policy.cities:
        assert r.state.city == place and r.warnings == []
    else:  # a zone is no city
        assert [w.key for w in r.warnings] == ["city"]

"""Property-based tests (hypothesis) for the coverage engine and the URL view state."""

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policy.coverage import city_coverage, select, zone_coverage
from views.state import (
    BASEMAPS,
    BASIS,
    LANGS,
    MATRIX_SORTS,
    PANELS,
    TIER,
    ViewState,
    parse_query,
    place_names,
    to_query,
)

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
COUNTS = ["clusters", "pillar", "emerging", "designations"]


def subset(rows, idx) -> pd.DataFrame:
    return rows.iloc[sorted(idx)]


@SETTINGS
@given(idx=st.sets(st.integers(0, 233)), basis=st.sampled_from(BASIS), tier=st.sampled_from(TIER))
def test_counts_never_negative_and_sums_agree(policy, rows, idx, basis, tier):
    part = subset(rows, {i for i in idx if i < len(rows)})
    cov = city_coverage(policy, part, basis, tier)
    assert len(cov) == 21
    assert (cov[COUNTS] >= 0).all().all()
    assert (cov["pillar"] + cov["emerging"] == cov["clusters"]).all()
    assert cov["designations"].sum() == len(select(part, basis, tier))
    zones = zone_coverage(policy, part, basis, tier)
    assert zones["city_designations"].sum() == len(select(part, basis, tier))
    for _, z in zones.iterrows():
        in_zone = cov[cov["zone"] == z["zone"]]
        assert z["clusters"] <= in_zone["clusters"].sum()
        assert z["cities_covered"] == (in_zone["clusters"] > 0).sum()


@SETTINGS
@given(idx=st.sets(st.integers(0, 233), max_size=120), extra=st.integers(0, 233),
       basis=st.sampled_from(BASIS), tier=st.sampled_from(TIER))
def test_adding_a_designation_never_lowers_a_count(policy, rows, idx, extra, basis, tier):
    n = len(rows)
    base = {i for i in idx if i < n}
    before = city_coverage(policy, subset(rows, base), basis, tier).set_index("adcode")[COUNTS]
    after = city_coverage(policy, subset(rows, base | {extra % n}), basis, tier).set_index("adcode")[COUNTS]
    assert (after >= before).all().all()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(params=st.dictionaries(
    st.sampled_from(["clusters", "basis", "tier", "coverage", "zoning", "lang", "basemap", "city",
                     "tab", "a", "b", "sort", "junk"]),
    st.one_of(st.text(max_size=60), st.lists(st.text(max_size=20), max_size=3))))
def test_any_query_gives_a_valid_state(policy, params):
    tiers = {c.id: c.tier for c in policy.clusters.values()}
    cities = {k: c.adcode for k, c in policy.city_by_name.items()}
    r = parse_query(params, tiers, cities, place_names=place_names(policy))
    s = r.state
    assert s.panel in PANELS and s.msort in MATRIX_SORTS
    assert all(p in policy.cities or p in policy.zones for p in (s.cmp_a, s.cmp_b))
    assert set(s.clusters) <= set(tiers) and list(s.clusters) == [c for c in tiers if c in s.clusters]
    assert s.basis in BASIS and s.tier in TIER and s.lang in LANGS and s.basemap in BASEMAPS
    assert s.city is None or s.city in policy.cities
    assert isinstance(s.coverage, bool) and isinstance(s.zoning, bool)
    assert all(isinstance(w, str) and w for w in r.warnings)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_parse_serialize_round_trip(policy, data):
    tiers = {c.id: c.tier for c in policy.clusters.values()}
    cities = {k: c.adcode for k, c in policy.city_by_name.items()}
    chosen = data.draw(st.sets(st.sampled_from(list(tiers))))
    state = ViewState(
        clusters=tuple(c for c in tiers if c in chosen),
        basis=data.draw(st.sampled_from(BASIS)), tier=data.draw(st.sampled_from(TIER)),
        coverage=data.draw(st.booleans()), zoning=data.draw(st.booleans()),
        lang=data.draw(st.sampled_from(LANGS)), basemap=data.draw(st.sampled_from(BASEMAPS)),
        city=data.draw(st.one_of(st.none(), st.sampled_from(list(policy.cities)))),
        panel=data.draw(st.sampled_from(PANELS)), msort=data.draw(st.sampled_from(MATRIX_SORTS)),
        cmp_a=data.draw(st.sampled_from(list(policy.cities) + list(policy.zones))),
        cmp_b=data.draw(st.sampled_from(list(policy.cities) + list(policy.zones))),
    )
    q = to_query(state, tiers)
    r = parse_query(q, tiers, cities, place_names=place_names(policy))
    assert r.state == state and r.warnings == []
    # the comparison choices are in the link exactly when they are not the default
    for key, name in (("tab", "panel"), ("a", "cmp_a"), ("b", "cmp_b"), ("sort", "msort")):
        assert (key in q) == (getattr(state, name) != getattr(ViewState(), name)), key

"""User-supplied designations, property-based: any rows or bytes are accepted or refused with
problems, never raise; valid rows give one designation row each."""

import csv
import io
import unicodedata

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policy.coverage import designation_rows
from policy.userdata import load_designations
from testing.designations import FIELDS

# ---------------------------------------------------------------- properties

CITY_VALUES = ["广州", "深圳市", "Foshan", "zhuhai", "440500", "440600", "东莞"]
# Schema values, good and bad, mixed below with None and arbitrary text.
VALUES = {
    "cluster_id": ["h2", "storage", "automotive", "bad id", "all", "HX"],
    "cluster_zh": ["氢能", "储能", "汽车产业"],
    "cluster_en": ["Hydrogen", "Storage"],
    "tier": ["pillar", "emerging", "Pillar", "gold"],
    "place_zh": ["广州、深圳", "珠三角"],
    "city_zh": CITY_VALUES + ["香港", "珠三角"],
    "adcode": ["440100", "440300.0", "999999", "4401"],
    "role_zh": ["核心", "配套产业"],
    "role": ["core", "innovation", "manufacturing", "cluster_area", "supporting", "hub"],
    "basis": ["explicit", "region", "named"],
    "quote": ["原文一", "原文二", "<script>alert(1)</script>"],
}
free_text = st.text(alphabet=st.one_of(st.characters(blacklist_categories=("Cs",)),
                                       st.sampled_from("\x00\x07\x1b\x7f\x85\t\n\r <>&\"'")), max_size=12)

CLUSTERS = {"h2": ("氢能", "emerging"), "storage": ("储能", "pillar"), "x-1": ("某集群", "pillar")}
valid_row = st.builds(
    lambda cid, city, role, basis, quote, place, role_zh: {
        "cluster_id": cid, "cluster_zh": CLUSTERS[cid][0], "cluster_en": "", "tier": CLUSTERS[cid][1],
        "place_zh": place, "city_zh": city, "adcode": "", "role_zh": role_zh, "role": role, "basis": basis,
        "quote": quote},
    st.sampled_from(list(CLUSTERS)), st.sampled_from(CITY_VALUES),
    st.sampled_from(["core", "innovation", "supporting"]), st.sampled_from(["explicit", "region"]),
    st.sampled_from(["原文一", "原文二", "<img src=x onerror=alert(1)>"]), st.sampled_from(["", "广州、深圳"]),
    st.sampled_from(["", "核心区"]),
)


def any_value(column):
    return st.one_of(st.none(), free_text, st.sampled_from(VALUES[column]))


# Fully arbitrary rows, and valid rows with a few cells replaced by anything:
# the second kind keeps a fair share of generated files valid.
arbitrary_row = st.fixed_dictionaries({c: any_value(c) for c in FIELDS})
changed_row = st.builds(
    lambda r, changes: {**r, **dict(changes)},
    valid_row,
    st.lists(st.sampled_from(FIELDS).flatmap(lambda c: st.tuples(st.just(c), any_value(c))), max_size=2),
)
any_row = st.one_of(valid_row, valid_row, changed_row, arbitrary_row)


def write_rows(rows_, fmt):
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=FIELDS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows_)
        return buf.getvalue().encode("utf-8"), "gen.csv"
    return yaml.safe_dump(rows_, allow_unicode=True).encode("utf-8"), "gen.yaml"


def resolved_key(policy, r):
    """(designation fields, adcode) of a row, read independently of the loader."""
    def t(v):
        v = (v or "").replace("\r\n", "\n").replace("\r", "\n").strip()
        return None if v.lower() in ("", "nan") else v
    city = policy.find_city(t(r["city_zh"])) if t(r["city_zh"]) else policy.cities[t(r["adcode"]).split(".")[0]]
    role = t(r["role"]).lower()
    return (t(r["cluster_id"]), t(r["basis"]).lower(), role, t(r["role_zh"]) or policy.role_categories[role]["zh"],
            t(r["place_zh"]) or city.name_zh, t(r["quote"]), city.adcode)


def is_blank(r):
    return not any((v or "").strip().lower() not in ("", "nan") for v in r.values())


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows_=st.lists(any_row, max_size=8), fmt=st.sampled_from(["csv", "yaml"]),
       mode=st.sampled_from(["replace", "beside"]))
def test_any_rows_are_accepted_or_rejected_never_raise(policy, rows_, fmt, mode):
    data, name = write_rows(rows_, fmt)
    res = load_designations(data, name, policy, mode)
    if res.problems:
        assert res.policy is None
        assert all(isinstance(p.message, str) and p.message and "\n" not in p.message for p in res.problems)
        return
    assert res.policy is not None
    df = designation_rows(res.policy)
    text = "".join(str(v) for r in df.itertuples(index=False) for v in r)
    assert not [c for c in text if unicodedata.category(c) == "Cc" and c not in "\t\n"]
    keys = {resolved_key(policy, r) for r in rows_ if not is_blank(r)}
    if mode == "replace":
        assert len(df) == len(keys)
    else:
        builtin = {(d.cluster_id, d.basis, d.role, d.quote, a) for d in policy.designations for a in d.adcodes}
        new = {k for k in keys if (k[0], k[1], k[2], k[5], k[6]) not in builtin}
        assert len(df) == len(designation_rows(policy)) + len(new)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows_=st.lists(valid_row, min_size=1, max_size=12), fmt=st.sampled_from(["csv", "yaml"]))
def test_valid_rows_give_one_designation_row_each(policy, rows_, fmt):
    keys = [resolved_key(policy, r) for r in rows_]
    data, name = write_rows(rows_, fmt)
    res = load_designations(data, name, policy)
    if len(set(keys)) < len(keys):
        assert res.policy is None and all("duplicate" in p.message for p in res.problems)
        seen, unique = set(), []
        for r, k in zip(rows_, keys):
            if k not in seen:
                seen.add(k)
                unique.append(r)
        data, name = write_rows(unique, fmt)
        res = load_designations(data, name, policy)
    assert res.policy is not None, res.problems
    df = designation_rows(res.policy)
    assert len(df) == len(set(keys))
    assert set(zip(df["cluster_id"], df["adcode"])) == {(k[0], k[-1]) for k in keys}


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=400), name=st.sampled_from(["b.csv", "b.xlsx", "b.yaml", "b.yml", "b.xls", "b"]))
def test_arbitrary_bytes_never_raise(policy, data, name):
    res = load_designations(data, name, policy)
    assert (res.policy is None) == bool(res.problems)

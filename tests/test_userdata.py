"""User-supplied designations: the loader, its checks and `cli.py --designations`."""

import io

import pytest
import yaml

from policy.coverage import designation_rows
from policy.userdata import MAX_BYTES, MAX_ROWS, load_designations
from testing.designations import FIELDS, HOSTILE, TEMPLATE, at, cli, load, plain, row, to_csv, to_xlsx
from tests.conftest import ROOT

# ---------------------------------------------------------------- template and round trips

@pytest.mark.parametrize("mode", ["replace", "beside"])
def test_shipped_template_validates(policy, mode):
    data = TEMPLATE.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    res = load(policy, data, TEMPLATE.name, mode)
    assert res.policy is not None, res.problems
    assert any("UTF-8" in n for n in res.notes)
    bases = {d.basis for d in res.policy.designations if d.cluster_id.endswith("_example")}
    assert bases == {"explicit", "region"}
    if mode == "beside":
        assert list(res.policy.clusters)[:len(policy.clusters)] == list(policy.clusters)


def test_template_readme_documents_every_column():
    text = (TEMPLATE.parent / "README.md").read_text(encoding="utf-8")
    for f in FIELDS:
        assert f"`{f}`" in text
    for word in ("GB18030", "2,000,000", "5,000", "replace", "beside", "pillar", "emerging", "cluster_area"):
        assert word in text


@pytest.fixture(scope="module")
def export_csv() -> bytes:
    p = cli("designations", "--format", "csv")
    assert p.returncode == 0, p.stderr
    return p.stdout.encode("utf-8")


def test_cli_export_loads_back_replace(policy, rows, export_csv):
    res = load(policy, export_csv, "export.csv", "replace")
    assert res.policy is not None, res.problems[:5]
    assert plain(designation_rows(res.policy)).equals(plain(rows))
    # A cluster with no designation has no row to export, so it cannot come back.
    assert list(res.policy.clusters) == [c for c in policy.clusters if policy.clusters[c].designations]
    got = [(d.cluster_id, d.adcodes, d.quote) for d in res.policy.designations]
    assert got == [(d.cluster_id, d.adcodes, d.quote) for d in policy.designations]


def test_cli_export_loads_back_beside_all_skipped(policy, rows, export_csv):
    res = load(policy, export_csv, "export.csv", "beside")
    assert res.policy is not None, res.problems[:5]
    assert res.policy.designations == policy.designations
    assert list(res.policy.clusters) == list(policy.clusters)
    assert f"{len(rows)} rows already in the built-in data were skipped" in res.notes


def test_app_download_with_bom_loads_back(policy, rows):
    from policy.tables import csv_bytes, records

    res = load(policy, csv_bytes(records(rows), FIELDS), "download.csv")
    assert plain(designation_rows(res.policy)).equals(plain(rows))


def test_nested_clusters_yaml_loads_back(policy, rows):
    data = (ROOT / "data" / "clusters.yaml").read_bytes()
    res = load(policy, data, "clusters.yaml")
    assert res.policy is not None, res.problems[:5]
    assert plain(designation_rows(res.policy)).equals(plain(rows))
    assert [(c.id, c.number, c.tier) for c in res.policy.clusters.values()] == [
        (c.id, c.number, c.tier) for c in policy.clusters.values()]
    assert res.policy.clusters["agri_food"].designations == ()
    assert res.policy.clusters["agri_food"].unplaced == policy.clusters["agri_food"].unplaced


# ---------------------------------------------------------------- building the policy

def test_valid_csv_builds_grouped_designations(policy):
    q1, q2 = "打造以广州、深圳为核心的氢能产业集群", "支持粤东粤西粤北发展储能配套"
    data = to_csv([
        row(city_zh="广州", place_zh="广州、深圳", quote=q1),
        row(city_zh="Shenzhen", adcode="440300", place_zh="广州、深圳", quote=q1),
        row(cluster_id="storage", cluster_zh="储能", cluster_en="", tier="pillar", city_zh="", adcode="440500",
            place_zh="粤东粤西粤北", role="supporting", basis="region", quote=q2),
        row(cluster_id="storage", cluster_zh="储能", cluster_en="", tier="pillar", city_zh="梅州市",
            place_zh="粤东粤西粤北", role="supporting", basis="region", quote=q2),
        # Without place_zh each row is its own place, hence its own designation.
        row(cluster_id="storage", cluster_zh="储能", cluster_en="", tier="pillar", city_zh="韶关", role="supporting",
            basis="region", quote=q2),
        row(role="innovation", role_zh="研发中心", city_zh="珠海"),
    ])
    res = load(policy, data)
    p = res.policy
    assert p is not None, res.problems
    assert list(p.clusters) == ["hydrogen", "storage"]
    h, s = p.clusters["hydrogen"], p.clusters["storage"]
    assert (h.number, h.tier, h.name_en) == (1, "emerging", "Hydrogen")
    assert (s.number, s.tier, s.name_en) == (1, "pillar", "储能")  # cluster_en defaults to cluster_zh
    assert [d.id for d in h.designations] == ["hydrogen-1", "hydrogen-2"]
    assert h.designations[0].adcodes == ("440100", "440300")
    assert h.designations[0].place_zh == "广州、深圳"
    assert h.designations[0].role_zh == "核心"  # the category's label
    assert h.designations[1].role_zh == "研发中心" and h.designations[1].place_zh == "珠海"
    assert s.designations[0].adcodes == ("440500", "441400")
    assert s.designations[0].basis == "region" and s.designations[0].region_id == ""
    assert s.designations[1].place_zh == "韶关" and s.designations[1].adcodes == ("440200",)
    assert p.cities is policy.cities and p.zones is policy.zones and p.role_categories is policy.role_categories
    df = designation_rows(p)
    assert len(df) == 6 and set(df["region_id"]) == {""}


def test_file_order_and_numbering_per_tier(policy):
    data = to_csv([
        row(cluster_id="c", cluster_zh="丙", tier="pillar"),
        row(cluster_id="a", cluster_zh="甲", tier="emerging"),
        row(cluster_id="b", cluster_zh="乙", tier="pillar"),
        row(cluster_id="c", cluster_zh="丙", tier="pillar", city_zh="深圳"),
    ])
    p = load(policy, data).policy
    assert [(c.id, c.tier, c.number) for c in p.clusters.values()] == [
        ("c", "pillar", 1), ("a", "emerging", 1), ("b", "pillar", 2)]


def test_beside_adds_to_builtin_cluster_and_appends_new_ones(policy):
    auto = policy.clusters["automotive"]
    data = to_csv([
        row(cluster_id="automotive", cluster_zh=auto.name_zh, cluster_en="", tier=auto.tier, city_zh="江门",
            role="manufacturing", quote="另一文件：支持江门发展汽车零部件"),
        row(),
    ])
    res = load(policy, data, mode="beside")
    p = res.policy
    assert p is not None, res.problems
    assert list(p.clusters) == list(policy.clusters) + ["hydrogen"]
    new = p.clusters["automotive"].designations
    assert new[:-1] == auto.designations
    assert new[-1].id == f"automotive-{len(auto.designations) + 1}" and new[-1].adcodes == ("440700",)
    n_emerging = sum(1 for c in policy.clusters.values() if c.tier == "emerging")
    assert p.clusters["hydrogen"].number == n_emerging + 1
    assert len(designation_rows(p)) == len(designation_rows(policy)) + 2


def test_beside_builtin_cluster_must_keep_name_and_tier(policy):
    data = to_csv([row(cluster_id="automotive", cluster_zh="汽车", cluster_en="", tier="emerging")])
    res = load(policy, data, mode="beside")
    assert res.policy is None
    assert at(res, 2, "cluster_zh") and "汽车产业" in at(res, 2, "cluster_zh")[0]
    assert at(res, 2, "tier") and "pillar" in at(res, 2, "tier")[0]
    # The same rows replace the built-in data without complaint.
    assert load(policy, data, mode="replace").policy is not None


def test_unknown_mode_is_a_programming_error(policy):
    with pytest.raises(ValueError, match="mode"):
        load_designations(to_csv([row()]), "x.csv", policy, "merge")


# ---------------------------------------------------------------- row problems

def test_every_row_problem_with_row_and_column(policy):
    rows_ = [
        row(),                                          # 2 fine
        row(cluster_id=""),                             # 3 missing cluster_id
        row(cluster_id="Hydrogen Energy"),              # 4 bad slug
        row(city_zh="广洲"),                              # 5 unknown city, suggestion
        row(city_zh="深圳", adcode="440100"),             # 6 city and adcode disagree
        row(tier="gold"),                               # 7 tier
        row(role="hub"),                                # 8 role
        row(basis="named"),                             # 9 basis
        row(quote=""),                                  # 10 missing quote
        row(cluster_zh="氢能源", city_zh="佛山"),           # 11 other name, same id
        row(city_zh="东莞"),                              # 12 fine
        row(city_zh="东莞"),                              # 13 duplicate of 12
        row(cluster_zh="", city_zh="江门"),                # 14 missing cluster_zh
        row(city_zh="", adcode=""),                     # 15 no city
        row(adcode="999999", city_zh=""),               # 16 unknown adcode
        row(cluster_id="all"),                          # 17 reserved id
        row(tier="pillar", city_zh="惠州"),               # 18 other tier, same id
    ]
    res = load(policy, to_csv(rows_))
    assert res.policy is None
    assert at(res, 3, "cluster_id") == ["required: the cluster's id, e.g. hydrogen_energy"]
    assert "lowercase" in at(res, 4, "cluster_id")[0]
    msg = at(res, 5, "city_zh")[0]
    assert "'广洲'" in msg and "广州" in msg and "did you mean" in msg
    msg = at(res, 6, "adcode")[0]
    assert "440100" in msg and "深圳" in msg and "广州" in msg
    assert "'gold'" in at(res, 7, "tier")[0] and "pillar or emerging" in at(res, 7, "tier")[0]
    msg = at(res, 8, "role")[0]
    assert "'hub'" in msg and all(r in msg for r in policy.role_categories)
    assert "'named'" in at(res, 9, "basis")[0] and "explicit or region" in at(res, 9, "basis")[0]
    assert at(res, 10, "quote") and at(res, 10, "quote")[0].startswith("required")
    msg = at(res, 11, "cluster_zh")[0]
    assert "'氢能'" in msg and "'氢能源'" in msg and "row 2" in msg
    assert at(res, 13, None) == ["duplicate: the same designation and city as row 12; keep one of the two rows"]
    assert at(res, 14, "cluster_zh")[0].startswith("required")
    assert "city" in at(res, 15, "city_zh")[0]
    assert "'999999'" in at(res, 16, "adcode")[0]
    assert "reserved" in at(res, 17, "cluster_id")[0]
    msg = at(res, 18, "tier")[0]
    assert "emerging" in msg and "'pillar'" in msg
    # Nothing else: the good rows (2, 12) are not blamed.
    assert not [p for p in res.problems if p.row in (2, 12)]
    rows_with_problems = {p.row for p in res.problems}
    assert rows_with_problems == set(range(3, 19)) - {12}
    # In file order.
    assert [p.row for p in res.problems] == sorted(p.row for p in res.problems)


def test_region_name_as_city_is_explained(policy):
    res = load(policy, to_csv([row(city_zh="珠三角")]))
    msg = at(res, 2, "city_zh")[0]
    assert "region" in msg and "东莞" in msg


def test_odd_one_out_is_blamed_for_a_cluster_name(policy):
    data = to_csv([row(cluster_zh="氢能源"), row(city_zh="深圳"), row(city_zh="佛山")])
    res = load(policy, data)
    assert [p.row for p in res.problems] == [2]
    assert "'氢能'" in res.problems[0].message and "'氢能源'" in res.problems[0].message


def test_header_problems(policy):
    data = to_csv([row()], fields=["cluster_id", "tier", "role", "basis"])
    res = load(policy, data)
    missing = {p.column for p in res.problems if p.row == 1}
    assert missing == {"cluster_zh", "quote", "city_zh"}
    # Columns missing from the header are reported once, not once per row.
    assert all(p.row == 1 for p in res.problems)


def test_header_matching_ignores_case_and_spaces_and_order(policy):
    text = (" QUOTE ,Cluster_ID,cluster_ZH,Tier , city_zh ,Role,BASIS\n"
            "打造以广州为核心的氢能产业集群,hydrogen,氢能,Emerging,广州,Core,Explicit\n")
    res = load(policy, text.encode())
    assert res.policy is not None, res.problems
    d = res.policy.designations[0]
    assert (d.role, d.basis, res.policy.clusters["hydrogen"].tier) == ("core", "explicit", "emerging")


def test_extra_columns_are_a_note_not_an_error(policy):
    data = to_csv([dict(row(), 备注="待核实", notes="x")], fields=FIELDS + ["备注", "notes"])
    res = load(policy, data)
    assert res.policy is not None
    assert any("备注" in n and "notes" in n for n in res.notes)


def test_value_in_unnamed_column_is_a_problem(policy):
    data = to_csv([row()]) + "hydrogen,氢能,,emerging,,深圳,,,core,explicit,a,b\n".encode()
    res = load(policy, data)
    assert at(res, 3, "column L") and "no header" in at(res, 3, "column L")[0]


def test_cells_are_stripped_blank_rows_skipped(policy):
    text = to_csv([row(cluster_id="  hydrogen ", city_zh=" 广州\u3000", quote="  原文  ")]).decode()
    text += ",,,,,,,,,,\n\n"
    res = load(policy, text.encode())
    assert res.policy is not None, res.problems
    d = res.policy.designations[0]
    assert (d.cluster_id, d.adcodes, d.quote) == ("hydrogen", ("440100",), "原文")
    assert len(designation_rows(res.policy)) == 1


def test_nan_and_none_are_missing(policy):
    data = yaml.safe_dump([dict(row(), cluster_en=float("nan"), place_zh=None, adcode=None)],
                          allow_unicode=True).encode()
    res = load(policy, data, "rows.yaml")
    assert res.policy is not None, res.problems
    assert res.policy.clusters["hydrogen"].name_en == "氢能"  # NaN is missing: the default applies
    assert res.policy.designations[0].place_zh == "广州"


def test_all_problems_reported_at_once(policy):
    rows_ = [row(tier="x", city_zh=f"城{i}") for i in range(40)]
    res = load(policy, to_csv(rows_))
    assert len({p.row for p in res.problems}) == 40
    assert len(res.problems) == 80


# ---------------------------------------------------------------- hostile and control characters

@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_is_kept_verbatim(policy, text):
    data = to_csv([row(cluster_zh=text, cluster_en=text, place_zh=text, role_zh=text, quote=text)])
    res = load(policy, data)
    assert res.policy is not None, res.problems
    c = res.policy.clusters["hydrogen"]
    d = c.designations[0]
    assert c.name_zh == c.name_en == d.place_zh == d.role_zh == d.quote == text
    out = designation_rows(res.policy).iloc[0]
    assert out["quote"] == text and out["cluster_zh"] == text


@pytest.mark.parametrize("ch", ["\x00", "\x07", "\x1b", "\x7f", "\x85"])
@pytest.mark.parametrize("column", ["cluster_zh", "quote", "place_zh"])
def test_control_characters_are_rejected(policy, ch, column):
    res = load(policy, to_csv([row(**{column: f"氢{ch}能"})]))
    assert res.policy is None
    msg = at(res, 2, column)
    assert len(msg) == 1 and f"U+{ord(ch):04X}" in msg[0]


def test_control_character_in_extra_column_is_rejected(policy):
    res = load(policy, to_csv([dict(row(), notes="a\x01b")], fields=FIELDS + ["notes"]))
    assert at(res, 2, "notes")


def test_tab_and_newline_are_allowed(policy):
    res = load(policy, to_csv([row(quote="第一行\n第二行\t续")]))
    assert res.policy is not None
    assert res.policy.designations[0].quote == "第一行\n第二行\t续"


# ---------------------------------------------------------------- encodings, sizes, formats

def test_gbk_csv_is_read_as_gb18030(policy):
    data = to_csv([row(city_zh="韶关", quote="支持韶关发展氢能")], encoding="gbk")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    res = load(policy, data)
    assert res.policy is not None, res.problems
    assert any("GB18030" in n for n in res.notes)
    assert res.policy.designations[0].quote == "支持韶关发展氢能"
    assert res.policy.designations[0].adcodes == ("440200",)


def test_utf8_without_bom_note(policy):
    res = load(policy, to_csv([row()]))
    assert "read as UTF-8" in res.notes


def test_undecodable_bytes_are_rejected(policy):
    data = to_csv([row()]) + b"\x81\x30\xff\xff\n"
    res = load(policy, data)
    assert res.policy is None and len(res.problems) == 1
    assert res.problems[0].row is None
    assert "UTF-8" in res.problems[0].message and "GB18030" in res.problems[0].message


def test_bad_utf8_after_bom_is_rejected(policy):
    res = load(policy, b"\xef\xbb\xbf" + to_csv([row()]) + b"\xff\xfe\xfa")
    assert res.policy is None and "byte-order mark" in res.problems[0].message


def test_oversize_file(policy):
    data = to_csv([row()])
    res = load(policy, data, max_bytes=len(data) - 1)
    assert res.policy is None and len(res.problems) == 1
    assert f"{len(data):,} bytes" in res.problems[0].message
    assert f"{len(data) - 1:,} bytes" in res.problems[0].message
    big = load(policy, b"a" * (MAX_BYTES + 1))
    assert "2,000,001" in big.problems[0].message and "2,000,000" in big.problems[0].message


def test_too_many_rows(policy):
    data = to_csv([row(city_zh=c) for c in ("广州", "深圳", "珠海", "佛山")])
    res = load(policy, data, max_rows=3)
    assert res.policy is None and len(res.problems) == 1
    assert "4 data rows" in res.problems[0].message and "limit is 3" in res.problems[0].message
    assert load(policy, data, max_rows=4).policy is not None
    assert MAX_ROWS == 5_000


def test_too_many_rows_xlsx_and_yaml(policy):
    table = [FIELDS] + [[row(city_zh=c)[f] for f in FIELDS] for c in ("广州", "深圳", "珠海")]
    res = load(policy, to_xlsx(table), "m.xlsx", max_rows=2)
    assert "more than 2" in res.problems[0].message
    res = load(policy, yaml.safe_dump([row(city_zh=c) for c in ("广州", "深圳", "珠海")]).encode(), "m.yaml",
               max_rows=2)
    assert "3 rows" in res.problems[0].message


@pytest.mark.parametrize("name", ["old.xls", "OLD.XLS"])
def test_xls_is_rejected_with_advice(policy, name):
    res = load(policy, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, name)
    assert len(res.problems) == 1
    assert ".xlsx" in res.problems[0].message and "CSV" in res.problems[0].message


def test_xls_content_under_xlsx_or_csv_name(policy):
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100
    for name in ("renamed.xlsx", "renamed.csv"):
        res = load(policy, data, name)
        assert res.policy is None and ".xls" in res.problems[0].message


@pytest.mark.parametrize("name", ["mine.txt", "mine.json", "mine", "mine.csv.bak"])
def test_unknown_extension(policy, name):
    res = load(policy, to_csv([row()]), name)
    assert len(res.problems) == 1
    msg = res.problems[0].message
    assert all(e in msg for e in (".csv", ".xlsx", ".yaml", ".yml"))


def test_empty_file(policy):
    for data in (b"", b"  \n"):
        res = load(policy, data)
        assert res.policy is None and "empty" in res.problems[0].message
    res = load(policy, to_csv([]))
    assert res.policy is None and "no data rows" in res.problems[0].message


def test_semicolon_separated_csv(policy):
    text = ";".join(FIELDS) + "\n" + ";".join(row()[f] for f in FIELDS) + "\n"
    res = load(policy, text.encode())
    assert res.policy is not None, res.problems
    assert any("';'" in n for n in res.notes)


# ---------------------------------------------------------------- XLSX

def test_valid_xlsx(policy):
    table = [
        [f.upper() for f in FIELDS] + ["备注"],
        [row()[f] for f in FIELDS] + ["note"],
        [None] * len(FIELDS),
        [row(city_zh=None, adcode=440300.0)[f] for f in FIELDS],  # Excel keeps numbers as floats
        [row(city_zh=None, adcode=440400)[f] for f in FIELDS],
    ]
    res = load(policy, to_xlsx(table), "mine.xlsx")
    assert res.policy is not None, res.problems
    assert [d.adcodes for d in res.policy.designations] == [("440100",), ("440300",), ("440400",)]
    assert any("备注" in n for n in res.notes)


def test_invalid_xlsx_reports_sheet_rows(policy):
    table = [FIELDS, [row()[f] for f in FIELDS], [], [row(tier="gold", city_zh="香港")[f] for f in FIELDS]]
    res = load(policy, to_xlsx(table), "mine.xlsx")
    assert res.policy is None
    assert at(res, 4, "tier") and at(res, 4, "city_zh")
    assert {p.row for p in res.problems} == {4}


def test_xlsx_reads_first_sheet_only(policy):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    wb.active.append(FIELDS)
    wb.active.append([row()[f] for f in FIELDS])
    wb.create_sheet("other").append(["junk"])
    buf = io.BytesIO()
    wb.save(buf)
    res = load(policy, buf.getvalue(), "two.xlsx")
    assert res.policy is not None and any("first sheet" in n for n in res.notes)


@pytest.mark.parametrize("data", [b"PK\x03\x04 not really a zip", b"plain text, not a workbook",
                                  b"PK\x05\x06" + b"\0" * 18])
def test_broken_xlsx(policy, data):
    res = load(policy, data, "broken.xlsx")
    assert res.policy is None and len(res.problems) == 1 and res.problems[0].row is None


def test_xlsx_named_csv(policy):
    res = load(policy, to_xlsx([FIELDS, [row()[f] for f in FIELDS]]), "really.csv")
    assert res.policy is None and ".xlsx" in res.problems[0].message


# ---------------------------------------------------------------- YAML

def test_flat_yaml(policy):
    data = yaml.safe_dump([row(), row(city_zh="深圳", adcode=440300)], allow_unicode=True).encode()
    res = load(policy, data, "mine.yml")
    assert res.policy is not None, res.problems
    assert res.policy.designations[0].adcodes == ("440100",)
    assert len(designation_rows(res.policy)) == 2


def test_flat_yaml_problems_use_item_numbers(policy):
    data = yaml.safe_dump([row(), "not a mapping", row(role=["core"]), row(basis="regional")],
                          allow_unicode=True).encode()
    res = load(policy, data, "mine.yaml")
    assert res.policy is None
    assert at(res, 2, None) and "mapping" in at(res, 2, None)[0]
    assert at(res, 3, "role") == ["expected a single value, got a list"]
    assert at(res, 4, "basis")


def test_nested_yaml(policy):
    doc = {"clusters": [
        {"id": "hydrogen", "tier": "emerging", "name_zh": "氢能", "name_en": "Hydrogen",
         "designations": [
             {"basis": "explicit", "places": ["广州", "佛山"], "role": "core", "quote": "以广州、佛山为核心"},
             {"basis": "region", "region": "prd_east_bank", "role": "supporting", "role_zh": "配套",
              "quote": "珠江东岸配套"},
         ]},
        {"id": "storage", "tier": "pillar", "name_zh": "储能", "designations": [], "unplaced": ["无地点的条款"]},
    ]}
    res = load(policy, yaml.safe_dump(doc, allow_unicode=True).encode(), "nested.yaml")
    p = res.policy
    assert p is not None, res.problems
    h = p.clusters["hydrogen"]
    assert h.designations[0].adcodes == ("440100", "440600") and h.designations[0].place_zh == "广州、佛山"
    assert h.designations[1].adcodes == policy.regions["prd_east_bank"].members
    assert h.designations[1].place_zh == policy.regions["prd_east_bank"].term_zh
    assert p.clusters["storage"].designations == () and p.clusters["storage"].unplaced == ("无地点的条款",)


def test_nested_yaml_problems(policy):
    doc = {"clusters": [
        {"id": "ok", "tier": "pillar", "name_zh": "好", "designations": [
            {"basis": "explicit", "places": ["广州"], "role": "core", "quote": "q"}]},
        {"id": "Bad Id", "tier": "pillar", "name_zh": "坏", "designations": [
            {"basis": "region", "region": "nowhere", "role": "core", "quote": "q"},
            {"basis": "explicit", "places": ["广州", "广洲", "广州"], "role": "core", "quote": "q"},
        ]},
    ]}
    res = load(policy, yaml.safe_dump(doc, allow_unicode=True).encode(), "nested.yaml")
    assert res.policy is None
    assert at(res, 2, "id")
    assert "nowhere" in at(res, 2, "designations[1].region")[0]
    assert "广州" in at(res, 2, "designations[2].places[2]")[0]
    assert not [p for p in res.problems if p.row == 1]


@pytest.mark.parametrize("text", ["{a: [", "key: value\n", "42\n", "- [1, 2]\n", "- 2020-02-30\n", "[" * 5000])
def test_bad_yaml(policy, text):
    res = load(policy, text.encode(), "bad.yaml")
    assert res.policy is None and res.problems

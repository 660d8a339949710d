"""Hostile designations files (issue 12): linear checks, caps, XLSX dimension,
YAML typing, bidi characters, formula cells in every CSV the project writes."""

from __future__ import annotations

import csv
import io
import re
import time
import zipfile

import openpyxl
import pytest
import yaml

from ingest.text import FORMULA_START
from policy.coverage import designation_rows
from policy.tables import DESIGNATION_FIELDS, csv_bytes, table, write_csv
from policy.userdata import load_designations


def row(**over):
    r = dict(cluster_id="hydrogen", cluster_zh="氢能", cluster_en="Hydrogen", tier="emerging", place_zh="",
             city_zh="广州", adcode="", role_zh="", role="core", basis="explicit", quote="打造氢能产业集群")
    r.update(over)
    return r


def csv_of(rows, fields=DESIGNATION_FIELDS) -> bytes:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow(r)
    return buf.getvalue().encode()


def xlsx_of(rows) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(DESIGNATION_FIELDS)
    for r in rows:
        ws.append([r[f] for f in DESIGNATION_FIELDS])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# ---------------------------------------------------------------- CPU: linear checks

@pytest.mark.slow  # 5000 rows judged three times: several seconds in all
@pytest.mark.parametrize("fmt", ["csv", "xlsx", "yaml"])
def test_a_problem_in_every_row_of_5000_validates_fast(policy, fmt):
    rows = [row(cluster_id=f"c{i % 150}", cluster_zh=f"名{i}", city_zh=f"无此城{i}", quote=f"q{i}", tier="gold")
            for i in range(5000)]
    data = {"csv": csv_of, "xlsx": xlsx_of,
            "yaml": lambda rs: yaml.safe_dump(rs, allow_unicode=True).encode()}[fmt](rows)
    # CPU seconds of this process: the cost of the checks, not how busy the machine is
    # (wall time doubled when the suite's other worker loaded the second core).
    t = time.process_time()
    res = load_designations(data, "bad." + fmt, policy)
    took = time.process_time() - t
    assert took <= 5.0, took
    assert res.policy is None
    # capped: 200 listed, the rest counted in one last line
    assert len(res.problems) == 201
    last = str(res.problems[-1])
    m = re.fullmatch(r"and ([\d,]+) more problems \(only the first 200 are listed\)", last)
    assert m and int(m.group(1).replace(",", "")) > 9000


@pytest.mark.parametrize("cells", [16_000, 100_000])
def test_a_row_of_headerless_cells_is_linear(policy, cells):
    data = (",".join(DESIGNATION_FIELDS) + "\n" + ",".join(["x"] * cells) + "\n").encode()
    t = time.process_time()
    res = load_designations(data, "wide.csv", policy)
    assert time.process_time() - t < 2.0
    assert res.policy is None
    text = " ".join(map(str, res.problems))
    assert f"the row has {cells - 256:,} values beyond column IV" in text
    assert str(res.problems[-1]).startswith("and ")


def test_header_wider_than_the_cap_is_refused(policy):
    header = DESIGNATION_FIELDS + [f"extra{i}" for i in range(300)]
    res = load_designations(csv_of([], header), "wide.csv", policy)
    assert res.policy is None and "the header has 311 columns; at most 256" in str(res.problems[0])


# ---------------------------------------------------------------- memory: caps

@pytest.mark.parametrize("column, limit", [("quote", 2000), ("cluster_zh", 100), ("city_zh", 50),
                                           ("role_zh", 200)])
def test_cell_length_caps(policy, column, limit):
    ok = load_designations(csv_of([row(**{column: ("广州" if column == "city_zh" else "字" * limit)})]),
                           "f.csv", policy)
    assert ok.policy is not None or column == "city_zh"
    res = load_designations(csv_of([row(**{column: "字" * (limit + 1)})]), "f.csv", policy)
    assert res.policy is None
    assert f"{limit + 1:,} characters; the limit for this column is {limit:,}" in str(res.problems[0])


def test_xlsx_with_a_huge_quote_is_refused(policy):
    data = xlsx_of([row(quote="x" * 3_000_000)])
    assert len(data) < 2_000_000
    res = load_designations(data, "big.xlsx", policy)
    assert res.policy is None
    assert "limit" in str(res.problems[0])


def test_too_many_clusters(policy):
    rows = [row(cluster_id=f"c{i}", cluster_zh=f"名{i}") for i in range(201)]
    res = load_designations(csv_of(rows), "many.csv", policy)
    assert res.policy is None
    assert "201 distinct cluster_ids; the limit is 200" in " ".join(map(str, res.problems))
    assert load_designations(csv_of(rows[:200]), "ok.csv", policy).policy is not None


# ---------------------------------------------------------------- silent loss

def understate_dimension(data: bytes, ref: str) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                body, n = re.subn(rb'<dimension ref="[^"]*"', f'<dimension ref="{ref}"'.encode(), body)
                assert n == 1
            dst.writestr(info, body)
    return out.getvalue()


def test_xlsx_understated_dimension_reads_every_row(policy):
    cities = ["广州", "深圳", "珠海", "汕头", "佛山", "韶关", "河源", "梅州", "惠州", "汕尾"]
    data = understate_dimension(xlsx_of([row(city_zh=c) for c in cities]), "A1:K2")
    res = load_designations(data, "dim.xlsx", policy)
    assert res.policy is not None, res.problems
    adcodes = [a for d in res.policy.clusters["hydrogen"].designations for a in d.adcodes]
    assert [policy.cities[a].name_zh for a in adcodes] == cities


def test_xlsx_understated_dimension_still_finds_problems(policy):
    rows = [row()] + [row(city_zh="Atlantis")]
    data = understate_dimension(xlsx_of(rows), "A1:B1")
    res = load_designations(data, "dim.xlsx", policy)
    assert res.policy is None and "row 3:city_zh: unknown city 'Atlantis'" in " ".join(map(str, res.problems))


def test_yaml_11_coercions_do_not_happen(policy):
    data = ("- cluster_id: hydrogen\n  cluster_zh: no\n  tier: emerging\n  city_zh: 广州\n  role: core\n"
            "  basis: explicit\n  quote: yes\n  cluster_en: 2020-05-18\n").encode()
    res = load_designations(data, "r.yaml", policy)
    assert res.policy is not None, res.problems
    c = res.policy.clusters["hydrogen"]
    assert (c.name_zh, c.name_en, c.designations[0].quote) == ("no", "2020-05-18", "yes")


@pytest.mark.parametrize("code", ["0x6B724", "0o1537444", "+440100", "4401_00"])
def test_yaml_adcode_not_a_plain_number_is_refused(policy, code):
    data = yaml.safe_dump([row(city_zh=None)], allow_unicode=True).replace("adcode: ''", f"adcode: {code}")
    res = load_designations(data.encode(), "r.yaml", policy)
    assert res.policy is None
    assert "is not a number such as 440100" in " ".join(map(str, res.problems))


# ---------------------------------------------------------------- spoofing

@pytest.mark.parametrize("ch", ["\u202e", "\u202a", "\u2066", "\u2069", "\u200e", "\u200f", "\u061c"])
@pytest.mark.parametrize("column", ["cluster_zh", "cluster_en", "place_zh", "role_zh", "quote", "city_zh"])
def test_bidi_controls_refused_in_every_text_field(policy, ch, column):
    value = row()[column] or "x"
    res = load_designations(csv_of([row(**{column: value[:1] + ch + value[1:]})]), "b.csv", policy)
    assert res.policy is None
    msg = " ".join(map(str, res.problems))
    assert f"bidirectional control character U+{ord(ch):04X}" in msg and column in msg


def test_bidi_in_yaml_unplaced_and_other_columns(policy):
    data = csv_of([dict(row(), note="a\u202eb")], DESIGNATION_FIELDS + ["note"])
    res = load_designations(data, "b.csv", policy)
    assert res.policy is None and "U+202E" in str(res.problems[0])


def test_traditional_names_and_fullwidth_codes_match(policy):
    rows = [row(city_zh="廣州"), row(city_zh="", adcode="４４０３００"), row(city_zh="韶關", adcode="440200.0")]
    res = load_designations(csv_of(rows), "t.csv", policy)
    assert res.policy is not None, res.problems
    adcodes = [a for d in res.policy.clusters["hydrogen"].designations for a in d.adcodes]
    assert adcodes == ["440100", "440300", "440200"]


# ---------------------------------------------------------------- formula injection

HOSTILE = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+cmd|' /C calc'!A0", "-2+3", "@SUM(1,2)",
           "=1+2", "+86 20 1234", "-", "@"]


def cells_of(data: bytes) -> list[str]:
    text = data.decode("utf-8-sig")
    return [c for r in csv.reader(io.StringIO(text)) for c in r]


def hostile_policy(policy):
    rows = [row(quote=q, role_zh=q, place_zh=q, cluster_en=HOSTILE[0]) for q in HOSTILE]
    res = load_designations(csv_of(rows), "h.csv", policy)
    assert res.policy is not None, res.problems
    return res.policy


def test_no_csv_the_project_writes_starts_with_a_formula(policy):
    for p in (policy, hostile_policy(policy)):
        rows = designation_rows(p)
        for kind in ("designations", "coverage", "zones"):
            recs, fields = table(kind, p, rows)
            cells = cells_of(csv_bytes(recs, fields))
            assert cells and not [c for c in cells if c.startswith(FORMULA_START)], kind


def test_formula_cells_round_trip(policy):
    p = hostile_policy(policy)
    recs, fields = table("designations", p, designation_rows(p))
    buf = io.StringIO()
    write_csv(recs, fields, buf)
    exported = buf.getvalue()
    assert "'=HYPERLINK" in exported and "'-2+3" in exported and "'@SUM" in exported
    back = load_designations(exported.encode(), "back.csv", policy)
    assert back.policy is not None, back.problems
    quotes = [d.quote for d in back.policy.designations]
    assert quotes == HOSTILE
    assert back.policy.clusters["hydrogen"].name_en == HOSTILE[0]


def test_tab_and_cr_cells_are_neutralised():
    buf = io.StringIO()
    write_csv([{"a": "\t=1+2", "b": "\r=3", "c": "plain", "d": 5, "e": ["=x", "y"]}], ["a", "b", "c", "d", "e"], buf)
    cells = [c for r in csv.reader(io.StringIO(buf.getvalue())) for c in r]
    # CR becomes LF (as the loader reads it); the cell still cannot run
    assert cells[5:] == ["'\t=1+2", "\n=3", "plain", "5", "'=x;y"]


def test_total_text_cap(policy, monkeypatch):
    import policy.userdata as ud

    monkeypatch.setattr(ud, "DES_MAX_TEXT", 1000)
    rows = [row(quote="字" * 300, city_zh=c) for c in ("广州", "深圳", "珠海")]
    res = load_designations(csv_of(rows), "t.csv", policy)
    assert res.policy is None and "characters of text; the limit is 1,000" in str(res.problems[0])
    assert load_designations(csv_of(rows[:2]), "t.csv", policy).policy is not None


@pytest.mark.parametrize("size, expect", [(3_000_000, "3,000,000 characters; the limit for this column is 2,000"),
                                          (5_000_000, "characters of text; the limit is 4,000,000"),
                                          (40_000_000, "looks like a zip bomb")])
def test_hand_made_xlsx_with_a_huge_string(policy, size, expect):
    # openpyxl caps a cell at 32,767 characters when writing; an attacker edits the XML
    src = zipfile.ZipFile(io.BytesIO(xlsx_of([row(quote="PLACEHOLDER")])))
    out = io.BytesIO()
    replaced = 0
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            replaced += body.count(b"PLACEHOLDER")
            dst.writestr(info, body.replace(b"PLACEHOLDER", b"x" * size))
    assert replaced == 1
    data = out.getvalue()
    assert len(data) < 200_000
    t = time.process_time()  # CPU seconds: the reader's cost, not the machine's load
    res = load_designations(data, "big.xlsx", policy)
    assert time.process_time() - t < 5
    assert res.policy is None and expect in " ".join(map(str, res.problems))


# ---------------------------------------------------------------- wide encodings (issue 21)

WIDE = {
    "UTF-32 (with byte-order mark)": lambda t: t.encode("utf-32"),
    "UTF-32 (with byte-order mark) BE": lambda t: b"\x00\x00\xfe\xff" + t.encode("utf-32-be"),
    "UTF-32LE": lambda t: t.encode("utf-32-le"),
    "UTF-32BE": lambda t: t.encode("utf-32-be"),
    "UTF-16 (with byte-order mark)": lambda t: t.encode("utf-16"),
    "UTF-16LE": lambda t: t.encode("utf-16-le"),
    "UTF-16BE": lambda t: t.encode("utf-16-be"),
}


@pytest.mark.parametrize("encoding", list(WIDE))
def test_utf32_and_utf16_with_or_without_bom_are_read(policy, encoding):
    text = csv_of([row(city_zh="韶关", quote="支持韶关发展氢能𠀀"), row(city_zh="廣州")]).decode()
    res = load_designations(WIDE[encoding](text), "wide.csv", policy)
    assert res.policy is not None, res.problems[:3]
    assert [d.quote for d in res.policy.designations] == ["支持韶关发展氢能𠀀", "打造氢能产业集群"]
    assert [d.adcodes for d in res.policy.designations] == [("440200",), ("440100",)]
    name = encoding.removesuffix(" BE").split(" ")[0]
    note = next(n for n in res.notes if n.id.startswith("text.read"))
    assert name in note.render("en") and name in note.render("zh")
    assert ("no byte-order mark" in note) == ("with" not in encoding)


def test_broken_utf32_after_its_bom_names_the_encoding(policy):
    data = "\ufeffcluster_id".encode("utf-32-le") + b"\x00\x00\x11\x00"  # U+110000 does not exist
    res = load_designations(data, "bad.csv", policy)
    assert res.policy is None and len(res.problems) == 1
    msg = res.problems[0].message
    assert "UTF-32 byte-order mark" in msg and "UTF-8, UTF-16, UTF-32 and GB18030/GBK are accepted" in msg
    assert "UTF-32" in msg.render("zh") and "GB18030/GBK" in msg.render("zh")


def test_a_stray_nul_in_utf8_is_not_taken_for_a_wide_encoding(policy):
    data = csv_of([row(quote="打造\x00氢能")])
    res = load_designations(data, "nul.csv", policy)
    assert res.policy is None and "read as UTF-8" in res.notes
    assert "control character U+0000" in str(res.problems[0])


# ---------------------------------------------------------------- unknown cities (issue 21)

def test_closest_names_only_for_problems_that_are_listed(policy, monkeypatch):
    import difflib

    import policy.userdata_check as check

    calls = []
    real = difflib.get_close_matches

    def counted(*args, **kw):
        calls.append(args[0])
        return real(*args, **kw)

    monkeypatch.setattr(check.difflib, "get_close_matches", counted)
    rows = [row(city_zh="广洲", adcode=f"44{i:04d}" if i % 2 else "", quote=f"q{i}") for i in range(5000)]
    res = load_designations(csv_of(rows), "unknown.csv", policy)
    assert res.policy is None and len(res.problems) == 201
    # Only what is listed gets a "did you mean": 200 problems, not 5,000 rows (each a
    # difflib pass over every city name; 1.6 ms a row made such a file take 8 s).
    assert len(calls) <= 200
    listed = [str(p) for p in res.problems[:200]]
    assert all("did you mean" in p for p in listed), listed[:3]
    assert "did you mean 广州 (Guangzhou, 440100)" in listed[0]
    m = re.fullmatch(r"and ([\d,]+) more problems \(only the first 200 are listed\)", str(res.problems[-1]))
    assert m and int(m.group(1).replace(",", "")) == 5000 + 2500 - 200

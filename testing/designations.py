"""Designation files for the tests: rows, CSV/XLSX bytes, loading with the result checked."""

import csv
import io
from pathlib import Path

import pytest

from policy.tables import DESIGNATION_FIELDS
from policy.userdata import load_designations
from testing.cli import run_cli

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "data" / "templates" / "designations-template.csv"
FIELDS = list(DESIGNATION_FIELDS)
HOSTILE = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "javascript:alert(1)"]


def cli(*args):
    return run_cli(*args)  # in this process (testing/cli.py says why)


def row(**kw):
    base = {"cluster_id": "hydrogen", "cluster_zh": "氢能", "cluster_en": "Hydrogen", "tier": "emerging",
            "place_zh": "", "city_zh": "广州", "adcode": "", "role_zh": "", "role": "core", "basis": "explicit",
            "quote": "打造以广州为核心的氢能产业集群"}
    base.update(kw)
    return base


def to_csv(rows, fields=FIELDS, encoding="utf-8") -> bytes:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n", extrasaction="ignore")
    w.writeheader()
    for r in rows:
        w.writerow(r)
    return buf.getvalue().encode(encoding)


def to_xlsx(table) -> bytes:
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in table:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def load(policy, data, name="mine.csv", mode="replace", **kw):
    res = load_designations(data, name, policy, mode, **kw)
    assert (res.policy is None) == bool(res.problems), res.problems
    return res


def at(res, row, column):
    """Messages of the problems at (row, column)."""
    return [p.message for p in res.problems if p.row == row and p.column == column]


def plain(rows_df):
    """Designation rows without the generated ids, for comparing two policies."""
    return rows_df.drop(columns=["designation_id", "region_id"]).reset_index(drop=True)

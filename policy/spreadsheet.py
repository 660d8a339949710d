"""Every spreadsheet the project writes, CSV and XLSX, command line and app alike.

Names, places and clauses can come from a user's file, so a cell may hold
`=HYPERLINK(...)` or `=WEBSERVICE(...)`. One check, `guard`, decides for every
cell of both writers whether a spreadsheet would evaluate it (OWASP CSV
injection: text starting with = + - @ tab or CR):

- CSV has no types, so such a cell gets a leading ' (Excel, LibreOffice and WPS
  show the rest as text); the designations loader and `read_matrix_csv` remove it.
- XLSX has types: such a cell is written as a string cell (never openpyxl's
  formula type, which it would infer from a leading =) with the quotePrefix
  style, so editing it in Excel keeps it text. The value itself is unchanged.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping

import pandas as pd

from ingest.text import formula_like


def guard(value: object) -> tuple[object, bool]:
    """(the value to write, whether it must be stored as plain text because a
    spreadsheet would otherwise evaluate it)."""
    return value, isinstance(value, str) and formula_like(value)


# ------------------------------------------------------------------------ CSV


def csv_cell(value: object) -> object:
    # Lists become ';'-joined in CSV so each row stays one flat record.
    if isinstance(value, (list, tuple)):
        value = ";".join(value)
    if isinstance(value, str) and "\r" in value:
        # csv quotes only the line terminator's characters ("\n"): a bare CR would
        # split the row in a reader. The designations loader reads CR as LF too.
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    value, as_text = guard(value)
    return "'" + value if as_text else value


def write_csv(recs: list[dict], fields: list[str], out) -> None:
    """CSV of `recs` (dicts; keys outside `fields` are ignored), every cell guarded."""
    writer = csv.DictWriter(out, fieldnames=fields, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for r in recs:
        writer.writerow({k: csv_cell(v) for k, v in r.items()})


def csv_bytes(recs: list[dict], fields: list[str]) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens the Chinese text correctly."""
    buf = io.StringIO()
    write_csv(recs, fields, buf)
    return buf.getvalue().encode("utf-8-sig")


# ----------------------------------------------------------------------- XLSX


def _plain(value: object) -> object:
    """A pandas/numpy cell as a value openpyxl writes: None (an empty cell) for
    missing or empty text, Python numbers, lists ';'-joined as in the CSV."""
    if value is None or value is pd.NA or value is pd.NaT or value == "":
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):  # numpy scalars
        value = value.item()
        if isinstance(value, float) and math.isnan(value):
            return None
    if isinstance(value, (list, tuple)):
        return ";".join(map(str, value))
    return value


def _put(ws, row: int, col: int, value: object, font=None):
    value, as_text = guard(_plain(value))
    cell = ws.cell(row=row, column=col)
    cell.value = value
    if isinstance(value, str):
        # openpyxl infers a formula from "=..." and an error from "#N/A": text stays text.
        cell.data_type = "s"
    if as_text:
        cell.quotePrefix = True
    if font is not None:
        cell.font = font
    return cell


def xlsx_bytes(sheets: Mapping[str, pd.DataFrame]) -> bytes:
    """A workbook with one sheet per frame (in order): a bold header row of the
    column names, then the values; no index. Every cell guarded."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    bold = Font(bold=True)
    wb = Workbook()
    wb.remove(wb.active)
    for name, df in sheets.items():
        ws = wb.create_sheet(title=name)
        for j, col in enumerate(df.columns, start=1):
            _put(ws, 1, j, str(col), bold)
        for i, values in enumerate(df.itertuples(index=False, name=None), start=2):
            for j, v in enumerate(values, start=1):
                _put(ws, i, j, v)
        ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()

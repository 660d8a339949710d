"""Designations files, read into rows of the flat schema whatever the format.

CSV (decoded by `ingest.text.decode`), XLSX (the first worksheet, openpyxl
read-only, its `<dimension>` ignored), YAML (flat rows, or the nested layout of
data/clusters.yaml, loaded without YAML 1.1 coercions). Every reader returns a
list of `_Row`, or None after reporting why the file cannot be read at all.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import math
import warnings
from dataclasses import dataclass, field

import yaml

from ingest.caps import CELL_MAX, DES_MAX_COLUMNS, XLSX_EXPANSION, XLSX_MAX_MEMBERS
from ingest.report import Report
from ingest.text import bad_character, decode, strip_formula_guard
from ingest.text import safe_str as _str
from ingest.text import show as _show
from ingest.zipguard import ZipRefused, check_zip
from policy.model import Policy
from policy.tables import DESIGNATION_FIELDS

COLUMNS = tuple(DESIGNATION_FIELDS)
REQUIRED = ("cluster_id", "cluster_zh", "tier", "role", "basis", "quote")  # and city_zh or adcode
CITY_COLUMNS = ("city_zh", "adcode")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_NESTED_CLUSTER_KEYS = {"id", "number", "tier", "name_zh", "name_en", "designations", "unplaced"}
_NESTED_DESIGNATION_KEYS = {"basis", "places", "region", "place_zh", "role_zh", "role", "quote"}


class _PlainLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """SafeLoader without YAML 1.1's implicit types: `yes` stays the text "yes"
    (not True), `0x6B724` stays text (not 440100), dates stay text. Only null is
    still recognised. Every field of the schema is text, so nothing is lost.
    libyaml's parser when installed: six times faster on a 5,000-row file."""


_PlainLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag in ("tag:yaml.org,2002:null", "tag:yaml.org,2002:merge")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass
class _Row:
    """One data row before checking, in the flat schema whatever the format."""

    row: int
    label: str  # how another problem refers to this row
    values: dict[str, object]  # schema column -> raw cell
    columns: dict[str, str]  # schema column -> the name the user sees
    present: frozenset[str]  # schema columns the file has at all
    other: dict[str, object] = field(default_factory=dict)  # cells outside the schema, by display name
    cluster_only: bool = False  # a nested cluster without designations
    where: str | None = None  # nested YAML: the path of the place, the column of row-level problems
    unplaced: tuple[str, ...] = ()

    def col(self, name: str) -> str:
        return self.columns.get(name, name)



# ---------------------------------------------------------------- cells

def _cell(value: object, limit: int | None = None) -> tuple[str | None, str | None]:
    """(text or None when missing, error message or None); `limit`: most characters allowed."""
    if value is None:
        return None, None
    if isinstance(value, bool):
        text = str(value)
    elif isinstance(value, int):
        text = _str(value)
    elif isinstance(value, float):
        if math.isnan(value):
            return None, None
        # Excel stores every number as a float: 440100 comes back as 440100.0.
        text = str(int(value)) if value.is_integer() else str(value)
    elif isinstance(value, (_dt.date, _dt.time)):
        text = value.isoformat()
    elif isinstance(value, str):
        text = value
    elif isinstance(value, (list, tuple, dict, set)):
        kind = "a mapping" if isinstance(value, dict) else "a list"
        return None, f"expected a single value, got {kind}"
    else:
        text = _str(value)
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if text == "" or text.lower() in ("nan", ".nan"):  # .nan: YAML's NaN, kept as text here
        return None, None
    err = bad_character(text)
    if err:
        return None, err
    if limit is not None and len(text) > limit:
        return None, f"{len(text):,} characters; the limit for this column is {limit:,}"
    # The project's exports write ' before a cell a spreadsheet would run as a formula.
    return strip_formula_guard(text), None


def _blank(value: object) -> bool:
    text, err = _cell(value)
    return text is None and err is None


def _header_name(value: object) -> str | None:
    if value is None:
        return None
    text = _str(value).replace("\ufeff", "").strip()
    return text or None



# ---------------------------------------------------------------- readers

def _column_letter(i: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA, as a spreadsheet labels columns."""
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        out = chr(65 + r) + out
    return out


def _from_table(table, rep: Report, max_rows: int, exact_count: bool) -> list[_Row] | None:
    """Rows of a sheet (header first) -> _Rows; `table` yields (row number, cells)."""
    it = iter(table)
    first = next(it, None)
    header = list(first[1]) if first is not None and first[0] == 1 else []
    if len(header) > DES_MAX_COLUMNS and any(_header_name(h) for h in header[DES_MAX_COLUMNS:]):
        rep.add(1, None, f"the header has {len(header):,} columns; at most {DES_MAX_COLUMNS} are read "
                         f"(the schema has {len(COLUMNS)})")
        return None
    header = header[:DES_MAX_COLUMNS]
    if not any(_header_name(h) for h in header):
        rep.add(1, None, f"row 1 must be the header; expected the columns {', '.join(COLUMNS)}")
        return None
    index: dict[str, int] = {}
    shown: dict[int, str] = {}
    extras: list[str] = []
    for i, h in enumerate(header):
        name = _header_name(h)
        if name is None:
            continue
        key = name.lower()
        if key in COLUMNS:
            if key in index:
                rep.add(1, key, f"the column appears twice (columns {_column_letter(index[key])} and "
                                f"{_column_letter(i)}); keep one")
            else:
                index[key] = i
        else:
            extras.append(name)
            shown[i] = name
    for c in REQUIRED:
        if c not in index:
            rep.add(1, c, f"required column {c} is missing from the header")
    if not any(c in index for c in CITY_COLUMNS):
        rep.add(1, "city_zh", "the header needs city_zh or adcode (or both) to say which city")
    if extras:
        rep.notes.append(f"columns not in the schema were ignored: {', '.join(_show(e, 30) for e in extras)}")
    present = frozenset(index)
    used = set(index.values())

    rows: list[_Row] = []
    count = 0
    for rownum, cells in it:
        cells = list(cells)
        if len(cells) > DES_MAX_COLUMNS:
            beyond = sum(1 for c in cells[DES_MAX_COLUMNS:] if not _blank(c))
            if beyond:
                rep.add(rownum, None, f"the row has {beyond:,} values beyond column "
                                      f"{_column_letter(DES_MAX_COLUMNS - 1)}, the last one read; "
                                      "a comma or line break in an unquoted value?")
            cells = cells[:DES_MAX_COLUMNS]
        if all(_blank(c) for c in cells):
            continue
        count += 1
        if count > max_rows:
            if exact_count:
                continue
            break
        values = {c: (cells[i] if i < len(cells) else None) for c, i in index.items()}
        other = {}
        for i, v in enumerate(cells):
            if i in used:
                continue
            if i in shown:
                other[shown[i]] = v
            elif not _blank(v):
                rep.add(rownum, f"column {_column_letter(i)}",
                        f"a value in a column that has no header: {_show(v)} (a comma or line break in an "
                        "unquoted value?)")
        rows.append(_Row(rownum, f"row {rownum}", values, {c: c for c in COLUMNS}, present, other))
    if count > max_rows:
        more = f"{count:,}" if exact_count else f"more than {max_rows:,}"
        rep.add(None, None, f"the file has {more} data rows; the limit is {max_rows:,}")
        return None
    return rows


def _sniff_delimiter(text: str) -> str:
    """Comma unless the header is plainly separated by ';' or tab (some Excel locales)."""
    line = text.split("\n", 1)[0]
    if "," in line:
        return ","
    best, hits = ",", 0
    for d in (";", "\t"):
        n = sum(1 for part in line.split(d) if part.strip().strip('"').lower() in COLUMNS)
        if n > hits:
            best, hits = d, n
    return best if hits >= 2 else ","


def _read_csv(data: bytes, rep: Report, max_rows: int) -> list[_Row] | None:
    if data.startswith(_ZIP_MAGIC):
        rep.add(None, None, "this is an Excel .xlsx workbook (a zip archive), not CSV text; "
                            "give it the .xlsx extension")
        return None
    if data.startswith(_OLE_MAGIC):
        rep.add(None, None, "this is an old Excel .xls workbook, not CSV text; in Excel use Save As "
                            "and choose 'CSV UTF-8 (comma delimited)' or 'Excel Workbook (.xlsx)'")
        return None
    text, note = decode(data)
    if text is None:
        rep.add(None, None, note)
        return None
    rep.notes.append(note)
    delimiter = _sniff_delimiter(text)
    if delimiter != ",":
        rep.notes.append(f"columns are separated by {'tab' if delimiter == chr(9) else repr(delimiter)}")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    table = []
    rownum = 0
    try:
        for rownum, cells in enumerate(reader, start=1):
            table.append((rownum, cells))
    except csv.Error as exc:
        rep.add(rownum + 1, None, f"cannot be read as CSV (line {reader.line_num}): {exc}")
        return None
    return _from_table(table, rep, max_rows, exact_count=True)


def _read_xlsx(data: bytes, rep: Report, max_rows: int, max_bytes: int) -> list[_Row] | None:
    if data.startswith(_OLE_MAGIC):
        rep.add(None, None, "this is an old Excel .xls workbook with an .xlsx name; in Excel use Save As "
                            "and choose 'Excel Workbook (.xlsx)' or 'CSV UTF-8 (comma delimited)'")
        return None
    try:
        check_zip(data, max_members=XLSX_MAX_MEMBERS, max_unzipped=XLSX_EXPANSION * max_bytes, what="workbook")
    except ZipRefused as exc:
        rep.add(None, None, f"{exc} (an .xlsx workbook is a zip archive; save it from Excel as "
                            "'Excel Workbook (.xlsx)' or as CSV)")
        return None
    try:
        import openpyxl
    except ImportError:
        rep.add(None, None, "reading .xlsx needs the openpyxl package, which is not installed; "
                            "use CSV or YAML instead")
        return None
    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it ignores; they do not matter here.
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                sheets = wb.worksheets
                if not sheets:
                    rep.add(None, None, "the workbook has no worksheet")
                    return None
                if len(wb.sheetnames) > 1:
                    rep.notes.append(f"read the first sheet {_show(sheets[0].title)} only; the workbook has "
                                     f"{len(wb.sheetnames)} sheets")
                ws = sheets[0]
                # The sheet's own <dimension> may under-state it (ref="A1:K2" over 10
                # rows would load one row); read every row the sheet really has.
                ws.reset_dimensions()
                table = []
                filled = 0
                gap = None
                # Stop one row past the cap: enough to report it, without reading a huge sheet.
                # One column past the cap, so that data beyond it is reported, not dropped.
                rows = ws.iter_rows(min_row=1, min_col=1, max_col=DES_MAX_COLUMNS + 1, values_only=True)
                for n, cells in enumerate(rows, start=1):
                    if cells is gap:  # openpyxl fills missing rows with one shared tuple
                        continue
                    if all(_blank(c) for c in cells):
                        gap = cells
                        continue
                    table.append((n, cells))
                    filled += 1
                    if filled > max_rows + 1:
                        break
            finally:
                wb.close()
    except Exception as exc:  # any failure inside a third-party parser means the file is bad
        rep.add(None, None, f"the workbook cannot be read: {type(exc).__name__}: {_show(exc, 120)}")
        return None
    return _from_table(table, rep, max_rows, exact_count=False)


def _read_yaml(data: bytes, rep: Report, max_rows: int, base: Policy) -> list[_Row] | None:
    text, note = decode(data)
    if text is None:
        rep.add(None, None, note)
        return None
    rep.notes.append(note)
    try:
        doc = yaml.load(text, Loader=_PlainLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        rep.add(None, None, f"not valid YAML{where}: {exc.problem or exc.context}")
        return None
    except Exception as exc:  # any failure inside a third-party parser means the file is bad
        rep.add(None, None, f"not valid YAML: {type(exc).__name__}: {_show(exc, 120)}")
        return None
    if doc is None:
        rep.add(None, None, "the file is empty")
        return None
    if isinstance(doc, list):
        return _flat_yaml(doc, rep, max_rows)
    if isinstance(doc, dict) and "clusters" in doc:
        return _nested_yaml(doc, rep, max_rows, base)
    rep.add(None, None, "expected a list of rows (one mapping per row with the columns "
                        f"{', '.join(COLUMNS)}) or the layout of data/clusters.yaml (a mapping with clusters:)")
    return None


def _flat_yaml(doc: list, rep: Report, max_rows: int) -> list[_Row] | None:
    if len(doc) > max_rows:
        rep.add(None, None, f"the file has {len(doc):,} rows; the limit is {max_rows:,}")
        return None
    rows = []
    extras: list[str] = []
    for n, item in enumerate(doc, start=1):
        if not isinstance(item, dict):
            rep.add(n, None, f"expected a mapping of column: value, got {type(item).__name__}")
            continue
        values: dict[str, object] = {}
        other: dict[str, object] = {}
        for k, v in item.items():
            name = _header_name(k) or ""
            key = name.lower()
            if key in COLUMNS:
                if key in values:
                    rep.add(n, key, "the column is given twice")
                values[key] = v
            else:
                other[name] = v
                if name not in extras:
                    extras.append(name)
        if all(_blank(v) for v in values.values()) and all(_blank(v) for v in other.values()):
            continue
        rows.append(_Row(n, f"row {n}", values, {c: c for c in COLUMNS}, frozenset(COLUMNS), other))
    if extras:
        rep.notes.append(f"keys not in the schema were ignored: {', '.join(_show(e, 30) for e in extras)}")
    return rows


def _nested_yaml(doc: dict, rep: Report, max_rows: int, base: Policy) -> list[_Row] | None:
    ignored = sorted(_str(k) for k in doc if k not in ("clusters", "role_categories"))
    if ignored:
        rep.notes.append(f"top-level keys other than clusters were ignored: {', '.join(ignored)}")
    if "role_categories" in doc and doc["role_categories"] != base.role_categories:
        rep.notes.append("role_categories in the file were ignored; the built-in categories apply")
    clusters = doc["clusters"]
    if not isinstance(clusters, list):
        rep.add(None, "clusters", "clusters: must be a list of clusters")
        return None
    rows: list[_Row] = []
    unknown_keys: set[str] = set()
    cluster_cols = {"cluster_id": "id", "cluster_zh": "name_zh", "cluster_en": "name_en", "tier": "tier"}
    for n, rc in enumerate(clusters, start=1):
        if not isinstance(rc, dict):
            rep.add(n, None, f"expected a cluster mapping (id, tier, name_zh, ...), got {type(rc).__name__}")
            continue
        unknown_keys.update(_str(k) for k in rc if k not in _NESTED_CLUSTER_KEYS)
        cluster_values = {c: rc.get(k) for c, k in cluster_cols.items()}
        unplaced_raw = rc.get("unplaced") or []
        if not isinstance(unplaced_raw, list):
            unplaced_raw = [unplaced_raw]
        unplaced = []
        for j, u in enumerate(unplaced_raw, start=1):
            text, err = _cell(u, CELL_MAX["place_zh"])
            if err:
                rep.add(n, f"unplaced[{j}]", err)
            elif text is not None:
                unplaced.append(text)
        designations = rc.get("designations") or []
        if not isinstance(designations, list):
            rep.add(n, "designations", "designations: must be a list")
            continue
        made = 0
        for j, rd in enumerate(designations, start=1):
            pre = f"designations[{j}]"
            if not isinstance(rd, dict):
                rep.add(n, pre, f"expected a designation mapping (basis, places, role, quote, ...), "
                                f"got {type(rd).__name__}")
                continue
            unknown_keys.update(f"{pre}.{_str(k)}" for k in rd if k not in _NESTED_DESIGNATION_KEYS)
            places, place_col, default_place = _nested_places(rd, n, pre, rep, base)
            if places is None:
                continue
            if not places:
                rep.add(n, f"{pre}.places", "the designation names no city; list the cities in places")
                continue
            for k, place in enumerate(places, start=1):
                if len(rows) >= max_rows:
                    rep.add(None, None, f"the file expands to more than {max_rows:,} (designation, city) rows; "
                                        f"the limit is {max_rows:,}")
                    return None
                values = dict(cluster_values)
                values.update(
                    city_zh=place,
                    place_zh=default_place if _blank(rd.get("place_zh")) else rd.get("place_zh"),
                    role_zh=rd.get("role_zh"),
                    role=rd.get("role"),
                    basis=rd.get("basis"),
                    quote=rd.get("quote"),
                )
                columns = dict(cluster_cols)
                columns.update({c: f"{pre}.{c}" for c in ("place_zh", "role_zh", "role", "basis", "quote")})
                columns["city_zh"] = place_col(k)
                present = frozenset(COLUMNS) - {"adcode"}
                rows.append(_Row(n, f"row {n} {place_col(k)}", values, columns, present,
                                 unplaced=tuple(unplaced), where=place_col(k)))
                made += 1
        if made == 0:
            # Still a cluster (the built-in data has one without any place), and its
            # own fields get checked even when every designation was unusable.
            rows.append(_Row(n, f"row {n}", dict(cluster_values), dict(cluster_cols), frozenset(cluster_cols),
                             cluster_only=True, unplaced=tuple(unplaced)))
    if unknown_keys:
        rep.notes.append(f"keys not in the layout were ignored: {', '.join(sorted(unknown_keys)[:10])}")
    return rows


def _nested_places(rd: dict, n: int, pre: str, rep: Report, base: Policy):
    """(places, column label for the k-th place, default place_zh) of one nested designation."""
    places = rd.get("places")
    region = rd.get("region")
    basis, _ = _cell(rd.get("basis"))
    if places is None and region is not None and (basis or "").lower() == "region":
        rid, err = _cell(region)
        if err or rid not in base.regions:
            rep.add(n, f"{pre}.region", err or f"unknown region {_show(region)}; accepted: "
                                                f"{', '.join(base.regions)}")
            return None, None, None
        r = base.regions[rid]
        names = [base.cities[a].name_zh for a in r.members]
        return names, (lambda k: f"{pre}.region"), r.term_zh
    if region is not None and (basis or "").lower() != "region":
        rep.add(n, f"{pre}.region", "region is only used with basis: region; list the cities in places")
        return None, None, None
    if places is None:
        rep.add(n, f"{pre}.places", "required: the cities of the designation (places: [广州, 深圳]), or "
                                    "region: ID with basis: region")
        return None, None, None
    if not isinstance(places, list):
        places = [places]
    shown = [t for t in (_cell(p)[0] for p in places) if t]
    cities = [base.find_city(t) for t in shown]
    default = "、".join(c.name_zh if c else t for c, t in zip(cities, shown))
    return places, (lambda k: f"{pre}.places[{k}]"), default



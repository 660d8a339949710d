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
from ingest.messages import Msg
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
    values: dict[str, object]  # schema column -> raw cell
    columns: dict[str, str]  # schema column -> the name the user sees
    present: frozenset[str]  # schema columns the file has at all
    other: dict[str, object] = field(default_factory=dict)  # cells outside the schema, by display name
    cluster_only: bool = False  # a nested cluster without designations
    where: str | None = None  # nested YAML: the path of the place, the column of row-level problems
    unplaced: tuple[str, ...] = ()

    def col(self, name: str) -> str:
        return self.columns.get(name, name)

    @property
    def label(self) -> Msg:
        """How another problem refers to this row ("row 5", "row 2 designations[1].places[3]");
        made only when needed, as most rows are never referred to."""
        return Msg("loc.row_where", row=self.row, where=self.where) if self.where else Msg("loc.row", row=self.row)



# ---------------------------------------------------------------- cells

def _cell(value: object, limit: int | None = None) -> tuple[str | None, Msg | None]:
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
        return None, Msg("des.cell_mapping" if isinstance(value, dict) else "des.cell_list")
    else:
        text = _str(value)
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if text == "" or text.lower() in ("nan", ".nan"):  # .nan: YAML's NaN, kept as text here
        return None, None
    err = bad_character(text)
    if err:
        return None, err
    if limit is not None and len(text) > limit:
        return None, Msg("des.cell_long", n=len(text), limit=limit)
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
        rep.add(1, None, Msg("des.header_wide", n=len(header), max=DES_MAX_COLUMNS, schema=len(COLUMNS)))
        return None
    header = header[:DES_MAX_COLUMNS]
    if not any(_header_name(h) for h in header):
        rep.add(1, None, Msg("des.no_header", columns=", ".join(COLUMNS)))
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
                rep.add(1, key, Msg("des.column_twice", a=_column_letter(index[key]), b=_column_letter(i)))
            else:
                index[key] = i
        else:
            extras.append(name)
            shown[i] = name
    for c in REQUIRED:
        if c not in index:
            rep.add(1, c, Msg("des.column_missing", column=c))
    if not any(c in index for c in CITY_COLUMNS):
        rep.add(1, "city_zh", Msg("des.city_column_missing"))
    if extras:
        rep.notes.append(Msg("des.columns_ignored", names=", ".join(_show(e, 30) for e in extras)))
    present = frozenset(index)
    used = set(index.values())

    rows: list[_Row] = []
    count = 0
    for rownum, cells in it:
        cells = list(cells)
        if len(cells) > DES_MAX_COLUMNS:
            beyond = sum(1 for c in cells[DES_MAX_COLUMNS:] if not _blank(c))
            if beyond:
                rep.add(rownum, None, Msg("des.row_wide", n=beyond, column=_column_letter(DES_MAX_COLUMNS - 1)))
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
                rep.add(rownum, Msg("loc.column_letter", letter=_column_letter(i)),
                        Msg("des.headerless_value", value=_show(v)))
        rows.append(_Row(rownum, values, {c: c for c in COLUMNS}, present, other))
    if count > max_rows:
        rep.add(None, None, Msg("des.rows_count", n=count, max=max_rows) if exact_count
                else Msg("des.rows_more", max=max_rows))
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
        rep.add(None, None, Msg("des.csv_is_xlsx"))
        return None
    if data.startswith(_OLE_MAGIC):
        rep.add(None, None, Msg("des.csv_is_xls"))
        return None
    text, note = decode(data)
    if text is None:
        rep.add(None, None, note)
        return None
    rep.notes.append(note)
    delimiter = _sniff_delimiter(text)
    if delimiter != ",":
        rep.notes.append(Msg("des.sep_tab") if delimiter == "\t" else Msg("des.sep", sep=repr(delimiter)))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    table = []
    rownum = 0
    try:
        for rownum, cells in enumerate(reader, start=1):
            table.append((rownum, cells))
    except csv.Error as exc:
        rep.add(rownum + 1, None, Msg("des.csv_error", line=reader.line_num, detail=str(exc)))
        return None
    return _from_table(table, rep, max_rows, exact_count=True)


def _read_xlsx(data: bytes, rep: Report, max_rows: int, max_bytes: int) -> list[_Row] | None:
    if data.startswith(_OLE_MAGIC):
        rep.add(None, None, Msg("des.xlsx_is_xls"))
        return None
    try:
        check_zip(data, max_members=XLSX_MAX_MEMBERS, max_unzipped=XLSX_EXPANSION * max_bytes, what="workbook")
    except ZipRefused as exc:
        rep.add(None, None, Msg("des.xlsx_zip", reason=exc.msg))
        return None
    try:
        import openpyxl
    except ImportError:
        rep.add(None, None, Msg("des.no_openpyxl"))
        return None
    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it ignores; they do not matter here.
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                sheets = wb.worksheets
                if not sheets:
                    rep.add(None, None, Msg("des.no_sheet"))
                    return None
                if len(wb.sheetnames) > 1:
                    rep.notes.append(Msg("des.first_sheet", title=_show(sheets[0].title), n=len(wb.sheetnames)))
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
        rep.add(None, None, Msg("des.xlsx_error", kind=type(exc).__name__, detail=_show(exc, 120)))
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
        detail = _str(exc.problem or exc.context)
        rep.add(None, None, Msg("des.yaml_at", line=mark.line + 1, column=mark.column + 1, detail=detail) if mark
                else Msg("des.yaml", detail=detail))
        return None
    except Exception as exc:  # any failure inside a third-party parser means the file is bad
        rep.add(None, None, Msg("des.yaml", detail=f"{type(exc).__name__}: {_show(exc, 120)}"))
        return None
    if doc is None:
        rep.add(None, None, Msg("file.empty"))
        return None
    if isinstance(doc, list):
        return _flat_yaml(doc, rep, max_rows)
    if isinstance(doc, dict) and "clusters" in doc:
        return _nested_yaml(doc, rep, max_rows, base)
    rep.add(None, None, Msg("des.yaml_layout", columns=", ".join(COLUMNS)))
    return None


def _flat_yaml(doc: list, rep: Report, max_rows: int) -> list[_Row] | None:
    if len(doc) > max_rows:
        rep.add(None, None, Msg("des.yaml_rows", n=len(doc), max=max_rows))
        return None
    rows = []
    extras: list[str] = []
    for n, item in enumerate(doc, start=1):
        if not isinstance(item, dict):
            rep.add(n, None, Msg("des.yaml_row_type", kind=type(item).__name__))
            continue
        values: dict[str, object] = {}
        other: dict[str, object] = {}
        for k, v in item.items():
            name = _header_name(k) or ""
            key = name.lower()
            if key in COLUMNS:
                if key in values:
                    rep.add(n, key, Msg("des.yaml_key_twice"))
                values[key] = v
            else:
                other[name] = v
                if name not in extras:
                    extras.append(name)
        if all(_blank(v) for v in values.values()) and all(_blank(v) for v in other.values()):
            continue
        rows.append(_Row(n, values, {c: c for c in COLUMNS}, frozenset(COLUMNS), other))
    if extras:
        rep.notes.append(Msg("des.keys_ignored", names=", ".join(_show(e, 30) for e in extras)))
    return rows


def _nested_yaml(doc: dict, rep: Report, max_rows: int, base: Policy) -> list[_Row] | None:
    ignored = sorted(_str(k) for k in doc if k not in ("clusters", "role_categories"))
    if ignored:
        rep.notes.append(Msg("des.top_keys_ignored", names=", ".join(ignored)))
    if "role_categories" in doc and doc["role_categories"] != base.role_categories:
        rep.notes.append(Msg("des.role_categories_ignored"))
    clusters = doc["clusters"]
    if not isinstance(clusters, list):
        rep.add(None, "clusters", Msg("des.clusters_not_list"))
        return None
    rows: list[_Row] = []
    unknown_keys: set[str] = set()
    cluster_cols = {"cluster_id": "id", "cluster_zh": "name_zh", "cluster_en": "name_en", "tier": "tier"}
    for n, rc in enumerate(clusters, start=1):
        if not isinstance(rc, dict):
            rep.add(n, None, Msg("des.cluster_type", kind=type(rc).__name__))
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
            rep.add(n, "designations", Msg("des.designations_not_list"))
            continue
        made = 0
        for j, rd in enumerate(designations, start=1):
            pre = f"designations[{j}]"
            if not isinstance(rd, dict):
                rep.add(n, pre, Msg("des.designation_type", kind=type(rd).__name__))
                continue
            unknown_keys.update(f"{pre}.{_str(k)}" for k in rd if k not in _NESTED_DESIGNATION_KEYS)
            places, place_col, default_place = _nested_places(rd, n, pre, rep, base)
            if places is None:
                continue
            if not places:
                rep.add(n, f"{pre}.places", Msg("des.no_places"))
                continue
            for k, place in enumerate(places, start=1):
                if len(rows) >= max_rows:
                    rep.add(None, None, Msg("des.yaml_expands", max=max_rows))
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
                rows.append(_Row(n, values, columns, present,
                                 unplaced=tuple(unplaced), where=place_col(k)))
                made += 1
        if made == 0:
            # Still a cluster (the built-in data has one without any place), and its
            # own fields get checked even when every designation was unusable.
            rows.append(_Row(n, dict(cluster_values), dict(cluster_cols), frozenset(cluster_cols),
                             cluster_only=True, unplaced=tuple(unplaced)))
    if unknown_keys:
        rep.notes.append(Msg("des.layout_keys_ignored", names=", ".join(sorted(unknown_keys)[:10])))
    return rows


def _nested_places(rd: dict, n: int, pre: str, rep: Report, base: Policy):
    """(places, column label for the k-th place, default place_zh) of one nested designation."""
    places = rd.get("places")
    region = rd.get("region")
    basis, _ = _cell(rd.get("basis"))
    if places is None and region is not None and (basis or "").lower() == "region":
        rid, err = _cell(region)
        if err or rid not in base.regions:
            rep.add(n, f"{pre}.region", err or Msg("des.unknown_region", region=_show(region),
                                                   accepted=", ".join(base.regions)))
            return None, None, None
        r = base.regions[rid]
        names = [base.cities[a].name_zh for a in r.members]
        return names, (lambda k: f"{pre}.region"), r.term_zh
    if region is not None and (basis or "").lower() != "region":
        rep.add(n, f"{pre}.region", Msg("des.region_not_region_basis"))
        return None, None, None
    if places is None:
        rep.add(n, f"{pre}.places", Msg("des.places_required"))
        return None, None, None
    if not isinstance(places, list):
        places = [places]
    shown = [t for t in (_cell(p)[0] for p in places) if t]
    cities = [base.find_city(t) for t in shown]
    default = "、".join(c.name_zh if c else t for c, t in zip(cities, shown))
    return places, (lambda k: f"{pre}.places[{k}]"), default



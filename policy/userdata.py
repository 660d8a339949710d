"""Designations supplied by a user: read, check and turn into a `Policy`.

`load_designations(data, filename, base)` accepts the bytes of a file and
returns a `UserDesignations`: a `Policy` built from the file, or `None` and the
list of every problem found, each with the row and column the user sees in a
spreadsheet. Bad input never raises; only a programming error does (an unknown
`mode`, data that is not bytes). Nothing from a file with any problem reaches
the map.

Formats, by extension:

* ``.csv`` — UTF-8 (with or without byte-order mark), UTF-16 with a byte-order
  mark, else GB18030 (the superset of GBK that Excel on Chinese Windows
  writes). Which one was used is reported as a note.
* ``.xlsx`` — the first worksheet, read with openpyxl in read-only mode.
* ``.yaml`` / ``.yml`` — a list of row mappings in the flat schema, or the
  nested layout of data/clusters.yaml (``clusters:`` with ``designations:``).

The flat schema is exactly what ``cli.py designations --format csv`` writes
(`policy.tables.DESIGNATION_FIELDS`), so an export can be edited and loaded
back; data/templates/README.md documents every column.

Quotes are kept as the user wrote them and are not looked up in the built-in
document text: user designations come from other documents, which this
project does not hold. They are still required, so that every designation
stays traceable to its source clause. Text is kept verbatim (HTML escaping is
the renderer's job) except that CR/CRLF line breaks inside a cell become LF;
control characters other than tab and line break are rejected.
"""

from __future__ import annotations

import csv
import datetime as _dt
import difflib
import io
import math
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import PurePath

import yaml

from policy.model import BASES, TIERS, City, Cluster, Designation, Policy
from policy.tables import DESIGNATION_FIELDS

MODES = ("replace", "beside")
EXTENSIONS = (".csv", ".xlsx", ".yaml", ".yml")
MAX_BYTES = 2_000_000
MAX_ROWS = 5_000
# An .xlsx is a zip archive: a small file can unpack into gigabytes of XML. A
# genuine sheet of MAX_ROWS rows compresses about 5-10x, so 25x leaves room.
XLSX_EXPANSION = 25
# A single cell far to the right would make every row of a read-only sheet that
# wide; the schema has 11 columns, so a few hundred is plenty.
XLSX_MAX_COLUMNS = 256

COLUMNS = tuple(DESIGNATION_FIELDS)
REQUIRED = ("cluster_id", "cluster_zh", "tier", "role", "basis", "quote")  # and city_zh or adcode
CITY_COLUMNS = ("city_zh", "adcode")
# These words are selectors wherever clusters are chosen (`--clusters all`,
# the app's query string), so a cluster with such an id could not be picked.
RESERVED_IDS = ("all", "none", "pillar", "emerging")
_SLUG = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
_ADCODE = re.compile(r"(\d+)(?:\.0*)?")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_ALLOWED_CONTROLS = "\t\n"
_NESTED_CLUSTER_KEYS = {"id", "number", "tier", "name_zh", "name_en", "designations", "unplaced"}
_NESTED_DESIGNATION_KEYS = {"basis", "places", "region", "place_zh", "role_zh", "role", "quote"}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file.

    `row` is the row as the user sees it: in CSV and XLSX the header is row 1;
    in YAML it is the 1-based item of the top-level list (or of `clusters:`).
    `row` is None for a problem with the whole file.
    """

    row: int | None
    column: str | None
    message: str

    def format(self, path: str) -> str:
        if self.row is None:
            return f"{path}: {self.message}"
        if self.column is None:
            return f"{path}:row {self.row}: {self.message}"
        return f"{path}:row {self.row}:{self.column}: {self.message}"

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(self.column)
        return f"{':'.join(where)}: {self.message}" if where else self.message


@dataclass
class UserDesignations:
    policy: Policy | None
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.policy is not None


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


@dataclass(frozen=True)
class _Valid:
    src: _Row
    cluster_id: str
    cluster_zh: str | None
    cluster_en: str | None
    cluster_en_given: bool
    tier: str | None
    place_zh: str = ""
    adcode: str = ""
    role_zh: str = ""
    role: str = ""
    basis: str = ""
    quote: str = ""
    # False when only the cluster fields are sound: such a row still takes part in
    # the cluster-consistency checks so that every problem is reported at once.
    complete: bool = True

    @property
    def group(self) -> tuple[str, ...]:
        return (self.cluster_id, self.basis, self.role, self.role_zh, self.place_zh, self.quote)


class _Report:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.notes: list[str] = []

    def add(self, row: int | None, column: str | None, message: str) -> None:
        p = Problem(row, column, message)
        # A nested cluster's fields are checked once per designation row; say it once.
        if p not in self.problems:
            self.problems.append(p)


def _str(value: object) -> str:
    try:
        return str(value)
    except ValueError:  # an integer too long for str() (sys.int_max_str_digits)
        return "<a number too long to show>"


def _show(value: object, limit: int = 40) -> str:
    """A user value inside a message: quoted, escaped to one line, shortened."""
    text = _str(value)
    if len(text) > limit:
        text = text[:limit] + "…"
    return repr(text)


def too_large(size: int, max_bytes: int = MAX_BYTES) -> Problem:
    mb = f" ({max_bytes / 1e6:g} MB)" if max_bytes >= 100_000 else ""
    return Problem(None, None, f"the file is {size:,} bytes; the limit is {max_bytes:,} bytes{mb}")


# ---------------------------------------------------------------- cells

def _cell(value: object) -> tuple[str | None, str | None]:
    """(text or None when missing, error message or None)."""
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
    if text == "" or text.lower() == "nan":
        return None, None
    for i, ch in enumerate(text):
        cat = unicodedata.category(ch)
        if (cat == "Cc" and ch not in _ALLOWED_CONTROLS) or cat == "Cs":
            what = "control character" if cat == "Cc" else "unpaired surrogate"
            return None, (f"contains the {what} U+{ord(ch):04X} at character {i + 1}; "
                          "only tab and line breaks are allowed")
    return text, None


def _blank(value: object) -> bool:
    text, err = _cell(value)
    return text is None and err is None


def _header_name(value: object) -> str | None:
    if value is None:
        return None
    text = _str(value).replace("\ufeff", "").strip()
    return text or None


# ---------------------------------------------------------------- decoding

def _decode(data: bytes, rep: _Report) -> str | None:
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            text = data[3:].decode("utf-8")
        except UnicodeDecodeError as exc:
            rep.add(None, None, f"the file starts with a UTF-8 byte-order mark but byte 0x{data[3 + exc.start]:02X} "
                                f"at offset {3 + exc.start} is not UTF-8; save it again as 'CSV UTF-8'")
            return None
        rep.notes.append("read as UTF-8 (with byte-order mark)")
        return text
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            rep.add(None, None, "the file starts with a UTF-16 byte-order mark but is not valid UTF-16; "
                                "save it again as 'CSV UTF-8'")
            return None
        rep.notes.append("read as UTF-16")
        return text
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        rep.notes.append("read as UTF-8")
        return text
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError as exc:
        rep.add(None, None, f"the file is neither UTF-8 nor GB18030/GBK text: byte 0x{data[exc.start]:02X} at "
                            f"offset {exc.start} cannot be decoded; save it as 'CSV UTF-8 (comma delimited)'")
        return None
    rep.notes.append("read as GB18030 (GBK), the encoding Excel uses for CSV on Chinese Windows")
    return text


# ---------------------------------------------------------------- readers

def _column_letter(i: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA, as a spreadsheet labels columns."""
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        out = chr(65 + r) + out
    return out


def _from_table(table, rep: _Report, max_rows: int, exact_count: bool) -> list[_Row] | None:
    """Rows of a sheet (header first) -> _Rows; `table` yields (row number, cells)."""
    it = iter(table)
    first = next(it, None)
    header = list(first[1]) if first is not None and first[0] == 1 else []
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


def _read_csv(data: bytes, rep: _Report, max_rows: int) -> list[_Row] | None:
    if data.startswith(_ZIP_MAGIC):
        rep.add(None, None, "this is an Excel .xlsx workbook (a zip archive), not CSV text; "
                            "give it the .xlsx extension")
        return None
    if data.startswith(_OLE_MAGIC):
        rep.add(None, None, "this is an old Excel .xls workbook, not CSV text; in Excel use Save As "
                            "and choose 'CSV UTF-8 (comma delimited)' or 'Excel Workbook (.xlsx)'")
        return None
    text = _decode(data, rep)
    if text is None:
        return None
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


def _read_xlsx(data: bytes, rep: _Report, max_rows: int, max_bytes: int) -> list[_Row] | None:
    if data.startswith(_OLE_MAGIC):
        rep.add(None, None, "this is an old Excel .xls workbook with an .xlsx name; in Excel use Save As "
                            "and choose 'Excel Workbook (.xlsx)' or 'CSV UTF-8 (comma delimited)'")
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            expanded = sum(i.file_size for i in zf.infolist())
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        rep.add(None, None, "not an .xlsx workbook (not a readable zip archive); save it from Excel as "
                            "'Excel Workbook (.xlsx)' or as CSV")
        return None
    if expanded > XLSX_EXPANSION * max_bytes:
        rep.add(None, None, f"the workbook unpacks to {expanded:,} bytes; the limit is "
                            f"{XLSX_EXPANSION * max_bytes:,} bytes")
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
                if (ws.max_column or 0) > XLSX_MAX_COLUMNS:
                    rep.notes.append(f"only the first {XLSX_MAX_COLUMNS} columns were read")
                table = []
                filled = 0
                gap = None
                # Stop one row past the cap: enough to report it, without reading a huge sheet.
                rows = ws.iter_rows(min_row=1, min_col=1, max_col=XLSX_MAX_COLUMNS, values_only=True)
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


def _read_yaml(data: bytes, rep: _Report, max_rows: int, base: Policy) -> list[_Row] | None:
    text = _decode(data, rep)
    if text is None:
        return None
    try:
        doc = yaml.safe_load(text)
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


def _flat_yaml(doc: list, rep: _Report, max_rows: int) -> list[_Row] | None:
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


def _nested_yaml(doc: dict, rep: _Report, max_rows: int, base: Policy) -> list[_Row] | None:
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
            text, err = _cell(u)
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


def _nested_places(rd: dict, n: int, pre: str, rep: _Report, base: Policy):
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


# ---------------------------------------------------------------- checks

def _suggest_city(base: Policy, text: str) -> str:
    for r in base.regions.values():
        if text in (r.term_zh, r.id) or text.lower() == r.name_en.lower():
            members = "、".join(base.cities[a].name_zh for a in r.members)
            return (f"{_show(text)} is a region ({members}), not a city: give one row per member city "
                    "with basis region")
    names: dict[str, City] = {}
    for c in base.cities.values():
        for n in (c.name_zh, c.full_name_zh, c.name_en.lower()):
            names[n] = c
    close = difflib.get_close_matches(text.lower(), list(names), n=5, cutoff=0.5)
    found: list[City] = []
    for m in close:
        if names[m] not in found:
            found.append(names[m])
    if found:
        hint = ", ".join(f"{c.name_zh} ({c.name_en}, {c.adcode})" for c in found[:3])
        return f"unknown city {_show(text)}; did you mean {hint}?"
    return (f"unknown city {_show(text)}; expected one of the {len(base.cities)} cities of Guangdong, "
            "written like 广州, 广州市, Guangzhou or 440100")


def _city(r: _Row, base: Policy, texts: dict[str, str | None], unreadable: set[str], flag) -> City | None:
    by_name = by_code = None
    bad = False
    name, code = texts.get("city_zh"), texts.get("adcode")
    if name is not None:
        by_name = base.find_city(name)
        if by_name is None:
            flag(r.col("city_zh"), _suggest_city(base, name))
            bad = True
    if code is not None:
        m = _ADCODE.fullmatch(code)
        if not m:
            flag(r.col("adcode"), f"adcode {_show(code)} is not a number such as 440100")
            bad = True
        else:
            by_code = base.cities.get(m.group(1))
            if by_code is None:
                close = difflib.get_close_matches(m.group(1), list(base.cities), n=3, cutoff=0.6)
                hint = ("; did you mean " + ", ".join(f"{a} ({base.cities[a].name_zh})" for a in close) + "?"
                        if close else f"; expected the code of one of the {len(base.cities)} cities, e.g. "
                                      "440100 for 广州")
                flag(r.col("adcode"), f"adcode {_show(code)} is not a city of Guangdong{hint}")
                bad = True
    if bad:
        return None
    if by_name and by_code and by_name.adcode != by_code.adcode:
        flag(r.col("adcode"), f"adcode {by_code.adcode} is {by_code.name_zh} but city_zh "
                              f"{_show(name)} is {by_name.name_zh} ({by_name.adcode}); they must agree")
        return None
    if by_name is None and by_code is None:
        if any(c in r.present for c in CITY_COLUMNS) and not unreadable & set(CITY_COLUMNS):
            col = "city_zh" if "city_zh" in r.present else "adcode"
            flag(r.col(col), "required: the city, as city_zh (广州, 广州市 or Guangzhou) or adcode")
        return None
    return by_name or by_code


def _check_row(r: _Row, base: Policy, rep: _Report) -> _Valid | None:
    # Columns with a problem in this row. Kept here rather than read back from
    # the report, which says a repeated problem (a nested cluster's) only once.
    bad_cols: set[str | None] = set()

    def flag(column: str | None, message: str) -> None:
        bad_cols.add(column)
        rep.add(r.row, column, message)

    texts: dict[str, str | None] = {}
    unreadable: set[str] = set()
    for c in COLUMNS:
        text, err = _cell(r.values.get(c))
        if err:
            flag(r.col(c), err)
            unreadable.add(c)
        texts[c] = text
    for name, v in r.other.items():
        _, err = _cell(v)
        if err:
            flag(name, err)

    def need(c: str, what: str) -> str | None:
        if texts[c] is None and c in r.present and c not in unreadable:
            flag(r.col(c), f"required: {what}")
        return texts[c]

    cid = need("cluster_id", "the cluster's id, e.g. hydrogen_energy")
    if cid is not None:
        if not _SLUG.fullmatch(cid):
            flag(r.col("cluster_id"), f"cluster_id {_show(cid)} must be 1-64 ASCII lowercase letters, "
                                                "digits, _ or -, starting with a letter or digit (e.g. hydrogen_energy)")
        elif cid in RESERVED_IDS:
            flag(r.col("cluster_id"), f"cluster_id {_show(cid)} is reserved ({', '.join(RESERVED_IDS)} "
                                                "select groups of clusters); choose another id")
    cluster_zh = need("cluster_zh", "the cluster's Chinese name")
    tier = need("tier", f"the tier, {' or '.join(TIERS)}")
    if tier is not None:
        tier = tier.lower()
        if tier not in TIERS:
            flag(r.col("tier"), f"tier {_show(texts['tier'])} is not accepted; use {' or '.join(TIERS)}")
    # Each cluster field that is sound on its own still takes part in the
    # cross-row checks, so that a file is fixed in one round, not several.
    cid_ok = cid is not None and r.col("cluster_id") not in bad_cols
    zh_ok = cluster_zh is not None and r.col("cluster_zh") not in bad_cols
    en_ok = texts["cluster_en"] is not None and r.col("cluster_en") not in bad_cols
    tier_ok = tier is not None and r.col("tier") not in bad_cols
    if not r.cluster_only:
        role = need("role", f"the role category, one of {', '.join(base.role_categories)}")
        if role is not None:
            role = role.lower()
            if role not in base.role_categories:
                flag(r.col("role"), f"role {_show(texts['role'])} is not accepted; use one of "
                                              f"{', '.join(base.role_categories)}")
        basis = need("basis", f"the basis, {' or '.join(BASES)}")
        if basis is not None:
            basis = basis.lower()
            if basis not in BASES:
                flag(r.col("basis"), f"basis {_show(texts['basis'])} is not accepted; use "
                                               f"{' or '.join(BASES)} (explicit: the clause names the city; "
                                               "region: it names a region the city belongs to)")
        need("quote", "the clause of the source document that makes this designation")
        city = _city(r, base, texts, unreadable, flag)
    if not cid_ok:
        return None
    partial = _Valid(r, cid, cluster_zh if zh_ok else None, texts["cluster_en"] if en_ok else None, en_ok,
                     tier if tier_ok else None)
    if not bad_cols and r.cluster_only:
        return replace(partial, cluster_en=texts["cluster_en"] or cluster_zh)
    # A column missing from the header was reported once, on row 1, not per row.
    if r.cluster_only or bad_cols or None in (cluster_zh, tier, role, basis, texts["quote"], city):
        return replace(partial, complete=False)
    return _Valid(
        src=r,
        cluster_id=cid,
        cluster_zh=cluster_zh,
        cluster_en=texts["cluster_en"] or cluster_zh,
        cluster_en_given=texts["cluster_en"] is not None,
        tier=tier,
        place_zh=texts["place_zh"] or city.name_zh,
        adcode=city.adcode,
        role_zh=texts["role_zh"] or base.role_categories[role]["zh"],
        role=role,
        basis=basis,
        quote=texts["quote"],
    )


def _check_together(valid: list[_Valid], base: Policy, mode: str, rep: _Report) -> None:
    """One name and tier per cluster_id; no row twice."""
    by_cluster: dict[str, list[_Valid]] = {}
    for v in valid:
        by_cluster.setdefault(v.cluster_id, []).append(v)
    fields = (("cluster_zh", "is named", "name_zh", "one cluster_id has one name"),
              ("tier", "has tier", "tier", "one cluster has one tier"),
              ("cluster_en", "is named in English", "name_en", "one cluster_id has one English name"))
    for cid, vs in by_cluster.items():
        builtin = base.clusters.get(cid) if mode == "beside" else None
        for attr, verb, builtin_attr, rule in fields:
            given = [v for v in vs if getattr(v, attr) is not None and (attr != "cluster_en" or v.cluster_en_given)]
            if not given:
                continue
            if builtin is not None:
                ref = getattr(builtin, builtin_attr)
                where, rule = "the built-in data", "rows added beside the built-in data must match it"
            else:
                # The value most rows agree on is the reference (ties: the first), so
                # the odd row out is the one reported.
                counts: dict[str, int] = {}
                for v in given:
                    counts[getattr(v, attr)] = counts.get(getattr(v, attr), 0) + 1
                ref = max(counts, key=counts.__getitem__)
                first = next(v for v in given if getattr(v, attr) == ref)
                others = counts[ref] - 1
                where = first.src.label + (f" and {others} other row{'s' if others != 1 else ''}" if others else "")
            for v in given:
                if getattr(v, attr) != ref:
                    rep.add(v.src.row, v.src.col(attr), f"cluster_id {cid} {verb} {_show(ref)} in {where}, "
                                                        f"not {_show(getattr(v, attr))}; {rule}")
    seen: dict[tuple, _Valid] = {}
    for v in valid:
        if not v.complete:
            continue
        other = seen.setdefault(v.group + (v.adcode,), v)
        if other is not v:
            rep.add(v.src.row, v.src.where, f"duplicate: the same designation and city as {other.src.label}; "
                                     "keep one of the two rows")


# ---------------------------------------------------------------- building

def _build(base: Policy, valid: list[_Valid], mode: str, rep: _Report) -> Policy:
    builtin_keys = set()
    if mode == "beside":
        for d in base.designations:
            for a in d.adcodes:
                builtin_keys.add((d.cluster_id, a, d.role, d.basis, d.quote))
    order: dict[str, _Valid] = {}
    name_en: dict[str, str] = {}
    groups: dict[str, dict[tuple, list[str]]] = {}
    skipped = 0
    for v in valid:
        order.setdefault(v.cluster_id, v)
        if v.cluster_en_given:
            name_en.setdefault(v.cluster_id, v.cluster_en)
        g = groups.setdefault(v.cluster_id, {})
        if v.src.cluster_only:
            continue
        if (v.cluster_id, v.adcode, v.role, v.basis, v.quote) in builtin_keys:
            skipped += 1
            continue
        g.setdefault(v.group, []).append(v.adcode)
    if skipped:
        rep.notes.append(f"{skipped} row{'s' if skipped != 1 else ''} already in the built-in data "
                         f"{'were' if skipped != 1 else 'was'} skipped")

    clusters: dict[str, Cluster] = dict(base.clusters) if mode == "beside" else {}
    numbers = {t: 0 for t in TIERS}
    if mode == "beside":
        for c in base.clusters.values():
            numbers[c.tier] = max(numbers[c.tier], c.number)
    for cid, v in order.items():
        made = [
            (basis, role, role_zh, place_zh, quote, tuple(adcodes))
            for (_, basis, role, role_zh, place_zh, quote), adcodes in groups[cid].items()
        ]
        if cid in clusters:
            old = clusters[cid]
            start = len(old.designations)
        else:
            start = 0
        designations = tuple(
            Designation(id=f"{cid}-{start + i}", cluster_id=cid, basis=basis, place_zh=place_zh, role_zh=role_zh,
                        role=role, quote=quote, adcodes=adcodes, region_id="")
            for i, (basis, role, role_zh, place_zh, quote, adcodes) in enumerate(made, start=1)
        )
        if cid in clusters:
            clusters[cid] = replace(old, designations=old.designations + designations)
        else:
            numbers[v.tier] += 1
            clusters[cid] = Cluster(id=cid, number=numbers[v.tier], tier=v.tier, name_zh=v.cluster_zh,
                                    name_en=name_en.get(cid, v.cluster_zh), designations=designations, unplaced=v.src.unplaced)
    return Policy(
        cities=base.cities,
        zones=base.zones,
        overlays=base.overlays,
        regions=base.regions,
        clusters=clusters,
        role_categories=base.role_categories,
        document=base.document,
    )


# ---------------------------------------------------------------- entry point

def load_designations(data: bytes, filename: str, base: Policy, mode: str = "replace", *,
                      max_bytes: int = MAX_BYTES, max_rows: int = MAX_ROWS) -> UserDesignations:
    """Check a user's designations file and build a `Policy` from it.

    `filename` only selects the format (by extension) and is not opened.
    mode "replace": the policy holds only the file's clusters. mode "beside":
    the built-in clusters first, then the file's; rows for a built-in cluster
    add designations to it and rows equal to a built-in designation (same
    cluster, city, role, basis and quote) are skipped with a note.

    Quotes are required but not checked against the built-in document text:
    they come from other documents.
    """
    if mode not in MODES:
        raise ValueError(f"mode {mode!r} is not one of: {', '.join(MODES)}")
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"data must be bytes, not {type(data).__name__}")
    data = bytes(data)
    rep = _Report()
    ext = PurePath(str(filename)).suffix.lower()
    if ext == ".xls":
        rep.add(None, None, "old Excel .xls workbooks are not read; in Excel use Save As and choose "
                            "'Excel Workbook (.xlsx)' or 'CSV UTF-8 (comma delimited)'")
    elif ext not in EXTENSIONS:
        rep.add(None, None, f"files ending in {_show(ext or '(no extension)', 20)} are not read; accepted: "
                            f"{', '.join(EXTENSIONS)}")
    if len(data) > max_bytes:
        rep.problems.append(too_large(len(data), max_bytes))
    elif not data.strip():
        rep.add(None, None, "the file is empty")
    if rep.problems:
        return UserDesignations(None, rep.problems, rep.notes)

    if ext == ".csv":
        rows = _read_csv(data, rep, max_rows)
    elif ext == ".xlsx":
        rows = _read_xlsx(data, rep, max_rows, max_bytes)
    else:
        rows = _read_yaml(data, rep, max_rows, base)
    if rows is None:
        return UserDesignations(None, rep.problems, rep.notes)
    if not rows and not rep.problems:
        rep.add(None, None, "the file has no data rows")

    valid = [v for v in (_check_row(r, base, rep) for r in rows) if v is not None]
    _check_together(valid, base, mode, rep)
    if rep.problems:
        # In file order, as the user will work through them.
        rep.problems.sort(key=lambda p: (p.row is not None, p.row or 0))
        return UserDesignations(None, rep.problems, rep.notes)
    policy = replace(_build(base, valid, mode, rep), user_source=PurePath(str(filename)).name, user_mode=mode)
    n_rows = sum(1 for v in valid if not v.src.cluster_only)
    n_file = len(dict.fromkeys(v.cluster_id for v in valid))
    n_clusters, n_des = len(policy.clusters), len(policy.designations)
    rep.notes.append(f"{n_rows} row{'s' if n_rows != 1 else ''} for {n_file} cluster{'s' if n_file != 1 else ''} "
                     f"read ({mode}); the data now has {n_clusters} cluster{'s' if n_clusters != 1 else ''} and "
                     f"{n_des} designation{'s' if n_des != 1 else ''}")
    return UserDesignations(policy, rep.problems, rep.notes)


__all__ = [
    "EXTENSIONS",
    "MAX_BYTES",
    "MAX_ROWS",
    "MODES",
    "Problem",
    "UserDesignations",
    "load_designations",
    "too_large",
]

"""Designations supplied by a user: read, check and turn into a `Policy`.

`load_designations(data, filename, base)` accepts the bytes of a file and
returns a `UserDesignations`: a `Policy` built from the file, or `None` and the
list of every problem found, each with the row and column the user sees in a
spreadsheet. Bad input never raises; only a programming error does (an unknown
`mode`, data that is not bytes). Nothing from a file with any problem reaches
the map.

Formats, by extension:

* ``.csv`` — UTF-8 (with or without byte-order mark), UTF-16 or UTF-32 (with
  a byte-order mark, or without one, told by where the zero bytes fall), else
  GB18030 (the superset of GBK that Excel on Chinese Windows writes). Which one
  was used is reported as a note.
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
control characters other than tab and line break, and bidirectional controls
(U+202A-202E, U+2066-2069, U+200E/F, U+061C), are rejected. A text cell that
starts with ' followed by = + - @ tab or CR loses the ': that prefix is how the
project's own CSV/XLSX exports keep such cells from running as formulas, so an
export loads back unchanged. Every cap is in `ingest.caps`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import PurePath

from ingest.caps import DES_MAX_BYTES as MAX_BYTES
from ingest.caps import DES_MAX_ROWS as MAX_ROWS
from ingest.caps import DES_MAX_TEXT
from ingest.messages import Msg
from ingest.report import Problem, Report
from ingest.text import show as _show
from policy.model import Policy
from policy.userdata_check import _build, _check_row, _check_together
from policy.userdata_read import _read_csv, _read_xlsx, _read_yaml

MODES = ("replace", "beside")
EXTENSIONS = (".csv", ".xlsx", ".yaml", ".yml")


@dataclass
class UserDesignations:
    policy: Policy | None
    problems: list[Problem] = field(default_factory=list)
    notes: list[Msg] = field(default_factory=list)  # English as text; render(lang) for others

    @property
    def ok(self) -> bool:
        return self.policy is not None


def too_large(size: int, max_bytes: int = MAX_BYTES) -> Problem:
    if max_bytes >= 100_000:
        return Problem(None, None, Msg("des.too_large_mb", size=size, max=max_bytes, mb=max_bytes / 1e6))
    return Problem(None, None, Msg("des.too_large", size=size, max=max_bytes))


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
    rep = Report()
    ext = PurePath(str(filename)).suffix.lower()
    if ext == ".xls":
        rep.add(None, None, Msg("des.xls"))
    elif ext not in EXTENSIONS:
        accepted = ", ".join(EXTENSIONS)
        rep.add(None, None, Msg("des.extension", ext=_show(ext, 20), accepted=accepted) if ext
                else Msg("des.no_extension", accepted=accepted))
    if len(data) > max_bytes:
        rep.add_problem(too_large(len(data), max_bytes))
    elif not data.strip():
        rep.add(None, None, Msg("file.empty"))
    if rep.failed:
        return UserDesignations(None, rep.problems(), rep.notes)

    if ext == ".csv":
        rows = _read_csv(data, rep, max_rows)
    elif ext == ".xlsx":
        rows = _read_xlsx(data, rep, max_rows, max_bytes)
    else:
        rows = _read_yaml(data, rep, max_rows, base)
    if rows is None:
        return UserDesignations(None, rep.problems(), rep.notes)
    text = sum(len(v) for r in rows for v in (*r.values.values(), *r.other.values()) if isinstance(v, str))
    if text > DES_MAX_TEXT:
        rep.add(None, None, Msg("des.text_total", n=text, max=DES_MAX_TEXT))
        return UserDesignations(None, rep.problems(), rep.notes)
    if not rows and not rep.failed:
        rep.add(None, None, Msg("des.no_rows"))

    valid = [v for v in (_check_row(r, base, rep) for r in rows) if v is not None]
    _check_together(valid, base, mode, rep)
    if rep.failed:
        # In file order, as the user will work through them (Report sorts).
        return UserDesignations(None, rep.problems(), rep.notes)
    policy = replace(_build(base, valid, mode, rep), user_source=PurePath(str(filename)).name, user_mode=mode)
    n_rows = sum(1 for v in valid if not v.src.cluster_only)
    n_file = len(dict.fromkeys(v.cluster_id for v in valid))
    n_clusters, n_des = len(policy.clusters), len(policy.designations)
    rep.notes.append(Msg("des.summary", rows=n_rows, clusters=n_file, mode=Msg(f"des.mode.{mode}"),
                         total=n_clusters, designations=n_des))
    return UserDesignations(policy, [], rep.notes)


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

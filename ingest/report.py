"""One problem type and one report for every upload.

A hostile file can carry a mistake in every cell, so the report de-duplicates
with a set (a list scan made a 5,000-row file take a minute) and keeps only the
first `MAX_PROBLEMS`; the rest are counted and summarised as "and N more".
"""

from __future__ import annotations

from dataclasses import dataclass

from ingest.caps import MAX_PROBLEMS


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file.

    `row` is the row as the user sees it (in CSV and XLSX the header is row 1;
    in YAML the 1-based item of the top-level list); None for the whole file.
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


class Report:
    """Problems and notes gathered while judging one file."""

    def __init__(self, max_problems: int = MAX_PROBLEMS) -> None:
        self.max_problems = max_problems
        self._problems: list[Problem] = []
        self._seen: set[Problem] = set()
        self.dropped = 0  # distinct problems beyond the cap
        self.notes: list[str] = []

    def add(self, row: int | None, column: str | None, message: str) -> None:
        self.add_problem(Problem(row, column, message))

    def add_problem(self, p: Problem) -> None:
        # A nested cluster's fields are checked once per designation row; say it once.
        if p in self._seen:
            return
        self._seen.add(p)
        if len(self._problems) < self.max_problems:
            self._problems.append(p)
        else:
            self.dropped += 1

    @property
    def failed(self) -> bool:
        return bool(self._problems)

    def __len__(self) -> int:
        return len(self._problems) + self.dropped

    def problems(self) -> list[Problem]:
        """In file order (whole-file problems first), the overflow summarised last."""
        out = sorted(self._problems, key=lambda p: (p.row is not None, p.row or 0))
        if self.dropped:
            out.append(Problem(None, None, f"and {self.dropped:,} more problem{'s' if self.dropped != 1 else ''} "
                                           f"(only the first {self.max_problems} are listed)"))
        return out

    def messages(self) -> list[str]:
        return [str(p) for p in self.problems()]

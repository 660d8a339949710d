"""One problem type and one report for every upload.

A hostile file can carry a mistake in every cell, so the report de-duplicates
with a set (a list scan made a 5,000-row file take a minute) and keeps only the
first `MAX_PROBLEMS`; the rest are counted and summarised as "and N more".

Messages are `ingest.messages.Msg`: English as text, any language through
`render(lang)`, the location ("row 3" / "第 3 行") included.
"""

from __future__ import annotations

from dataclasses import dataclass

from ingest.caps import MAX_PROBLEMS
from ingest.messages import Msg


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file.

    `row` is the row as the user sees it (in CSV and XLSX the header is row 1;
    in YAML the 1-based item of the top-level list); None for the whole file.
    `column` is a schema column or a path in the file (verbatim in every
    language), or a `Msg` such as "column B".
    """

    row: int | None
    column: str | None
    message: str  # a Msg; plain text is shown as it is in every language

    def as_msg(self) -> Msg:
        """The problem with its location, as one message."""
        message = self.message if isinstance(self.message, Msg) else Msg("text", text=self.message)
        if self.row is None:
            return message if self.column is None else Msg("problem.column", column=self.column, message=message)
        if self.column is None:
            return Msg("problem.row", row=self.row, message=message)
        return Msg("problem.row_column", row=self.row, column=self.column, message=message)

    def render(self, lang: str = "en") -> str:
        return self.as_msg().render(lang)

    def format(self, path: str, lang: str = "en") -> str:
        """One line for a terminal: PATH:row N:column: message."""
        if self.row is None and self.column is None:
            return f"{path}: {self.as_msg().render(lang)}"
        return f"{path}:{self.as_msg().render(lang)}"

    def __str__(self) -> str:
        return self.render("en")


class Report:
    """Problems and notes gathered while judging one file."""

    def __init__(self, max_problems: int = MAX_PROBLEMS) -> None:
        self.max_problems = max_problems
        self._problems: list[Problem] = []
        self._seen: set[Problem] = set()
        self.dropped = 0  # distinct problems beyond the cap
        self.notes: list[Msg] = []

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
    def listing(self) -> bool:
        """Whether one more problem would still be listed, not only counted: a check
        may skip costly detail (a "did you mean") that nobody would see."""
        return len(self._problems) < self.max_problems

    @property
    def failed(self) -> bool:
        return bool(self._problems)

    def __len__(self) -> int:
        return len(self._problems) + self.dropped

    def problems(self) -> list[Problem]:
        """In file order (whole-file problems first), the overflow summarised last."""
        out = sorted(self._problems, key=lambda p: (p.row is not None, p.row or 0))
        if self.dropped:
            out.append(Problem(None, None, Msg("report.more", n=self.dropped, cap=self.max_problems)))
        return out

    def messages(self) -> list[Msg]:
        return [p.as_msg() for p in self.problems()]

"""The app's one entry point for uploads: every file judged in a worker under a budget.

    judgement = judge_uploads(des_bytes, des_name, mode, bnd_bytes, bnd_name, base_policy)
    judgement.policy    # Policy from the designations file, or None (none given, or refused)
    judgement.cities    # GeoDataFrame of the 21 cities from the boundary file, or None
    judgement.messages  # [(level, Msg)]: level "error" or "info"; the Msg is plain text
                        # in English, and `msg.render(lang)` gives it in any language
    judgement.ok        # False when any file was refused: keep the built-in data

Everything in a Judgement is picklable and holds no reference to the worker.
The messages keep their ids and parameters, not rendered text: the app caches
one judgement per file and renders it in the user's language at display time.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from ingest.budget import Outcome, run_limited
from ingest.caps import BUDGET_MEMORY, BUDGET_SECONDS
from ingest.messages import Msg
from ingest.text import clip


class Judgement(NamedTuple):
    policy: Any  # policy.model.Policy | None
    cities: Any  # geopandas.GeoDataFrame | None
    messages: list[tuple[str, Msg]]

    @property
    def ok(self) -> bool:
        return not any(level == "error" for level, _ in self.messages)


def _designations(data: bytes, name: str, base, mode: str):
    from policy.userdata import load_designations

    return load_designations(data, name, base, mode)


def _boundaries(data: bytes, name: str, base):
    from geo.userboundaries import load_user_boundaries

    return load_user_boundaries(data, name, base)


def refusal(outcome: Outcome, seconds: float, memory: int) -> Msg:
    """Why a file was refused over its budget."""
    if outcome.status == "time":
        return Msg("budget.time", seconds=seconds)
    if outcome.status == "memory":
        return Msg("budget.memory", mb=memory / 1e6)
    if outcome.status == "busy":
        return Msg("budget.busy")
    return Msg("budget.crash", detail=clip(outcome.detail, 120))


def judge_designations(data: bytes, name: str, base, mode: str = "replace", *,
                       seconds: float = BUDGET_SECONDS, memory: int = BUDGET_MEMORY):
    """`policy.userdata.load_designations` under the budget: a `UserDesignations`
    whose only problem says so when the file is over budget."""
    from policy.userdata import MODES, Problem, UserDesignations

    if mode not in MODES:  # a programming error, as in load_designations
        raise ValueError(f"mode {mode!r} is not one of: {', '.join(MODES)}")
    outcome = run_limited(_designations, bytes(data), str(name), base, mode, seconds=seconds, memory=memory)
    if outcome.status == "ok":
        return outcome.value
    return UserDesignations(None, [Problem(None, None, refusal(outcome, seconds, memory))], [])


def judge_boundaries(data: bytes, name: str, base, *, seconds: float = BUDGET_SECONDS,
                     memory: int = BUDGET_MEMORY):
    """`geo.userboundaries.load_user_boundaries` under the budget."""
    from geo.userboundaries import UserBoundaries

    outcome = run_limited(_boundaries, bytes(data), str(name), base, seconds=seconds, memory=memory)
    if outcome.status == "ok":
        return outcome.value
    return UserBoundaries(cities=None, level=None, problems=[refusal(outcome, seconds, memory)])


def judge_uploads(des_bytes: bytes | None, des_name: str, mode: str, bnd_bytes: bytes | None, bnd_name: str,
                  base, *, seconds: float = BUDGET_SECONDS, memory: int = BUDGET_MEMORY) -> Judgement:
    """Judge a session's uploads (either may be None), each in its own worker with
    `seconds` of wall clock and `memory` bytes. Messages name the file they are about."""
    policy = cities = None
    messages: list[tuple[str, Msg]] = []
    if des_bytes is not None:
        res = judge_designations(des_bytes, des_name, base, mode, seconds=seconds, memory=memory)
        messages += _named(des_name, [p.as_msg() for p in res.problems], res.notes)
        policy = res.policy
    if bnd_bytes is not None:
        res = judge_boundaries(bnd_bytes, bnd_name, base, seconds=seconds, memory=memory)
        messages += _named(bnd_name, res.problems, res.notes)
        cities = res.cities
    return Judgement(policy, cities, messages)


def _named(name: str, problems: list, notes: list) -> list[tuple[str, Msg]]:
    """Problems and notes prefixed with the file's (shortened) name."""
    shown = clip(name, 80)

    def one(m) -> Msg:
        return Msg("file.message", path=shown, message=m if isinstance(m, Msg) else Msg("text", text=str(m)))

    return [("error", one(p)) for p in problems] + [("info", one(n)) for n in notes]

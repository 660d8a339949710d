"""The app's one entry point for uploads: every file judged in a worker under a budget.

    judgement = judge_uploads(des_bytes, des_name, mode, bnd_bytes, bnd_name, base_policy)
    judgement.policy    # Policy from the designations file, or None (none given, or refused)
    judgement.cities    # GeoDataFrame of the 21 cities from the boundary file, or None
    judgement.messages  # [(level, text)]: level "error" or "info"; text is plain text
    judgement.ok        # False when any file was refused: keep the built-in data

Everything in a Judgement is picklable and holds no reference to the worker.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from ingest.budget import Outcome, run_limited
from ingest.caps import BUDGET_MEMORY, BUDGET_SECONDS
from ingest.text import clip


class Judgement(NamedTuple):
    policy: Any  # policy.model.Policy | None
    cities: Any  # geopandas.GeoDataFrame | None
    messages: list[tuple[str, str]]

    @property
    def ok(self) -> bool:
        return not any(level == "error" for level, _ in self.messages)


def _designations(data: bytes, name: str, base, mode: str):
    from policy.userdata import load_designations

    return load_designations(data, name, base, mode)


def _boundaries(data: bytes, name: str, base):
    from geo.userboundaries import load_user_boundaries

    return load_user_boundaries(data, name, base)


def refusal(outcome: Outcome, seconds: float, memory: int) -> str:
    """Why a file was refused over its budget, in Chinese and in English."""
    if outcome.status == "time":
        return (f"文件未能在 {seconds:g} 秒的处理时限内检查完毕，已拒绝；请简化或拆分文件后再试。 "
                f"The file could not be checked within the {seconds:g} s time limit and was refused; "
                "simplify or split it and try again.")
    if outcome.status == "memory":
        return (f"检查文件所需内存超过 {memory / 1e6:,.0f} MB 的限额，已拒绝；请简化文件后再试。 "
                f"Checking the file needed more than the {memory / 1e6:,.0f} MB memory limit; it was refused. "
                "Simplify it and try again.")
    if outcome.status == "busy":
        return ("服务器正忙于检查其他上传的文件，请稍后再试。 "
                "The server is busy checking other uploads; try again in a moment.")
    detail = clip(outcome.detail, 120)
    return (f"检查文件的进程意外终止（{detail}），文件已拒绝。 "
            f"The process checking the file stopped unexpectedly ({detail}); the file was refused.")


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
    messages: list[tuple[str, str]] = []
    if des_bytes is not None:
        shown = clip(des_name, 80)
        res = judge_designations(des_bytes, des_name, base, mode, seconds=seconds, memory=memory)
        messages += [("error", f"{shown}: {p}") for p in res.problems]
        messages += [("info", f"{shown}: {n}") for n in res.notes]
        policy = res.policy
    if bnd_bytes is not None:
        shown = clip(bnd_name, 80)
        res = judge_boundaries(bnd_bytes, bnd_name, base, seconds=seconds, memory=memory)
        messages += [("error", f"{shown}: {p}") for p in res.problems]
        messages += [("info", f"{shown}: {n}") for n in res.notes]
        cities = res.cities
    return Judgement(policy, cities, messages)

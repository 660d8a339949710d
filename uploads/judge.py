"""The app's one entry point for uploads: every file judged in a worker under a budget.

    judgement = judge_uploads(des_bytes, des_name, mode, bnd_bytes, bnd_name, base_policy)
    judgement.policy    # Policy from the designations file, or None (none given, or refused)
    judgement.cities    # GeoDataFrame of the 21 cities from the boundary file, or None
    judgement.messages  # [(level, Msg)]: level "error" or "info"; the Msg is plain text
                        # in English, and `msg.render(lang)` gives it in any language
    judgement.ok        # False when any file was refused: keep the built-in data
    judgement.map_data, judgement.static  # the boundary file's map and export data
    judgement.retry     # refused for busy / over budget: may go otherwise later, never cache

Everything in a Judgement is picklable and holds no reference to the worker.
The messages keep their ids and parameters, not rendered text: the app caches
one judgement per file and renders it in the user's language at display time.
"""

from __future__ import annotations

import os
from typing import Any, NamedTuple

from ingest.budget import Outcome, run_limited
from ingest.caps import BUDGET_MEMORY, BUDGET_SECONDS
from ingest.messages import Msg
from ingest.text import clip


class Judgement(NamedTuple):
    policy: Any  # policy.model.Policy | None
    cities: Any  # geopandas.GeoDataFrame | None
    messages: list[tuple[str, Msg]]
    map_data: Any = None  # layers.map.MapData of the boundary file (built in the worker)
    static: Any = None  # export.data.StaticData of the boundary file (built in the worker)
    # A file was refused for a reason that may not hold on another try (the server was
    # busy, the file went over its budget on a busy machine, the worker died): keep
    # such a judgement out of any shared cache.
    retry: bool = False

    @property
    def ok(self) -> bool:
        return not any(level == "error" for level, _ in self.messages)


def _designations(data: bytes, name: str, base, mode: str):
    from policy.userdata import load_designations

    return load_designations(data, name, base, mode)


def _boundaries(data: bytes, name: str, base):
    """Judge the file, then build what the map and the export need from it, all in
    the worker: (UserBoundaries, Prepared | None)."""
    import shapely

    from geo.boundaries import load_context
    from geo.userboundaries import load_user_boundaries

    res = load_user_boundaries(data, name, base)
    if not res.ok:
        return res, None
    from uploads.prepare import TooDetailed, prepare

    try:
        prepared = prepare(res.cities, load_context(), base, user_source(name))
    except TooDetailed as exc:
        return _refused(res, exc.args[0]), None
    except shapely.errors.GEOSException as exc:
        if "bad_alloc" in str(exc):  # GEOS ran out of the worker's memory
            raise MemoryError from None
        return _refused(res, Msg("bnd.geos_failed", detail=clip(str(exc), 120))), None
    res.cities = prepared.cities
    res.notes.extend(prepared.notes)
    return res, prepared


def user_source(name: str):
    """The boundaries' credit for a file called `name` (a path on the command line): its
    base name only, on one line and shortened, as a map footer can print it."""
    from geo.boundaries import BoundarySource

    return BoundarySource.for_user_file(clip(os.path.basename(str(name)) or str(name), 60))


def _refused(res, problem: Msg):
    res.cities = None
    res.problems.append(problem)
    return res


# A file under this many bytes is never slow because of its size: "simplify or
# split it" would be no help.
SMALL_FILE = 100_000


def refusal(outcome: Outcome, seconds: float, memory: int, size: int | None = None) -> Msg:
    """Why a file (of `size` bytes) was refused over its budget."""
    if outcome.status == "time":
        return Msg("budget.time_small" if size is not None and size < SMALL_FILE else "budget.time", seconds=seconds)
    if outcome.status == "memory":
        return Msg("budget.memory", mb=memory / 1e6)
    if outcome.status == "busy":
        return Msg("budget.busy")
    return Msg("budget.crash", detail=clip(outcome.detail, 120))


def judge_designations(data: bytes, name: str, base, mode: str = "replace", *,
                       seconds: float = BUDGET_SECONDS, memory: int = BUDGET_MEMORY, session: str | None = None):
    """`policy.userdata.load_designations` under the budget: a `UserDesignations`
    whose only problem says so when the file is over budget."""
    return _judge_designations(data, name, base, mode, seconds, memory, session)[0]


def _judge_designations(data, name, base, mode, seconds, memory, session):
    from policy.userdata import MODES, Problem, UserDesignations

    if mode not in MODES:  # a programming error, as in load_designations
        raise ValueError(f"mode {mode!r} is not one of: {', '.join(MODES)}")
    outcome = run_limited(_designations, bytes(data), str(name), base, mode, seconds=seconds, memory=memory,
                          session=session)
    if outcome.status == "ok":
        return outcome.value, outcome
    return UserDesignations(None, [Problem(None, None, refusal(outcome, seconds, memory, len(data)))], []), outcome


def judge_boundaries(data: bytes, name: str, base, *, seconds: float = BUDGET_SECONDS,
                     memory: int = BUDGET_MEMORY, session: str | None = None):
    """`geo.userboundaries.load_user_boundaries` under the budget, the map and export
    data of an accepted file included (its cities are the simplified ones they use)."""
    return _judge_boundaries(data, name, base, seconds, memory, session)[0]


def _judge_boundaries(data, name, base, seconds, memory, session):
    """(UserBoundaries, Prepared | None, Outcome)."""
    from geo.userboundaries import UserBoundaries
    from uploads.prepare import MODULES

    outcome = run_limited(_boundaries, bytes(data), str(name), base, seconds=seconds, memory=memory,
                          session=session, preload=MODULES)
    if outcome.status == "ok":
        return (*outcome.value, outcome)
    return (UserBoundaries(cities=None, level=None, problems=[refusal(outcome, seconds, memory, len(data))]), None,
            outcome)


def judge_uploads(des_bytes: bytes | None, des_name: str, mode: str, bnd_bytes: bytes | None, bnd_name: str,
                  base, *, seconds: float = BUDGET_SECONDS, memory: int = BUDGET_MEMORY,
                  session: str | None = None) -> Judgement:
    """Judge a session's uploads (either may be None), each in its own worker with
    `seconds` of wall clock (from the moment a worker is free) and `memory` bytes;
    `session` (any key): one job of the session runs at a time. Messages name the
    file they are about."""
    policy = cities = map_data = static = None
    messages: list[tuple[str, Msg]] = []
    retry = False
    if des_bytes is not None:
        res, outcome = _judge_designations(des_bytes, des_name, base, mode, seconds, memory, session)
        messages += _named(des_name, [p.as_msg() for p in res.problems], res.notes)
        policy = res.policy
        retry |= outcome.status != "ok"
    if bnd_bytes is not None:
        res, prepared, outcome = _judge_boundaries(bnd_bytes, bnd_name, base, seconds, memory, session)
        messages += _named(bnd_name, res.problems, res.notes)
        cities = res.cities
        if prepared is not None and res.ok:
            map_data, static = prepared.map_data, prepared.static
        retry |= outcome.status != "ok"
    return Judgement(policy, cities, messages, map_data, static, retry)


def _named(name: str, problems: list, notes: list) -> list[tuple[str, Msg]]:
    """Problems and notes prefixed with the file's (shortened) name."""
    shown = clip(name, 80)

    def one(m) -> Msg:
        return Msg("file.message", path=shown, message=m if isinstance(m, Msg) else Msg("text", text=str(m)))

    return [("error", one(p)) for p in problems] + [("info", one(n)) for n in notes]

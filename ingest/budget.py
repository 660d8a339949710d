"""Run one function in a worker process with a wall-clock and a memory limit.

Why a fresh process per job from a 'forkserver' context, not a
ProcessPoolExecutor: a job over its time budget must be stopped, and the only
sure way to stop a C extension stuck in GEOS, GDAL or SQLite is to kill its
process. Killing a pool's worker breaks the whole pool (BrokenProcessPool) for
every other session; a process of our own can simply be killed. 'fork' is
unsafe here: the app calls this from Streamlit's script threads, and a forked
child would inherit locks held by other threads. 'spawn' would import
geopandas again for every upload (seconds); the fork server imports the
loaders once (`PRELOAD`) and forks a clean, single-threaded child from that
warm state in milliseconds.

In the child, RLIMIT_AS caps the address space at its starting size plus the
memory budget (an allocation beyond it fails with MemoryError or kills the
child, both reported as over budget), and RLIMIT_CPU is a backstop should the
parent die. The parent only waits on a pipe, which releases the GIL, so the
server's other threads (other sessions, /_stcore/health) keep running.
A semaphore bounds how many judges run at once, so a burst of uploads cannot
take every core.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import resource
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable

from ingest.caps import BUDGET_MEMORY, BUDGET_SECONDS

PRELOAD = ["__main__", "ingest.judge", "policy.userdata", "geo.userboundaries", "openpyxl", "yaml"]
MAX_PARALLEL = max(1, min(4, (os.cpu_count() or 2)))

_slots = threading.BoundedSemaphore(MAX_PARALLEL)
_ctx_lock = threading.Lock()
_ctx = None


@dataclass(frozen=True)
class Outcome:
    """status: "ok" (value holds the result), "time" (over the wall-clock budget),
    "memory" (over the memory budget), "busy" (no free worker within the budget),
    "crash" (the worker died otherwise; detail says how)."""

    status: str
    value: Any = None
    seconds: float = 0.0
    detail: str = ""


def _context():
    global _ctx
    with _ctx_lock:
        if _ctx is None:
            method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
            ctx = multiprocessing.get_context(method)
            if method == "forkserver":
                ctx.set_forkserver_preload(PRELOAD)
            _ctx = ctx
        return _ctx


def _address_space() -> int:
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _child(conn, fn: Callable, args: tuple, kwargs: dict, memory: int, seconds: float) -> None:
    try:
        if memory:
            limit = _address_space() + memory
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        cpu = math.ceil(seconds) + 2
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        try:
            result = ("ok", fn(*args, **kwargs))
        except MemoryError:
            result = ("memory", None)
        conn.send(result)
    except MemoryError:
        try:
            conn.send(("memory", None))
        except Exception:  # nothing left to report with; the parent sees the pipe close
            pass
    finally:
        conn.close()


def run_limited(fn: Callable, *args, seconds: float = BUDGET_SECONDS, memory: int = BUDGET_MEMORY,
                **kwargs) -> Outcome:
    """fn(*args, **kwargs) in a worker; fn, its arguments and its result must be picklable
    (fn a module-level function). Never raises for what happens in the worker."""
    start = time.monotonic()
    if not _slots.acquire(timeout=seconds):
        return Outcome("busy", seconds=time.monotonic() - start)
    try:
        ctx = _context()
        parent, child = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_child, args=(child, fn, args, kwargs, memory, seconds), daemon=True)
        proc.start()
        child.close()
        try:
            left = seconds - (time.monotonic() - start)
            if parent.poll(max(left, 0.0)):
                try:
                    status, value = parent.recv()
                except (EOFError, OSError):
                    proc.join(2)
                    code = proc.exitcode
                    # A child refused memory by RLIMIT_AS may die in C code (abort,
                    # SIGSEGV) instead of raising MemoryError; SIGXCPU is the CPU backstop.
                    if code is not None and code < 0 and -code in (6, 9, 11):
                        return Outcome("memory", seconds=time.monotonic() - start, detail=f"signal {-code}")
                    if code is not None and -code == 24:
                        return Outcome("time", seconds=time.monotonic() - start)
                    return Outcome("crash", seconds=time.monotonic() - start, detail=f"exit code {code}")
                return Outcome(status, value if status == "ok" else None, time.monotonic() - start)
            return Outcome("time", seconds=time.monotonic() - start)
        finally:
            parent.close()
            if proc.is_alive():
                proc.kill()
            proc.join(5)
    finally:
        _slots.release()

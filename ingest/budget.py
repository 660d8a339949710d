"""Run one function in a worker process with a wall-clock and a memory limit.

Why not `multiprocessing` (Pool, ProcessPoolExecutor, or a 'spawn'/'forkserver'
Process): every such child first re-imports the parent's `__main__`, and under
`streamlit run` that is the app script itself, so each upload would run the
whole app again in the child. 'fork' from the server is unsafe: the app calls
this from Streamlit's script threads, and a forked child would inherit locks
held by other threads. A pool would also not help: a job over its time budget
must be killed (a C extension stuck in GEOS, GDAL or SQLite cannot be
interrupted), and killing a pool's worker breaks the pool for every session.

So this module keeps a small fork server of its own: one single-threaded
helper process (`python -m ingest.budget`, started on first use) imports the
loaders once (`PRELOAD`, and the modules a job asks for with `preload`, such as
the map and export builders an accepted boundary file needs: the command line,
which judges only designations, never waits for those) and forks a fresh child
per job, from that clean state, in milliseconds. Starting the helper is not
charged to a job's budget. The parent talks to the child over a Unix socket: it
sends the pickled job and waits for the pickled result with a timeout. Over
time, the parent kills the child. In the child, RLIMIT_AS caps the address
space at its starting size plus the memory budget (an allocation beyond it
fails with MemoryError, reported as over budget), RLIMIT_CPU is a backstop,
and the child runs at a lower priority (nice 10).
Waiting on a socket releases the GIL, so the server's other threads (other
sessions, /_stcore/health) keep running; `MAX_PARALLEL` slots bound how many
judges run at once, so a burst of uploads cannot take every core. The helper
exits when the parent does (it watches its stdin pipe).

Queueing is fair and honest: jobs get slots first come, first served; a job's
time budget starts when it gets its slot (waiting is not charged to the file);
a session (the app passes its key) runs one job at a time, so one user cannot
hold every slot; and a job that finds no slot within `BUDGET_QUEUE_SECONDS` is
"busy", which says the server is busy, never that the file is too big.
"""

from __future__ import annotations

import math
import os
import pickle
import resource
import select
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest.caps import BUDGET_MEMORY, BUDGET_QUEUE_SECONDS, BUDGET_RESULT_BYTES, BUDGET_SECONDS

PRELOAD = ("uploads.judge", "policy.userdata", "geo.userboundaries", "openpyxl", "yaml")
MAX_PARALLEL = max(1, min(4, os.cpu_count() or 2))
_ROOT = Path(__file__).resolve().parent.parent
_HEADER = struct.Struct("!Q")

_server_lock = threading.Lock()
_server: tuple[subprocess.Popen, str, frozenset[str]] | None = None  # helper, socket, its modules


@dataclass(frozen=True)
class Outcome:
    """status: "ok" (value holds the result), "time" (over the wall-clock budget),
    "memory" (over the memory budget), "busy" (no free worker within the queue's
    wait), "crash" (the worker died otherwise; detail says how). `seconds` is the
    time the job ran (from getting its slot), `waited` the time before that."""

    status: str
    value: Any = None
    seconds: float = 0.0
    detail: str = ""
    waited: float = 0.0


class FairSlots:
    """A counting semaphore that hands slots out first come, first served (a
    threading.Semaphore lets a newcomer take a slot before a thread that has waited)."""

    def __init__(self, n: int):
        self._free = n
        self._lock = threading.Lock()
        self._queue: deque[threading.Event] = deque()

    def acquire(self, timeout: float) -> bool:
        with self._lock:
            if self._free and not self._queue:
                self._free -= 1
                return True
            turn = threading.Event()
            self._queue.append(turn)
        if turn.wait(max(timeout, 0.0)):
            return True
        with self._lock:
            if turn.is_set():  # handed over just as the wait ended
                return True
            self._queue.remove(turn)
            return False

    def release(self) -> None:
        with self._lock:
            if self._queue:
                self._queue.popleft().set()  # straight to the longest waiter
            else:
                self._free += 1


_slots = FairSlots(MAX_PARALLEL)
_sessions_lock = threading.Lock()
_sessions: dict[str, list] = {}  # session key -> [FairSlots(1), jobs holding or awaiting it]


def _session_slot(key: str) -> FairSlots:
    with _sessions_lock:
        entry = _sessions.setdefault(key, [FairSlots(1), 0])
        entry[1] += 1
        return entry[0]


def _session_done(key: str) -> None:
    with _sessions_lock:
        entry = _sessions[key]
        entry[1] -= 1
        if not entry[1]:
            del _sessions[key]  # no entry kept for sessions long gone


# ---------------------------------------------------------------- framing

def _send(sock: socket.socket, obj) -> None:
    body = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    sock.sendall(_HEADER.pack(len(body)) + body)


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    parts, left = [], n
    while left:
        chunk = sock.recv(min(left, 1 << 20))
        if not chunk:
            raise EOFError("connection closed")
        parts.append(chunk)
        left -= len(chunk)
    return b"".join(parts)


class TooLarge(Exception):
    """A message longer than the reader accepts."""


def _recv(sock: socket.socket, limit: int | None = None):
    (n,) = _HEADER.unpack(_recv_exact(sock, _HEADER.size))
    if limit is not None and n > limit:
        raise TooLarge(n)
    return pickle.loads(_recv_exact(sock, n))


# ---------------------------------------------------------------- helper process side

def _address_space() -> int:
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _limit(kind: int, value: int) -> None:
    """Lower a resource limit, never above the hard limit the system already sets."""
    _, hard = resource.getrlimit(kind)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(kind, (value, hard))


def _run_job(conn: socket.socket) -> None:
    conn.sendall(struct.pack("!i", os.getpid()))
    fn, args, kwargs, memory, seconds = _recv(conn)
    if memory:
        _limit(resource.RLIMIT_AS, _address_space() + memory)
    _limit(resource.RLIMIT_CPU, math.ceil(seconds) + 2)
    # Lower priority: on a busy machine the server's own threads (other sessions,
    # health checks) get the cores first.
    try:
        os.nice(10)
    except OSError:
        pass
    try:
        result = ("ok", fn(*args, **kwargs))
    except MemoryError:
        result = ("memory", None)
    except Exception as exc:  # a bug in the job: report it rather than die silently
        result = ("crash", f"{type(exc).__name__}: {exc}"[:300])
    try:
        _send(conn, result)
    except MemoryError:
        _send(conn, ("memory", None))


def serve(path: str, modules: list[str]) -> None:
    """The helper's loop: preload, then fork one child per connection."""
    for name in modules:
        try:
            __import__(name)
        except ImportError:
            pass
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # clean up on a polite stop too
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(16)
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    try:
        _accept_loop(listener)
    finally:
        listener.close()
        try:  # the socket, then its private folder
            os.unlink(path)
            os.rmdir(os.path.dirname(path))
        except OSError:
            pass


def _accept_loop(listener: socket.socket) -> None:
    while True:
        ready, _, _ = select.select([listener, sys.stdin], [], [])
        if sys.stdin in ready and not os.read(sys.stdin.fileno(), 4096):
            break  # the parent is gone
        if listener in ready:
            conn, _ = listener.accept()
            pid = os.fork()
            if pid == 0:
                code = 0
                try:
                    listener.close()
                    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                    signal.signal(signal.SIGTERM, signal.SIG_DFL)
                    _run_job(conn)
                except BaseException:
                    code = 1
                finally:
                    os._exit(code)
            conn.close()


# ---------------------------------------------------------------- parent side

def _start_server(modules: frozenset[str]) -> tuple[subprocess.Popen, str]:
    folder = tempfile.mkdtemp(prefix="gd-judge-")  # mode 0700: the socket is ours alone
    path = os.path.join(folder, "judge.sock")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(_ROOT)] + [p for p in sys.path if p and os.path.isdir(p)])
    env["OPENBLAS_NUM_THREADS"] = env["OMP_NUM_THREADS"] = "1"  # no thread pools to fork
    proc = subprocess.Popen([sys.executable, "-m", "ingest.budget", path, *sorted(modules)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, cwd=str(_ROOT), env=env, close_fds=True)
    line = proc.stdout.readline()
    if line.strip() != b"ready":
        proc.kill()
        raise OSError("the upload judge could not start")
    return proc, path


def _server_path(restart: bool = False, modules: frozenset[str] = frozenset()) -> str:
    """The helper's socket, (re)starting the helper if it is gone or lacks `modules`."""
    global _server
    with _server_lock:
        if restart or _server is None or _server[0].poll() is not None or not modules <= _server[2]:
            want = frozenset(PRELOAD) | modules
            if _server is not None:
                want |= _server[2]
                if _server[0].poll() is None:
                    _server[0].terminate()  # its running jobs are processes of their own: they go on
            _server = (*_start_server(want), want)
        return _server[1]


def _connect(deadline: float, modules: frozenset[str]) -> socket.socket:
    for attempt in (0, 1):
        path = _server_path(restart=attempt == 1, modules=modules)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(max(deadline - time.monotonic(), 0.001))
        try:
            sock.connect(path)
            return sock
        except OSError:
            sock.close()
            if attempt:
                raise
    raise OSError("unreachable")


def run_limited(fn: Callable, *args, seconds: float = BUDGET_SECONDS, memory: int = BUDGET_MEMORY,
                session: str | None = None, wait: float | None = None, preload: tuple[str, ...] = (),
                **kwargs) -> Outcome:
    """fn(*args, **kwargs) in a fresh worker, with `seconds` of wall clock from the
    moment it gets a slot and `memory` bytes; fn (a module-level function), its
    arguments and its result must be picklable. `session`: jobs with the same key
    run one at a time. "busy" if no slot is free within `wait` seconds (default
    BUDGET_QUEUE_SECONDS). `preload`: modules fn needs, imported by the helper
    once rather than by every job. Never raises for what happens in the worker."""
    queued = time.monotonic()
    give_up = queued + (BUDGET_QUEUE_SECONDS if wait is None else wait)
    mine = _session_slot(session) if session is not None else None
    try:
        if mine is not None and not mine.acquire(give_up - time.monotonic()):
            return Outcome("busy", waited=time.monotonic() - queued)
        try:
            if not _slots.acquire(give_up - time.monotonic()):
                return Outcome("busy", waited=time.monotonic() - queued)
            try:
                return _run(fn, args, kwargs, seconds, memory, frozenset(preload), waited=time.monotonic() - queued)
            finally:
                _slots.release()
        finally:
            if mine is not None:
                mine.release()
    finally:
        if session is not None:
            _session_done(session)


def _run(fn, args, kwargs, seconds: float, memory: int, modules: frozenset[str], waited: float) -> Outcome:
    try:
        _server_path(modules=modules)  # a helper to fork from: infrastructure, not the job's cost
    except OSError as exc:
        return Outcome("crash", waited=waited, detail=f"no worker: {exc}")
    start = time.monotonic()
    deadline = start + seconds  # the budget starts now, with the slot
    pid = None
    try:
        try:
            sock = _connect(deadline, modules)
        except OSError as exc:
            return Outcome("crash", seconds=time.monotonic() - start, detail=f"no worker: {exc}")
        with sock:
            try:
                sock.settimeout(max(deadline - time.monotonic(), 0.001))
                (pid,) = struct.unpack("!i", _recv_exact(sock, 4))
                _send(sock, (fn, args, kwargs, memory, seconds))
                sock.settimeout(max(deadline - time.monotonic(), 0.001))
                status, value = _recv(sock, BUDGET_RESULT_BYTES)
            except TimeoutError:
                return Outcome("time", seconds=time.monotonic() - start, waited=waited)
            except TooLarge as exc:  # the server never holds more than this of one file's result
                return Outcome("memory", seconds=time.monotonic() - start, waited=waited,
                               detail=f"a result of {exc.args[0]:,} bytes")
            except (EOFError, OSError, pickle.UnpicklingError) as exc:
                return Outcome("crash", seconds=time.monotonic() - start, waited=waited,
                               detail=f"the worker stopped ({exc})")
            pid = None  # finished: nothing to kill
        took = time.monotonic() - start
        if status == "ok":
            return Outcome("ok", value, took, waited=waited)
        return Outcome(status, seconds=took, detail=value or "", waited=waited)
    finally:
        if pid is not None:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


if __name__ == "__main__":
    serve(sys.argv[1], sys.argv[2:])

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
loaders once (`PRELOAD`) and forks a fresh child per job, from that clean
state, in milliseconds. The parent talks to the child over a Unix socket: it
sends the pickled job and waits for the pickled result with a timeout. Over
time, the parent kills the child. In the child, RLIMIT_AS caps the address
space at its starting size plus the memory budget (an allocation beyond it
fails with MemoryError, reported as over budget), RLIMIT_CPU is a backstop,
and the child runs at a lower priority (nice 10).
Waiting on a socket releases the GIL, so the server's other threads (other
sessions, /_stcore/health) keep running; a semaphore bounds how many judges
run at once, so a burst of uploads cannot take every core. The helper exits
when the parent does (it watches its stdin pipe).
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
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest.caps import BUDGET_MEMORY, BUDGET_SECONDS

PRELOAD = ("ingest.judge", "policy.userdata", "geo.userboundaries", "openpyxl", "yaml")
MAX_PARALLEL = max(1, min(4, os.cpu_count() or 2))
_ROOT = Path(__file__).resolve().parent.parent
_HEADER = struct.Struct("!Q")

_slots = threading.BoundedSemaphore(MAX_PARALLEL)
_server_lock = threading.Lock()
_server: tuple[subprocess.Popen, str] | None = None


@dataclass(frozen=True)
class Outcome:
    """status: "ok" (value holds the result), "time" (over the wall-clock budget),
    "memory" (over the memory budget), "busy" (no free worker within the budget),
    "crash" (the worker died otherwise; detail says how)."""

    status: str
    value: Any = None
    seconds: float = 0.0
    detail: str = ""


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


def _recv(sock: socket.socket):
    (n,) = _HEADER.unpack(_recv_exact(sock, _HEADER.size))
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


def serve(path: str) -> None:
    """The helper's loop: preload, then fork one child per connection."""
    for name in PRELOAD:
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

def _start_server() -> tuple[subprocess.Popen, str]:
    folder = tempfile.mkdtemp(prefix="gd-judge-")  # mode 0700: the socket is ours alone
    path = os.path.join(folder, "judge.sock")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(_ROOT)] + [p for p in sys.path if p and os.path.isdir(p)])
    env["OPENBLAS_NUM_THREADS"] = env["OMP_NUM_THREADS"] = "1"  # no thread pools to fork
    proc = subprocess.Popen([sys.executable, "-m", "ingest.budget", path], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, cwd=str(_ROOT), env=env, close_fds=True)
    line = proc.stdout.readline()
    if line.strip() != b"ready":
        proc.kill()
        raise OSError("the upload judge could not start")
    return proc, path


def _server_path(restart: bool = False) -> str:
    global _server
    with _server_lock:
        if restart or _server is None or _server[0].poll() is not None:
            if _server is not None and _server[0].poll() is None:
                _server[0].kill()
            _server = _start_server()
        return _server[1]


def _connect(deadline: float) -> socket.socket:
    for attempt in (0, 1):
        path = _server_path(restart=attempt == 1)
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
                **kwargs) -> Outcome:
    """fn(*args, **kwargs) in a fresh worker; fn (a module-level function), its
    arguments and its result must be picklable. Never raises for what happens in
    the worker."""
    start = time.monotonic()
    deadline = start + seconds
    if not _slots.acquire(timeout=seconds):
        return Outcome("busy", seconds=time.monotonic() - start)
    pid = None
    try:
        try:
            sock = _connect(deadline)
        except OSError as exc:
            return Outcome("crash", seconds=time.monotonic() - start, detail=f"no worker: {exc}")
        with sock:
            try:
                sock.settimeout(max(deadline - time.monotonic(), 0.001))
                (pid,) = struct.unpack("!i", _recv_exact(sock, 4))
                _send(sock, (fn, args, kwargs, memory, seconds))
                sock.settimeout(max(deadline - time.monotonic(), 0.001))
                status, value = _recv(sock)
            except TimeoutError:
                return Outcome("time", seconds=time.monotonic() - start)
            except (EOFError, OSError, pickle.UnpicklingError) as exc:
                return Outcome("crash", seconds=time.monotonic() - start, detail=f"the worker stopped ({exc})")
            pid = None  # finished: nothing to kill
        took = time.monotonic() - start
        if status == "ok":
            return Outcome("ok", value, took)
        return Outcome(status, seconds=took, detail=value or "")
    finally:
        if pid is not None:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        _slots.release()


if __name__ == "__main__":
    serve(sys.argv[1])

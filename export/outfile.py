"""The one place an output file is written: every `--out` of the command line and
every exported map, poster and matrix.

What happens depends on what the path names, so that nothing but a regular file
is ever replaced:

- a regular file, or a path that does not exist yet: the data goes to a
  temporary file beside it (`.NAME.XXXXXXXX.part`), which is then renamed over
  it, so a reader never sees half a file and a failure leaves the old file as it
  was. Through a symbolic link the link's target is replaced, never the link. A
  new file gets 0666 less the umask, like any new file; an existing one keeps its
  permissions, as a shell's `>` would;
- this process's standard output or error (`--out /dev/stdout`, or the very file
  stdout is redirected to): written to that descriptor, where it stands;
- a FIFO or a character device (a pipe, a terminal, /dev/null): written into in
  place. A rename would destroy it: the FIFO's reader would wait for ever and
  /dev/stdout would become a regular file. Opening a FIFO waits for its reader,
  as any writer does;
- anything else (a directory, a block device, a socket): refused with one line.

Callers hand over the finished bytes, so a stream receives the whole file or
nothing. Temporary files still on disk when the command line is interrupted are
removed by `discard_pending`.
"""

from __future__ import annotations

import os
import secrets
import stat
import sys

from export.options import ExportError
from ingest.readfile import file_kind

# Temporary files between their creation and their rename: what an interrupted
# command line removes.
_pending: set[str] = set()


def write_output(path: str | os.PathLike, data: bytes) -> str:
    """Write `data` to `path` as described above; returns how: "file", "stdout",
    "stderr" or "stream". An OSError names `path`, not a temporary file."""
    shown = os.fspath(path)
    try:
        try:
            st = os.stat(path)
        except FileNotFoundError:
            st = None
        if st is not None:
            fd = standard_stream(st)
            if fd is not None:
                _write_fd(fd, data)
                return "stdout" if fd == 1 else "stderr"
            if stat.S_ISFIFO(st.st_mode) or stat.S_ISCHR(st.st_mode):
                if _stream(path, data):
                    return "stream"
                st = os.stat(path)  # replaced by a regular file meanwhile: fall through
            elif not stat.S_ISREG(st.st_mode):
                raise ExportError(f"--out {shown!r} is {file_kind(st.st_mode)}; give a regular file, a new path, "
                                  "a FIFO or a character device such as /dev/stdout")
        _replace(os.path.realpath(path), data, None if st is None else stat.S_IMODE(st.st_mode))
        return "file"
    except OSError as exc:
        if exc.filename == shown:
            raise
        raise OSError(exc.errno, exc.strerror or str(exc), shown) from None


def standard_stream(st: os.stat_result) -> int | None:
    """1 or 2 when `st` is the file this process's stdout or stderr writes to."""
    for fd in (1, 2):
        try:
            if os.path.samestat(st, os.fstat(fd)):
                return fd
        except OSError:
            pass
    return None


def is_standard_stream(path: str | os.PathLike) -> bool:
    """Whether `path` names this process's stdout or stderr (then a command does not
    print the path it wrote into the data it wrote)."""
    try:
        return standard_stream(os.stat(path)) is not None
    except OSError:
        return False


def discard_pending() -> None:
    """Remove the temporary files of writes that were interrupted."""
    for tmp in list(_pending):
        try:
            os.unlink(tmp)
        except OSError:
            pass
        _pending.discard(tmp)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _write_fd(fd: int, data: bytes) -> None:
    # What the process printed before goes first.
    stream = sys.stdout if fd == 1 else sys.stderr
    try:
        if stream is not None:
            stream.flush()
    except (OSError, ValueError):
        pass
    _write_all(fd, data)


def _stream(path, data: bytes) -> bool:
    """Write into an existing FIFO or device in place; False (nothing written) if the
    path turned out to be a regular file by the time it was opened."""
    fd = os.open(path, os.O_WRONLY | os.O_CLOEXEC)
    try:
        if stat.S_ISREG(os.fstat(fd).st_mode):
            return False
        _write_all(fd, data)
        return True
    finally:
        os.close(fd)


def _replace(target: str, data: bytes, mode: int | None) -> None:
    directory, name = os.path.split(target)
    while True:
        tmp = os.path.join(directory, f".{name}.{secrets.token_hex(4)}.part")
        _pending.add(tmp)  # before it exists: an interrupt right after creation still finds it
        try:
            # 0666 and the kernel applies the umask (os.umask would change it for
            # every thread of the process while it is read).
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
            break
        except FileExistsError:
            _pending.discard(tmp)
        except BaseException:
            _pending.discard(tmp)
            raise
    try:
        try:
            if mode is not None:
                os.fchmod(fd, mode)
            _write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    finally:
        _pending.discard(tmp)

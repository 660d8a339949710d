"""Reading a file the command line is given (`--designations PATH`), bounded in
size and in time.

A regular file is read up to one byte past the cap. A FIFO or a character device
is accepted too, so `--designations /dev/stdin` and `--designations <(iconv ...)`
work, but it is read without ever blocking: a FIFO that nobody writes to, or a
terminal nobody types into, is given up after the same number of seconds as the
judging budget, instead of holding the command before that budget has started.
Anything else (a directory, a socket, a block device) is refused.
"""

from __future__ import annotations

import os
import select
import stat
import time


class ReadRefused(Exception):
    """Why the path cannot be read; the message is one clause naming what was found."""


class TooLarge(Exception):
    def __init__(self, size: int):
        super().__init__(size)
        self.size = size


def file_kind(mode: int) -> str:
    """What a file that is not a regular file, FIFO or character device is, for a message."""
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def read_bounded(path: str | os.PathLike, limit: int, seconds: float) -> bytes:
    """At most `limit` + 1 bytes of `path` (one past the cap, so that a stream of
    unknown size still trips the caller's size check). Raises TooLarge for a regular
    file over `limit`, ReadRefused for what cannot be read, OSError from the system."""
    # O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISREG(mode):
            size = os.fstat(fd).st_size
            if size > limit:
                raise TooLarge(size)
            os.set_blocking(fd, True)
            return _read_upto(fd, limit + 1)
        if not (stat.S_ISFIFO(mode) or stat.S_ISCHR(mode)):
            raise ReadRefused(f"is {file_kind(mode)}")
        return _read_stream(fd, limit + 1, seconds)
    finally:
        os.close(fd)


def _read_upto(fd: int, n: int) -> bytes:
    chunks, got = [], 0
    while got < n:
        chunk = os.read(fd, min(1 << 16, n - got))
        if not chunk:
            break
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def _read_stream(fd: int, n: int, seconds: float) -> bytes:
    deadline = time.monotonic() + seconds
    chunks, got = [], 0
    while got < n:
        left = deadline - time.monotonic()
        if left <= 0:
            raise ReadRefused(f"is a {'FIFO' if stat.S_ISFIFO(os.fstat(fd).st_mode) else 'device'} that sent "
                              f"{'nothing' if not got else f'{got:,} bytes and no end'} within {seconds:g} s")
        # A FIFO without a writer is not readable (Linux), so this waits for one.
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            continue
        try:
            chunk = os.read(fd, min(1 << 16, n - got))
        except BlockingIOError:
            continue
        if not chunk:
            break
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)

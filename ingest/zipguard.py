"""One zip check for every archive a user uploads (XLSX workbooks, zipped Shapefiles).

Only the archive's directory is read; nothing is decompressed. Refused: more
members than allowed (counted from the end record before zipfile builds them),
a total unpacked size over the cap, a member that expands more than
`ZIP_MAX_RATIO`:1 (when big enough to matter), unsafe paths, symbolic links,
encrypted members and unusual compression methods. Members are later read with
`read_member`, which trusts the bytes that come out, not the directory.
"""

from __future__ import annotations

import io
import re
import stat
import zipfile

from ingest.caps import (
    ZIP_MAX_MEMBERS,
    ZIP_MAX_RATIO,
    ZIP_MAX_UNZIPPED,
    ZIP_RATIO_MIN_BYTES,
)
from ingest.messages import Msg
from ingest.text import clip

SUPPORTED_COMPRESSION = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}


class ZipRefused(Exception):
    """The archive is refused; `msg` (a `Msg`) is for the user."""

    @property
    def msg(self) -> Msg:
        return self.args[0]


def declared_entries(data: bytes) -> int | None:
    """Entry count from the end-of-central-directory record, so that an archive
    claiming millions of entries is refused before zipfile builds them all."""
    start = max(0, len(data) - 22 - 0xFFFF)
    i = data.rfind(b"PK\x05\x06", start)
    if i < 0 or len(data) < i + 22:
        return None
    total = int.from_bytes(data[i + 10: i + 12], "little")
    return None if total == 0xFFFF else total  # 0xFFFF: the real count is in the zip64 record


def unsafe_member_name(name: str) -> bool:
    if not name or "\x00" in name:
        return True
    unified = name.replace("\\", "/")
    if unified.startswith("/") or re.match(r"^[A-Za-z]:", unified):
        return True
    return any(part == ".." for part in unified.split("/"))


def check_zip(data: bytes, *, max_members: int = ZIP_MAX_MEMBERS, max_unzipped: int = ZIP_MAX_UNZIPPED,
              what: str = "zip") -> list[zipfile.ZipInfo]:
    """The archive's members, or ZipRefused. `what` names the archive in messages
    ("zip", "workbook")."""
    what = Msg(f"noun.{what}")
    declared = declared_entries(data)
    if declared is not None and declared > max_members:
        raise ZipRefused(Msg("zip.entries", what=what, n=declared, max=max_members))
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError) as exc:
        raise ZipRefused(Msg("zip.unreadable", detail=clip(exc, 120))) from None
    with zf:
        infos = zf.infolist()
    if len(infos) > max_members:
        raise ZipRefused(Msg("zip.entries", what=what, n=len(infos), max=max_members))
    if not infos:
        raise ZipRefused(Msg("zip.empty", what=what))
    total = 0
    for info in infos:
        name = info.filename
        if unsafe_member_name(name):
            raise ZipRefused(Msg("zip.unsafe_path", what=what, name=repr(clip(name, 80))))
        if info.create_system == 3 and stat.S_ISLNK(info.external_attr >> 16):
            raise ZipRefused(Msg("zip.symlink", what=what, name=repr(clip(name, 80))))
        if info.flag_bits & 0x1:
            raise ZipRefused(Msg("zip.encrypted", what=what, name=repr(clip(name, 80))))
        if info.is_dir():
            continue
        if info.compress_type not in SUPPORTED_COMPRESSION:
            raise ZipRefused(Msg("zip.compression", what=what, name=repr(clip(name, 80)), method=info.compress_type))
        total += info.file_size
        if total > max_unzipped:
            raise ZipRefused(Msg("zip.unzipped", what=what, max=max_unzipped, mb=max_unzipped / 1_000_000))
        if info.file_size >= ZIP_RATIO_MIN_BYTES and info.file_size > ZIP_MAX_RATIO * max(info.compress_size, 1):
            raise ZipRefused(Msg("zip.bomb", what=what, name=repr(clip(name, 80)), size=info.file_size,
                                 packed=info.compress_size, ratio=ZIP_MAX_RATIO))
    return infos


def read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, out, budget: int) -> int:
    """Copy one member to the binary file `out`; refuses a member that yields more
    bytes than its directory entry claims or than `budget`. Returns bytes written."""
    written = 0
    try:
        with zf.open(info) as src:
            while chunk := src.read(1 << 16):
                written += len(chunk)
                # Headers can lie about sizes: trust the bytes that come out.
                if written > info.file_size or written > budget:
                    raise ZipRefused(Msg("zip.member_lies", name=repr(clip(info.filename, 80))))
                out.write(chunk)
    except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError, RuntimeError) as exc:
        raise ZipRefused(Msg("zip.member_corrupt", name=repr(clip(info.filename, 80)), detail=clip(exc, 120))) from None
    return written

"""ZIP archives of statements (banks deliver camt.053 as one ZIP of several days). Members are
read into memory, never extracted to disk; a member that could only be a trick is refused:
absolute or parent paths, links, encryption, nested archives, and sizes or ratios no
statement has (a ZIP bomb is stopped by counting the bytes actually inflated)."""

from __future__ import annotations

import io
import stat
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from workmate.banking.formats.common import FormatError

MAGIC = b"PK\x03\x04"
MAX_MEMBERS = 1000
MAX_MEMBER_BYTES = 64 * 1024 * 1024
MAX_TOTAL_BYTES = 256 * 1024 * 1024
# XML compresses well (10-30x); a thousandfold is a bomb.
MAX_RATIO = 200
CHUNK = 64 * 1024


@dataclass(frozen=True, slots=True)
class Member:
    name: str
    data: bytes


def looks_like(data: bytes) -> bool:
    return data.startswith(MAGIC)


def _skip(name: str) -> bool:
    """Folders and the resource forks macOS adds to archives."""
    base = PurePosixPath(name).name
    return name.endswith("/") or name.startswith("__MACOSX/") or base.startswith("._")


def _check_name(name: str) -> None:
    path = PurePosixPath(name.replace("\\", "/"))
    if (
        not name
        or name.startswith(("/", "\\"))
        or ".." in path.parts
        or (len(name) > 1 and name[1] == ":")
        or "\x00" in name
    ):
        raise FormatError(
            "the ZIP file holds a member with an unsafe path: {name}", name=name[:100]
        )


def members(data: bytes) -> list[Member]:
    """The statement files inside a ZIP, in name order."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        raise FormatError("the ZIP file is damaged") from None
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise FormatError("the ZIP file holds more than {limit} files", limit=MAX_MEMBERS)
    found: list[Member] = []
    total = 0
    seen: set[str] = set()
    for info in sorted(infos, key=lambda i: i.filename):
        _check_name(info.filename)
        if _skip(info.filename):
            continue
        if info.filename in seen:
            raise FormatError("the ZIP file holds {name} twice", name=info.filename[:100])
        seen.add(info.filename)
        if info.flag_bits & 0x1:
            raise FormatError("encrypted ZIP files are not accepted")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise FormatError("the ZIP file holds a link: {name}", name=info.filename[:100])
        body = _read(archive, info, MAX_TOTAL_BYTES - total)
        total += len(body)
        if body.startswith(MAGIC):
            raise FormatError(
                "a ZIP inside a ZIP is not accepted: {name}", name=info.filename[:100]
            )
        if body:
            found.append(Member(info.filename, body))
    if not found:
        raise FormatError("the ZIP file holds no statement file")
    return found


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int) -> bytes:
    """Inflate one member, counting real bytes (the sizes in the header can lie)."""
    limit = min(MAX_MEMBER_BYTES, budget, max(info.compress_size, 1) * MAX_RATIO)
    out = bytearray()
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(CHUNK):
                out += chunk
                if len(out) > limit:
                    raise FormatError(
                        "the ZIP member {name} inflates beyond what a statement can be "
                        "(a ZIP bomb?)",
                        name=info.filename[:100],
                    )
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError):
        raise FormatError("the ZIP member {name} is damaged", name=info.filename[:100]) from None
    return bytes(out)

"""Where file bytes live. Content-addressed: a file's path is made from its SHA-256 by the
server (ab/abcdef...), so no user text ever becomes a path and identical files are stored once.

`Storage` is the interface; `LocalStorage` keeps files below the data folder, `S3Storage`
(workmate.documents.s3) in an S3 bucket when WORKMATE_STORAGE_URL is `s3://bucket/prefix`.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache, partial
from pathlib import Path
from typing import Protocol

import anyio
import anyio.to_thread

from workmate.config import get_settings

_KEY = re.compile(r"^[0-9a-f]{2}/[0-9a-f]{64}$")
CHUNK = 64 * 1024


class StorageError(Exception):
    pass


class TooLarge(StorageError):
    pass


@dataclass(frozen=True, slots=True)
class Stored:
    key: str  # "ab/ab12...": what documents.file_path holds
    sha256: str
    size: int
    head: bytes  # the first bytes, for type detection


def key_for(sha256: str) -> str:
    return f"{sha256[:2]}/{sha256}"


def check_key(key: str) -> str:
    """Only server-made keys are accepted; anything else (../, absolute, NUL) is refused."""
    if not _KEY.fullmatch(key):
        raise StorageError("invalid storage key")
    return key


# Called (in a worker thread) with the complete temporary file and its first bytes before the
# file enters the store; raising refuses the upload and leaves nothing behind.
Accept = Callable[[Path, bytes], None]


class Storage(Protocol):
    async def put_stream(
        self,
        chunks: AsyncIterator[bytes],
        *,
        max_bytes: int,
        head_size: int = 8192,
        accept: Accept | None = None,
    ) -> Stored: ...

    def put_bytes(self, data: bytes) -> Stored: ...

    def open(self, key: str) -> Iterator[bytes]: ...

    def sha256(self, key: str) -> str: ...

    def delete(self, key: str) -> None: ...

    def exists(self, key: str) -> bool: ...

    def list_keys(self) -> Iterator[tuple[str, datetime]]:
        """Every stored key with the time it was last written (UTC)."""
        ...

    def ready(self) -> None:
        """Raise unless the store can be reached (readiness check)."""
        ...


async def spool(
    chunks: AsyncIterator[bytes],
    folder: Path,
    max_bytes: int,
    head_size: int,
    accept: Accept | None,
) -> tuple[Path, str, int, bytes]:
    """Write the chunks to a temporary file in `folder` while hashing (never the whole file in
    memory); refuse as soon as max_bytes is passed. The caller owns the returned file; on any
    error it is already gone."""
    digest = hashlib.sha256()
    size = 0
    head = b""
    fd, name = tempfile.mkstemp(dir=folder, prefix=".upload-")
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:

            def write(chunk: bytes) -> None:
                digest.update(chunk)
                out.write(chunk)

            async for chunk in chunks:
                size += len(chunk)
                if size > max_bytes:
                    raise TooLarge(f"file is larger than {max_bytes} bytes")
                if len(head) < head_size:
                    head += chunk[: head_size - len(head)]
                # Hashing and disk writes happen off the event loop.
                await anyio.to_thread.run_sync(write, chunk)
        if accept is not None:
            await anyio.to_thread.run_sync(accept, tmp, head)
    except BaseException:
        tmp.unlink(missing_ok=True)  # noqa: ASYNC240 (local disk, tiny)
        raise
    return tmp, digest.hexdigest(), size, head


class LocalStorage:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def _path(self, key: str) -> Path:
        path = (self.root / check_key(key)).resolve()
        if self.root not in path.parents:
            raise StorageError("path outside the storage folder")
        return path

    async def put_stream(
        self,
        chunks: AsyncIterator[bytes],
        *,
        max_bytes: int,
        head_size: int = 8192,
        accept: Accept | None = None,
    ) -> Stored:
        """Stream to a temporary file while hashing; refuse as soon as max_bytes is passed."""
        await anyio.to_thread.run_sync(partial(self.root.mkdir, parents=True, exist_ok=True))
        tmp, sha, size, head = await spool(chunks, self.root, max_bytes, head_size, accept)
        try:
            return await anyio.to_thread.run_sync(self._commit, str(tmp), sha, size, head)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def put_bytes(self, data: bytes) -> Stored:
        self.root.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".upload-")
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        return self._commit(tmp, hashlib.sha256(data).hexdigest(), len(data), data[:8192])

    def _commit(self, tmp: str, sha: str, size: int, head: bytes) -> Stored:
        key = key_for(sha)
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        # The same content is stored once; a copy damaged on disk is replaced by the fresh one
        # (atomically, so a concurrent reader sees either file whole).
        if target.exists() and self.sha256(key) == sha:
            Path(tmp).unlink()
        else:
            os.replace(tmp, target)
        return Stored(key, sha, size, head)

    def open(self, key: str) -> Iterator[bytes]:
        with self._path(key).open("rb") as f:
            while chunk := f.read(CHUNK):
                yield chunk

    def sha256(self, key: str) -> str:
        digest = hashlib.sha256()
        for chunk in self.open(key):
            digest.update(chunk)
        return digest.hexdigest()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def list_keys(self) -> Iterator[tuple[str, datetime]]:
        if not self.root.is_dir():
            return
        for path in self.root.glob("??/*"):
            key = f"{path.parent.name}/{path.name}"
            if _KEY.fullmatch(key) and path.is_file():
                yield key, datetime.fromtimestamp(path.stat().st_mtime, UTC)

    def ready(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        if not os.access(self.root, os.W_OK):
            raise StorageError(f"storage folder {self.root} is not writable")


def get_storage() -> Storage:
    """The configured store: WORKMATE_STORAGE_URL `s3://bucket/prefix`, else the data folder."""
    settings = get_settings()
    return _storage(
        settings.storage_url,
        settings.files_dir,
        settings.s3_endpoint_url,
        settings.s3_region,
        settings.s3_access_key_id,
        settings.s3_secret_access_key,
    )


@lru_cache(maxsize=8)
def _storage(
    url: str | None,
    files_dir: Path,
    endpoint: str | None,
    region: str | None,
    access_key: str | None,
    secret_key: str | None,
) -> Storage:
    # One client per configuration: boto3 clients are thread-safe and costly to build.
    if not url:
        return LocalStorage(files_dir)
    from workmate.documents.s3 import S3Storage, parse_url

    bucket, prefix = parse_url(url)
    return S3Storage(
        bucket,
        prefix,
        spool_dir=files_dir.parent / "tmp",
        endpoint_url=endpoint,
        region=region,
        access_key_id=access_key,
        secret_access_key=secret_key,
    )


async def storage_dependency() -> Storage:
    """get_storage for routes (async: a plain-def dependency would cost a thread hop)."""
    return get_storage()

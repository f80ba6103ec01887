"""Stored files in an S3-compatible object store (AWS S3, SeaweedFS, MinIO, Ceph ...).

Configured by WORKMATE_STORAGE_URL=s3://bucket/prefix; endpoint, region and keys come from
WORKMATE_S3_* or, unset, from boto3's usual sources (AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID ...).
Keys are the same content-addressed `ab/<sha256>` as on disk, below the prefix. An upload is
spooled to a temporary file in the data folder while it is hashed (its key is its hash, and
type detection may need the whole file), then sent in parts; reads stream in chunks. The
SHA-256 is kept as object metadata, so an identical upload is not sent twice.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import anyio.to_thread
import boto3
import boto3.exceptions
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from workmate.documents.storage import (
    _KEY,
    CHUNK,
    Accept,
    StorageError,
    Stored,
    check_key,
    key_for,
    spool,
)

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

# Parts of 5 MiB (S3's smallest), one at a time: an upload never has more than one part in
# memory, whatever the file's size.
PART = 5 * 1024 * 1024
TRANSFER = TransferConfig(multipart_threshold=PART, multipart_chunksize=PART, max_concurrency=1)
MISSING = {"404", "NoSuchKey", "NotFound"}


def parse_url(url: str) -> tuple[str, str]:
    """s3://bucket/some/prefix -> ("bucket", "some/prefix"); anything else is refused."""
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc:
        raise ValueError(f"WORKMATE_STORAGE_URL must look like s3://bucket/prefix, not {url!r}")
    if parts.query or parts.fragment:
        raise ValueError("WORKMATE_STORAGE_URL takes no query or fragment")
    return parts.netloc, parts.path.strip("/")


class S3Storage:
    def __init__(
        self,
        bucket: str,
        prefix: str,
        *,
        spool_dir: Path,
        endpoint_url: str | None = None,
        region: str | None = None,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
    ) -> None:
        self.bucket = bucket
        self.prefix = prefix
        self.spool_dir = spool_dir
        self.client: S3Client = boto3.session.Session().client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=region,
            aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key,
            config=Config(
                retries={"max_attempts": 5, "mode": "standard"},
                connect_timeout=5,
                read_timeout=60,
                # Path-style addressing works with every S3-compatible server.
                s3={"addressing_style": "path"},
            ),
        )

    def object_key(self, key: str) -> str:
        key = check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    async def put_stream(
        self,
        chunks: AsyncIterator[bytes],
        *,
        max_bytes: int,
        head_size: int = 8192,
        accept: Accept | None = None,
    ) -> Stored:
        """Spool to a temporary file while hashing, then upload it under its hash."""
        await anyio.to_thread.run_sync(partial(self.spool_dir.mkdir, parents=True, exist_ok=True))
        tmp, sha, size, head = await spool(chunks, self.spool_dir, max_bytes, head_size, accept)
        try:
            await anyio.to_thread.run_sync(self._upload, tmp, sha, size)
        finally:
            tmp.unlink(missing_ok=True)
        return Stored(key_for(sha), sha, size, head)

    def put_bytes(self, data: bytes) -> Stored:
        self.spool_dir.mkdir(parents=True, exist_ok=True)
        sha = hashlib.sha256(data).hexdigest()
        if not self._holds(key_for(sha), sha, len(data)):
            self._call(
                partial(
                    self.client.put_object,
                    Bucket=self.bucket,
                    Key=self.object_key(key_for(sha)),
                    Body=data,
                    Metadata={"sha256": sha},
                )
            )
        return Stored(key_for(sha), sha, len(data), data[:8192])

    def _upload(self, path: Path, sha: str, size: int) -> None:
        key = key_for(sha)
        # The same content is stored once; a damaged or foreign object is overwritten.
        if self._holds(key, sha, size):
            return
        self._call(
            partial(
                self.client.upload_file,
                str(path),
                self.bucket,
                self.object_key(key),
                ExtraArgs={"Metadata": {"sha256": sha}},
                Config=TRANSFER,
            )
        )

    def _holds(self, key: str, sha: str, size: int) -> bool:
        try:
            head = self.client.head_object(Bucket=self.bucket, Key=self.object_key(key))
        except ClientError as exc:
            if _code(exc) in MISSING:
                return False
            raise StorageError(f"object store: {_code(exc)}") from None
        except BotoCoreError as exc:
            raise StorageError(f"object store unreachable: {type(exc).__name__}") from None
        return head["ContentLength"] == size and head.get("Metadata", {}).get("sha256") == sha

    def open(self, key: str) -> Iterator[bytes]:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self.object_key(key))
        except ClientError as exc:
            if _code(exc) in MISSING:
                raise FileNotFoundError(key) from None
            raise StorageError(f"object store: {_code(exc)}") from None
        except BotoCoreError as exc:
            raise StorageError(f"object store unreachable: {type(exc).__name__}") from None
        body = response["Body"]
        try:
            yield from body.iter_chunks(CHUNK)
        finally:
            body.close()

    def sha256(self, key: str) -> str:
        digest = hashlib.sha256()
        for chunk in self.open(key):
            digest.update(chunk)
        return digest.hexdigest()

    def delete(self, key: str) -> None:
        self._call(partial(self.client.delete_object, Bucket=self.bucket, Key=self.object_key(key)))

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self.object_key(key))
        except ClientError as exc:
            if _code(exc) in MISSING:
                return False
            raise StorageError(f"object store: {_code(exc)}") from None
        except BotoCoreError as exc:
            raise StorageError(f"object store unreachable: {type(exc).__name__}") from None
        return True

    def list_keys(self) -> Iterator[tuple[str, datetime]]:
        start = f"{self.prefix}/" if self.prefix else ""
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=start
        )
        try:
            for page in pages:
                for item in page.get("Contents", []):
                    key = item["Key"].removeprefix(start)
                    if _KEY.fullmatch(key):
                        yield key, item["LastModified"]
        except (ClientError, BotoCoreError) as exc:
            raise StorageError(f"object store: cannot list ({type(exc).__name__})") from None

    def ready(self) -> None:
        self._call(partial(self.client.head_bucket, Bucket=self.bucket))

    def _call(self, call: Callable[[], object]) -> None:
        try:
            call()
        except ClientError as exc:
            raise StorageError(f"object store: {_code(exc)}") from None
        except (BotoCoreError, boto3.exceptions.Boto3Error) as exc:
            raise StorageError(f"object store unreachable: {type(exc).__name__}") from None


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", "error"))

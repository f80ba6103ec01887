"""The stored files of a test, whichever backend holds them (data folder or S3 bucket)."""

from __future__ import annotations

from pathlib import Path

from workmate.config import Settings
from workmate.documents.s3 import S3Storage
from workmate.documents.storage import LocalStorage, Storage, get_storage


class StoredFiles:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @property
    def storage(self) -> Storage:
        return get_storage()

    def stored_keys(self) -> list[str]:
        """Every stored key, sorted."""
        return sorted(key for key, _ in self.storage.list_keys())

    def read(self, key: str) -> bytes:
        return b"".join(self.storage.open(key))

    def overwrite(self, key: str, data: bytes) -> None:
        """Damage a stored file behind Workmate's back."""
        storage = self.storage
        if isinstance(storage, S3Storage):
            storage.client.put_object(Bucket=storage.bucket, Key=storage.object_key(key), Body=data)
        else:
            assert isinstance(storage, LocalStorage)
            (storage.root / key).write_bytes(data)

    def remove(self, key: str) -> None:
        self.storage.delete(key)

    def local_files(self) -> list[Path]:
        """Files in the data folder (for S3: only spooled temporaries, which must not stay)."""
        root = self.settings.data_dir
        return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []

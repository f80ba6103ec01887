"""A stored file goes only after the commit that dropped its last reference; a failed or
rolled-back change leaves no file behind and removes none; the orphan sweep finds the rest."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.documents import PDF, PNG, multipart
from tests.factories.files import StoredFiles
from workmate import clock
from workmate.auth.principal import Principal
from workmate.config import Settings
from workmate.db import transaction
from workmate.documents import service as documents_service
from workmate.documents.repository import FILE_KEY_COLUMNS
from workmate.documents.service import document_service
from workmate.documents.storage import get_storage
from workmate.jobs.core import TASKS, load_tasks
from workmate.models import Document, Employee
from workmate.models.base import Base


async def upload(client: httpx.AsyncClient, content: bytes, **kwargs: Any) -> httpx.Response:
    body, headers = multipart(content, **kwargs)
    return await client.post("/api/v1/documents", content=body, headers=headers)


async def principal_of(db: AsyncSession, employee: Employee) -> Principal:
    role = await db.scalar(
        sa.text("SELECT name FROM roles WHERE id = :id"), {"id": employee.role_id}
    )
    perms = await db.scalar(
        sa.text("SELECT permissions FROM roles WHERE id = :id"), {"id": employee.role_id}
    )
    return Principal(
        employee_id=employee.id,
        email=employee.email,
        role_id=employee.role_id,
        role_name=str(role),
        permissions=perms,
        via="test",
    )


class TestAfterCommit:
    async def test_a_rolled_back_delete_keeps_its_file(
        self,
        as_admin: httpx.AsyncClient,
        db: AsyncSession,
        admin: Employee,
        files_settings: Settings,
    ) -> None:
        created = (await upload(as_admin, PDF)).json()
        key = f"{created['checksum'][:2]}/{created['checksum']}"
        who = await principal_of(db, admin)
        await db.commit()
        seen_before_commit: list[str] = []

        async def delete_then_fail() -> None:
            async with transaction(db):
                await document_service.delete(db, who, get_storage(), created["id"])
                # Not before the commit: the transaction may still fail.
                seen_before_commit.extend(StoredFiles(files_settings).stored_keys())
                raise RuntimeError("a later step of the same transaction failed")

        with pytest.raises(RuntimeError, match="later step"):
            await delete_then_fail()
        assert seen_before_commit == [key]
        assert StoredFiles(files_settings).read(key) == PDF
        download = await as_admin.get(f"/api/v1/documents/{created['id']}/download")
        assert download.content == PDF

    async def test_a_committed_delete_removes_the_file_after_commit(
        self,
        as_admin: httpx.AsyncClient,
        db: AsyncSession,
        admin: Employee,
        files_settings: Settings,
    ) -> None:
        created = (await upload(as_admin, PDF)).json()
        who = await principal_of(db, admin)
        await db.commit()
        async with transaction(db):
            await document_service.delete(db, who, get_storage(), created["id"])
        assert StoredFiles(files_settings).stored_keys() == []

    async def test_upload_failing_with_any_exception_leaves_no_file(
        self, as_admin: httpx.AsyncClient, files_settings: Settings, monkeypatch: Any
    ) -> None:
        async def broken(*args: Any, **kwargs: Any) -> None:
            raise RuntimeError("database gone")

        monkeypatch.setattr(documents_service.audit_service, "record", broken)
        with pytest.raises(RuntimeError, match="database gone"):
            await upload(as_admin, PDF)
        assert StoredFiles(files_settings).stored_keys() == []
        if files_settings.storage_url is not None:
            assert StoredFiles(files_settings).local_files() == []  # no spooled leftovers

    async def test_failed_upload_keeps_the_same_content_of_another_document(
        self, as_admin: httpx.AsyncClient, files_settings: Settings, monkeypatch: Any
    ) -> None:
        kept = (await upload(as_admin, PDF)).json()

        async def broken(*args: Any, **kwargs: Any) -> None:
            raise RuntimeError("boom")

        with monkeypatch.context() as patched:
            patched.setattr(documents_service.audit_service, "record", broken)
            with pytest.raises(RuntimeError):
                await upload(as_admin, PDF)
        download = await as_admin.get(f"/api/v1/documents/{kept['id']}/download")
        assert download.content == PDF


class TestOrphanSweep:
    async def test_removes_old_unreferenced_files_only(
        self, as_admin: httpx.AsyncClient, db: AsyncSession, files_settings: Settings
    ) -> None:
        storage = get_storage()
        kept = (await upload(as_admin, PDF)).json()
        orphan = storage.put_bytes(PNG)
        removed = await document_service.sweep_orphans(
            db, storage, older_than=clock.now() + timedelta(minutes=5)
        )
        assert removed == [orphan.key]
        assert StoredFiles(files_settings).stored_keys() == [
            f"{kept['checksum'][:2]}/{kept['checksum']}"
        ]

    async def test_leaves_young_files_alone(
        self, db: AsyncSession, files_settings: Settings
    ) -> None:
        storage = get_storage()
        young = storage.put_bytes(PNG)
        removed = await document_service.sweep_orphans(
            db, storage, older_than=clock.now() - timedelta(hours=1)
        )
        assert removed == []
        assert storage.exists(young.key)

    def test_is_a_daily_periodic_job(self) -> None:
        load_tasks()
        assert TASKS["storage.sweep_orphans"].periodic is not None


def test_every_file_key_column_is_in_the_one_list() -> None:
    """A new column holding stored-file keys must be listed, or its files would be swept."""
    listed = {(c.class_.__tablename__, c.key) for c in FILE_KEY_COLUMNS}
    looks_like_a_file_key = {
        (table.name, column.name)
        for table in Base.metadata.tables.values()
        for column in table.columns
        if column.name.endswith(("_path", "storage_key", "file_key", "object_key"))
    }
    assert looks_like_a_file_key <= listed
    assert len(listed) == len(FILE_KEY_COLUMNS)
    assert {Document.__tablename__} <= {t for t, _ in listed}

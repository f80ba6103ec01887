"""Backup and restore: a restore drill (backup while payments are being posted, restore into
an empty database and store, books balanced and files intact), refusal of a non-empty target,
and file removals held back while a backup runs."""

from __future__ import annotations

import asyncio
import hashlib
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from tests import s3server
from tests.conftest import ROOT, RUN_ID, TEMPLATE, _recreate
from tests.factories.identity import make_employee
from tests.factories.invoicing import assert_money_invariant
from tests.factories.records import make_customer, make_invoice
from workmate.backup.archive import BackupError, create_backup, read_manifest, restore_backup
from workmate.db import make_engine, transaction
from workmate.documents.repository import BACKUP_LOCK
from workmate.documents.s3 import S3Storage
from workmate.documents.service import document_service
from workmate.documents.storage import LocalStorage, Storage
from workmate.models import Document, Payment


@pytest.fixture
def source_url(server_url: str) -> str:
    return _recreate(server_url, f"wm_test_backup_src_{uuid.uuid4().hex[:6]}", TEMPLATE)


@pytest.fixture
def target_url(server_url: str) -> str:
    return _recreate(server_url, f"wm_test_backup_dst_{uuid.uuid4().hex[:6]}")


@pytest_asyncio.fixture
async def source(source_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(source_url, pool_size=4)
    yield engine
    await engine.dispose()


@pytest_asyncio.fixture
async def target(target_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(target_url, pool_size=2)
    yield engine
    await engine.dispose()


@pytest.fixture(params=["local", "s3"])
def target_storage(request: pytest.FixtureRequest, tmp_path: Path) -> Storage:
    if request.param == "local":
        return LocalStorage(tmp_path / "restored-files")
    bucket = s3server.bucket(RUN_ID)
    return S3Storage(
        bucket.bucket,
        f"t{uuid.uuid4().hex}",
        spool_dir=tmp_path / "spool",
        endpoint_url=bucket.endpoint,
        region="us-east-1",
        access_key_id=s3server.KEYS["aws_access_key_id"],
        secret_access_key=s3server.KEYS["aws_secret_access_key"],
    )


async def company(engine: AsyncEngine, storage: Storage, invoices: int = 12) -> list[uuid.UUID]:
    """Committed: issued invoices and documents with files; the invoice ids."""
    async with AsyncSession(engine, expire_on_commit=False) as db:
        owner = await make_employee(db, "Admin")
        customer = await make_customer(db)
        ids = [(await make_invoice(db, customer, issued=True)).id for _ in range(invoices)]
        for n in range(5):
            stored = storage.put_bytes(b"%%PDF-1.4 document %d\n" % n + os.urandom(3000))
            db.add(
                Document(
                    title=f"Vertrag {n}",
                    file_path=stored.key,
                    type="pdf",
                    content_type="application/pdf",
                    owner_id=owner.id,
                    checksum=stored.sha256,
                    size_bytes=stored.size,
                    original_filename=f"v{n}.pdf",
                )
            )
        await db.commit()
    return ids


async def post_payments(engine: AsyncEngine, invoices: list[uuid.UUID], stop: asyncio.Event) -> int:
    """Post 0.50 payments round-robin, each in its own transaction, until stopped."""
    posted = 0
    while not stop.is_set():
        for invoice_id in invoices:
            try:
                async with AsyncSession(engine) as db, db.begin():
                    db.add(
                        Payment(
                            invoice_id=invoice_id,
                            amount=Decimal("0.50"),
                            payment_date=date(2026, 3, 20),
                            method="bank_transfer",
                        )
                    )
            except Exception:  # noqa: S112 (fully paid: the database refuses more, as it should)
                continue
            posted += 1
        await asyncio.sleep(0)
    return posted


async def count_payments(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(Payment)) or 0)


class TestRestoreDrill:
    async def test_backup_while_posting_then_restore_is_balanced_and_whole(
        self,
        source: AsyncEngine,
        source_url: str,
        target: AsyncEngine,
        target_url: str,
        target_storage: Storage,
        tmp_path: Path,
    ) -> None:
        storage = LocalStorage(tmp_path / "files")
        invoices = await company(source, storage)
        stop = asyncio.Event()
        poster = asyncio.create_task(post_payments(source, invoices, stop))
        while await count_payments(source) < 20:  # noqa: ASYNC110 (polling the database)
            await asyncio.sleep(0.05)
        before = await count_payments(source)
        archive = tmp_path / "backup.tar"
        manifest = await create_backup(source, source_url, storage, archive)
        after = await count_payments(source)
        stop.set()
        await poster
        assert after > before, "payments must have been posted while the backup ran"
        assert manifest.problems == []
        assert len(manifest.files) == 5
        in_backup = manifest.figures.row_counts["payments"]
        assert before <= in_backup <= after

        report = await restore_backup(target, target_url, target_storage, archive, force=False)

        assert report.ok, report.problems
        assert report.files_checked == 5
        async with AsyncSession(target) as db:
            await assert_money_invariant(db)
            paid = await db.scalar(select(func.coalesce(func.sum(Payment.amount), 0)))
            assert paid == Decimal(manifest.figures.payments_total) == Decimal("0.50") * in_backup
            for document in (await db.scalars(select(Document))).all():
                data = b"".join(target_storage.open(document.file_path))
                assert hashlib.sha256(data).hexdigest() == document.checksum

        # A second restore into what is now full is refused, unless forced.
        with pytest.raises(BackupError, match="not empty"):
            await restore_backup(target, target_url, target_storage, archive, force=False)
        again = await restore_backup(target, target_url, target_storage, archive, force=True)
        assert again.ok, again.problems

    async def test_a_damaged_archive_file_is_reported(
        self, source: AsyncEngine, source_url: str, tmp_path: Path
    ) -> None:
        storage = LocalStorage(tmp_path / "files")
        await company(source, storage, invoices=1)
        victim = next(iter(storage.list_keys()))[0]
        (storage.root / victim).write_bytes(b"garbage")
        manifest = await create_backup(source, source_url, storage, tmp_path / "b.tar")
        assert manifest.problems == [f"{victim}: damaged in the store, not copied"]
        assert read_manifest(tmp_path / "b.tar").problems == manifest.problems


async def test_file_removals_wait_for_a_running_backup(source: AsyncEngine, tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "files")
    await company(source, storage, invoices=1)
    async with AsyncSession(source, expire_on_commit=False) as db:
        document = (await db.scalars(select(Document).limit(1))).one()
    async with source.connect() as lock:
        await lock.execute(text("SELECT pg_advisory_lock(:k)"), {"k": BACKUP_LOCK})
        async with AsyncSession(source) as db, transaction(db):
            await db.execute(text("DELETE FROM documents WHERE id = :id"), {"id": document.id})
            await document_service.release(db, storage, document.file_path)
        assert storage.exists(document.file_path)  # kept: the backup may still copy it
        await lock.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": BACKUP_LOCK})
        await lock.commit()
    async with AsyncSession(source) as db, transaction(db):
        await document_service.release(db, storage, document.file_path)
    assert not storage.exists(document.file_path)


def test_cli_backup_and_restore(source_url: str, target_url: str, tmp_path: Path) -> None:
    """The commands of the README, on a migrated database with its files."""
    archive = tmp_path / "company.tar"

    def workmate(url: str, data: str, *args: str) -> subprocess.CompletedProcess[str]:
        env = {
            **os.environ,
            "WORKMATE_DATABASE_URL": url,
            "WORKMATE_DATA_DIR": str(tmp_path / data),
        }
        return subprocess.run(
            [sys.executable, "-m", "workmate.cli.main", *args],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    made = workmate(source_url, "src", "backup", "--out", str(archive))
    assert made.returncode == 0, made.stderr
    assert "backup written" in made.stdout
    restored = workmate(target_url, "dst", "restore", str(archive))
    assert restored.returncode == 0, restored.stderr
    assert "everything matches the manifest" in restored.stdout
    refused = workmate(target_url, "dst", "restore", str(archive))
    assert refused.returncode == 1
    assert "not empty" in refused.stderr


async def test_periodic_backup_keeps_n_generations(
    source_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from workmate.backup import jobs as backup_jobs
    from workmate.config import get_settings

    settings = get_settings()
    folder = tmp_path / "backups"
    monkeypatch.setattr(settings, "backup_dir", folder)
    monkeypatch.setattr(settings, "backup_generations", 2)
    monkeypatch.setattr(settings, "database_url", source_url)
    monkeypatch.setattr(settings, "data_dir", tmp_path / "data")
    folder.mkdir()
    for day in ("20261101", "20261102", "20261103"):
        (folder / f"workmate-backup-{day}T012300Z.tar").write_bytes(b"old")
    (folder / "notes.txt").write_text("not a backup")
    engine = make_engine(source_url, pool_size=1)
    async with AsyncSession(engine) as db:
        written = await backup_jobs.periodic_backup(db)
    await engine.dispose()
    assert written is not None
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["notes.txt", "workmate-backup-20261103T012300Z.tar", Path(written).name]
    assert read_manifest(Path(written)).figures.migration_head is not None

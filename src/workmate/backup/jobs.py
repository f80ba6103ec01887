"""The periodic backup: daily when WORKMATE_BACKUP_DIR is set, keeping the newest N archives."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from workmate import clock, jobs
from workmate.backup.archive import create_backup
from workmate.config import get_settings
from workmate.db import make_engine, resolve_database_url
from workmate.documents.storage import get_storage

PATTERN = "workmate-backup-*.tar"


def prune_generations(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` archives (names sort by time); the deleted ones."""
    archives = sorted(folder.glob(PATTERN))
    old = archives[:-keep] if keep > 0 else archives
    for path in old:
        path.unlink(missing_ok=True)
    return old


@jobs.task("backup.create", periodic="23 1 * * *", retries=2)
async def periodic_backup(db: AsyncSession, *, timestamp: int | None = None) -> str | None:
    """Daily at 01:23 UTC when a backup folder is configured: one archive, N generations."""
    settings = get_settings()
    folder = settings.backup_dir
    if folder is None:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / f"workmate-backup-{clock.now():%Y%m%dT%H%M%SZ}.tar"
    url = resolve_database_url(settings)
    engine = make_engine(url, pool_size=2)
    try:
        await create_backup(engine, url, get_storage(), out)
    finally:
        await engine.dispose()
    prune_generations(folder, settings.backup_generations)
    return str(out)

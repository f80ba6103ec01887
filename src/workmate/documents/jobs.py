"""Periodic removal of stored files that no row refers to.

Files are removed after the commit that dropped their last reference, and uploads that fail
remove theirs at rollback; what a crash between storing and committing (or a failed removal)
leaves behind is found here, once a day, cluster-wide.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from workmate import clock, jobs
from workmate.config import get_settings
from workmate.documents.service import document_service
from workmate.documents.storage import get_storage


@jobs.task("storage.sweep_orphans", periodic="41 2 * * *", retries=2)
async def sweep_orphans(db: AsyncSession, *, timestamp: int | None = None) -> int:
    """Daily: remove stored files no row refers to that are older than the grace period."""
    grace = timedelta(hours=get_settings().storage_orphan_grace_hours)
    removed = await document_service.sweep_orphans(
        db, get_storage(), older_than=clock.now() - grace
    )
    return len(removed)

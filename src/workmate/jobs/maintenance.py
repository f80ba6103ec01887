"""Housekeeping of the job tables themselves."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from workmate import jobs
from workmate.jobs.repository import job_repository


@jobs.task("jobs.prune", periodic="17 3 * * *", retries=2)
async def prune(db: AsyncSession, *, timestamp: int | None = None) -> int:
    """Daily: delete succeeded and cancelled jobs older than 14 days and failed ones (with
    their errors) older than 90 days; queued and running jobs are never touched."""
    return await job_repository.prune(db, succeeded_days=14, failed_days=90)

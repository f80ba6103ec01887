"""A periodic task for the once-per-period test, imported only by the worker processes that
test starts (WORKMATE_JOB_MODULES): every second, each run records its period and worker."""

from __future__ import annotations

import os

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from workmate import jobs


@jobs.task("test.tick", queue="test", periodic="* * * * * *", retries=0)
async def tick(db: AsyncSession, *, timestamp: int) -> None:
    """Record (period, worker process)."""
    await db.execute(
        text("INSERT INTO test_job_ticks (ts, worker) VALUES (:ts, :w)"),
        {"ts": timestamp, "w": str(os.getpid())},
    )

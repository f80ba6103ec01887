"""A period is deferred once even when a worker lags behind another (migration 0022), and the
daily prune takes a finished job's periodic defer with it."""

from __future__ import annotations

import uuid

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from workmate.jobs.repository import job_repository

DEFER = text(
    "SELECT procrastinate_defer_periodic_job_v2("
    "'default', NULL, NULL, CAST(:task AS varchar), 0, '', CAST(:ts AS bigint), "
    "jsonb_build_object('timestamp', CAST(:ts AS bigint)))"
)


async def test_a_lagging_worker_cannot_defer_a_period_again(db: AsyncSession) -> None:
    task = f"test.lag.{uuid.uuid4().hex[:8]}"
    first = await db.scalar(DEFER, {"task": task, "ts": 1000})
    assert first is not None
    # The quick worker already deferred the next period ...
    assert await db.scalar(DEFER, {"task": task, "ts": 1001}) is not None
    # ... and the slow one arrives late with the previous one: refused, no second job.
    assert await db.scalar(DEFER, {"task": task, "ts": 1000}) is None
    jobs = await db.scalar(
        text("SELECT count(*) FROM procrastinate_jobs WHERE task_name = :task"), {"task": task}
    )
    assert jobs == 2
    # Defers older than a day go, so the table stays small.
    assert await db.scalar(DEFER, {"task": task, "ts": 1001 + 86400}) is not None
    kept = await db.scalars(
        text(
            "SELECT defer_timestamp FROM procrastinate_periodic_defers "
            "WHERE task_name = :task ORDER BY 1"
        ),
        {"task": task},
    )
    assert list(kept) == [1001, 87401]


async def test_prune_removes_an_old_finished_job_with_its_periodic_defer(
    db: AsyncSession,
) -> None:
    task = f"test.gone.{uuid.uuid4().hex[:8]}"
    job_id = await db.scalar(DEFER, {"task": task, "ts": 5})
    await db.execute(
        text("UPDATE procrastinate_jobs SET status = 'succeeded' WHERE id = :id"), {"id": job_id}
    )
    await db.execute(
        text("UPDATE procrastinate_events SET at = now() - interval '30 days' WHERE job_id = :id"),
        {"id": job_id},
    )
    assert await job_repository.prune(db, succeeded_days=14, failed_days=90) >= 1
    left = await db.scalar(
        text("SELECT count(*) FROM procrastinate_periodic_defers WHERE task_name = :task"),
        {"task": task},
    )
    assert left == 0

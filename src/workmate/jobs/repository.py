"""SQL over procrastinate's tables and our job_failures (no ORM models: the tables are
procrastinate's, created from its own schema by migration 0013)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

STATUSES = ("todo", "doing", "succeeded", "failed", "cancelled", "aborted")


@dataclass(frozen=True, slots=True)
class JobRow:
    id: int
    queue: str
    task_name: str
    status: str
    attempts: int
    args: dict[str, Any]
    lock: str | None
    queueing_lock: str | None
    scheduled_at: datetime | None
    queued_at: datetime | None
    updated_at: datetime | None
    error: str | None


_LIST = """
SELECT j.id, j.queue_name AS queue, j.task_name, j.status::text AS status, j.attempts,
       j.args, j.lock, j.queueing_lock, j.scheduled_at,
       ev.queued_at, ev.updated_at, f.error,
       count(*) OVER () AS total
  FROM procrastinate_jobs j
  LEFT JOIN LATERAL (
        SELECT min(at) FILTER (WHERE type = 'deferred') AS queued_at, max(at) AS updated_at
          FROM procrastinate_events e WHERE e.job_id = j.id
  ) ev ON true
  LEFT JOIN LATERAL (
        SELECT error FROM job_failures jf WHERE jf.job_id = j.id ORDER BY jf.id DESC LIMIT 1
  ) f ON true
 WHERE (CAST(:id AS bigint) IS NULL OR j.id = :id)
   AND (CAST(:status AS text) IS NULL OR j.status::text = :status)
   AND (CAST(:task AS text) IS NULL OR j.task_name = :task)
 ORDER BY j.id DESC
 LIMIT :limit OFFSET :offset
"""


class JobRepository:
    async def page(
        self, db: AsyncSession, status: str | None, task: str | None, limit: int, offset: int
    ) -> tuple[list[JobRow], int]:
        """Jobs, newest first, with their last error and the total under the same filter."""
        rows = (
            await db.execute(
                text(_LIST),
                {"id": None, "status": status, "task": task, "limit": limit, "offset": offset},
            )
        ).mappings()
        items: list[JobRow] = []
        total = 0
        for row in rows:
            total = int(row["total"])
            items.append(JobRow(**{k: v for k, v in row.items() if k != "total"}))
        if not items and offset:
            total = await self.count(db, status, task)
        return items, total

    async def count(self, db: AsyncSession, status: str | None, task: str | None) -> int:
        return int(
            await db.scalar(
                text(
                    "SELECT count(*) FROM procrastinate_jobs WHERE "
                    "(CAST(:status AS text) IS NULL OR status::text = :status) AND "
                    "(CAST(:task AS text) IS NULL OR task_name = :task)"
                ),
                {"status": status, "task": task},
            )
            or 0
        )

    async def get(self, db: AsyncSession, job_id: int) -> JobRow | None:
        params = {"id": job_id, "status": None, "task": None, "limit": 1, "offset": 0}
        row = (await db.execute(text(_LIST), params)).mappings().first()
        return None if row is None else JobRow(**{k: v for k, v in row.items() if k != "total"})

    async def lock_status(self, db: AsyncSession, job_id: int) -> str | None:
        """The job's status, its row locked until the transaction ends."""
        status = await db.scalar(
            text("SELECT status::text FROM procrastinate_jobs WHERE id = :id FOR UPDATE"),
            {"id": job_id},
        )
        return None if status is None else str(status)

    async def retry(self, db: AsyncSession, job_id: int) -> None:
        """procrastinate's own retry: failed -> todo, due now (wakes workers on commit)."""
        await db.execute(
            text("SELECT procrastinate_retry_job_v2(:id, now(), NULL, NULL, NULL)"), {"id": job_id}
        )

    async def counts(self, db: AsyncSession) -> dict[str, int]:
        """Jobs per status (every status present, 0 where none)."""
        rows = await db.execute(
            text("SELECT status::text, count(*) FROM procrastinate_jobs GROUP BY status")
        )
        found = {str(status): int(n) for status, n in rows}
        return {s: found.get(s, 0) for s in STATUSES}

    async def failures(self, db: AsyncSession, job_id: int) -> list[dict[str, Any]]:
        rows = await db.execute(
            text(
                "SELECT attempt, final, error, at FROM job_failures WHERE job_id = :id ORDER BY id"
            ),
            {"id": job_id},
        )
        return [dict(r) for r in rows.mappings()]

    async def prune(self, db: AsyncSession, *, succeeded_days: int, failed_days: int) -> int:
        """Delete finished jobs past their keeping time (events cascade), then orphan errors."""
        old = list(
            await db.scalars(
                text(
                    """
                    SELECT j.id FROM procrastinate_jobs j
                     WHERE (j.status IN ('succeeded', 'cancelled', 'aborted')
                            AND last_event(j.id) < now() - make_interval(days => :ok))
                        OR (j.status = 'failed'
                            AND last_event(j.id) < now() - make_interval(days => :failed))
                    """.replace(
                        "last_event(j.id)",
                        "(SELECT max(at) FROM procrastinate_events e WHERE e.job_id = j.id)",
                    )
                ),
                {"ok": succeeded_days, "failed": failed_days},
            )
        )
        # A periodic defer refers to its job; the defer of a task no longer scheduled stays
        # for ever, so it goes with its job (weeks past any period a worker still defers).
        await db.execute(
            text("DELETE FROM procrastinate_periodic_defers WHERE job_id = ANY(:ids)"),
            {"ids": old},
        )
        result = await db.execute(
            text("DELETE FROM procrastinate_jobs WHERE id = ANY(:ids)"), {"ids": old}
        )
        await db.execute(
            text(
                "DELETE FROM job_failures f WHERE NOT EXISTS "
                "(SELECT 1 FROM procrastinate_jobs j WHERE j.id = f.job_id)"
            )
        )
        return int(getattr(result, "rowcount", 0) or 0)


job_repository = JobRepository()

"""Tasks only the tests declare (queue "test", so a test's worker never runs other jobs).

Imported by the test process and, through WORKMATE_JOB_MODULES, by worker processes the tests
start. Their effect is a row in `test_job_effects`, written in the job's own transaction.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from workmate import jobs

QUEUE = "test"
EFFECTS_DDL = (
    "CREATE TABLE IF NOT EXISTS test_job_effects (key text PRIMARY KEY, n int NOT NULL)",
    "CREATE TABLE IF NOT EXISTS test_job_ticks (ts bigint NOT NULL, worker text NOT NULL)",
)


@jobs.task("test.effect", queue=QUEUE, retries=2, backoff_seconds=0)
async def effect(
    db: AsyncSession, *, key: str, marker: str | None = None, sleep: float = 0
) -> None:
    """Count one run of `key`. With `marker`, the first attempt creates that file and then
    sleeps `sleep` seconds before committing (a window to kill or stop the worker in)."""
    await db.execute(
        text(
            "INSERT INTO test_job_effects (key, n) VALUES (:k, 1) "
            "ON CONFLICT (key) DO UPDATE SET n = test_job_effects.n + 1"
        ),
        {"k": key},
    )
    if marker is not None:
        path = Path(marker)
        if not path.exists():  # noqa: ASYNC240 (a test marker)
            path.write_text("started")  # noqa: ASYNC240
            await asyncio.sleep(sleep)


@jobs.task("test.fail", queue=QUEUE, retries=2, backoff_seconds=0)
async def fail(db: AsyncSession, *, key: str) -> None:
    """Always fails; its partial effect must never be committed."""
    await db.execute(text("INSERT INTO test_job_effects (key, n) VALUES (:k, 1)"), {"k": key})
    raise RuntimeError(f"boom {key}")

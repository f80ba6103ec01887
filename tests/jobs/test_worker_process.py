"""Real `workmate worker` processes: a SIGKILLed worker's job is run again (its effect once),
SIGTERM lets a running job finish or gives it back, periodic jobs run once per period with
two workers."""

from __future__ import annotations

import asyncio
import signal
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from tests.jobs.conftest import effect_count, job_rows, start_worker, stop, wait_for
from workmate import jobs

pytestmark = pytest.mark.live


async def _defer(session_on: Callable[[], AsyncSession], **args: object) -> str:
    k = uuid.uuid4().hex
    async with session_on() as db:
        await jobs.defer(db, "test.effect", key=k, **args)
        await db.commit()
    return k


async def _status(engine: AsyncEngine, k: str) -> str:
    rows = await job_rows(engine, k)
    return str(rows[0]["status"]) if rows else ""


async def test_killed_worker_job_is_retried_and_its_effect_happens_once(
    jobs_engine: AsyncEngine,
    live_database_url: str,
    session_on: Callable[[], AsyncSession],
    tmp_path: Path,
) -> None:
    marker = tmp_path / "started"
    k = await _defer(session_on, marker=str(marker), sleep=120)
    first = start_worker(live_database_url)
    try:
        await wait_for(marker.exists, what="the job to start")
        assert await _status(jobs_engine, k) == "doing"
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        stop(first)
    # The uncommitted effect died with the connection.
    assert await effect_count(jobs_engine, k) == 0
    second = start_worker(live_database_url)
    try:
        await wait_for(lambda: _status(jobs_engine, k), what="job to leave 'doing'", limit=60)
        await wait_for(
            lambda: _is(jobs_engine, k, "succeeded"), what="the retried job to succeed", limit=60
        )
    finally:
        second.terminate()
        second.wait(30)
    assert await effect_count(jobs_engine, k) == 1
    [job] = await job_rows(jobs_engine, k)
    assert job["attempts"] == 2  # the killed run and the retry


async def _is(engine: AsyncEngine, k: str, status: str) -> bool:
    return await _status(engine, k) == status


async def test_sigterm_lets_the_running_job_finish(
    jobs_engine: AsyncEngine,
    live_database_url: str,
    session_on: Callable[[], AsyncSession],
    tmp_path: Path,
) -> None:
    marker = tmp_path / "started"
    k = await _defer(session_on, marker=str(marker), sleep=2)
    worker = start_worker(live_database_url)
    try:
        await wait_for(marker.exists, what="the job to start")
        worker.send_signal(signal.SIGTERM)
        assert await asyncio.to_thread(worker.wait, 30) == 0
    finally:
        stop(worker)
    assert await _status(jobs_engine, k) == "succeeded"
    assert await effect_count(jobs_engine, k) == 1


async def test_sigterm_gives_back_a_job_that_outlives_the_grace_period(
    jobs_engine: AsyncEngine,
    live_database_url: str,
    session_on: Callable[[], AsyncSession],
    tmp_path: Path,
) -> None:
    marker = tmp_path / "started"
    k = await _defer(session_on, marker=str(marker), sleep=120)
    worker = start_worker(live_database_url, WORKMATE_JOB_GRACEFUL_SECONDS="0.5")
    try:
        await wait_for(marker.exists, what="the job to start")
        worker.send_signal(signal.SIGTERM)
        await asyncio.to_thread(worker.wait, 30)
    finally:
        stop(worker)
    # Released: queued again, nothing committed; the next worker does it once.
    assert await _status(jobs_engine, k) == "todo"
    assert await effect_count(jobs_engine, k) == 0
    again = start_worker(live_database_url)
    try:
        await wait_for(lambda: _is(jobs_engine, k, "succeeded"), what="the job to succeed")
    finally:
        again.terminate()
        again.wait(30)
    assert await effect_count(jobs_engine, k) == 1


async def test_periodic_job_runs_once_per_period_with_two_workers(
    jobs_engine: AsyncEngine, live_database_url: str
) -> None:
    env = {"WORKMATE_JOB_MODULES": "tests.jobs.tasks,tests.jobs.periodic_tasks"}
    workers = [start_worker(live_database_url, **env) for _ in range(2)]

    async def periods() -> int:
        async with jobs_engine.connect() as conn:
            return int(
                await conn.scalar(text("SELECT count(DISTINCT ts) FROM test_job_ticks")) or 0
            )

    try:
        await wait_for(lambda: _at_least(periods, 4), what="four periods", limit=60)
    finally:
        for w in workers:
            w.terminate()
        for w in workers:
            await asyncio.to_thread(w.wait, 30)
    async with jobs_engine.connect() as conn:
        rows = (
            await conn.execute(
                text("SELECT ts, count(*) FROM test_job_ticks GROUP BY ts HAVING count(*) > 1")
            )
        ).all()
        deferred = (
            await conn.execute(
                text(
                    "SELECT defer_timestamp, count(*) FROM procrastinate_periodic_defers "
                    "WHERE task_name = 'test.tick' GROUP BY 1 HAVING count(*) > 1"
                )
            )
        ).all()
    assert rows == []
    assert deferred == []


async def _at_least(count: Callable[[], object], n: int) -> bool:
    value = count()
    result = await value if asyncio.iscoroutine(value) else value
    return int(result) >= n  # type: ignore[call-overload]

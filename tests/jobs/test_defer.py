"""Enqueue in the caller's transaction: rolled back -> never runs; committed -> runs once;
failures retry and end `failed` with their error; a queueing lock deduplicates."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from tests.jobs.conftest import drain, effect_count, job_rows
from workmate import jobs

pytestmark = pytest.mark.live


def key() -> str:
    return uuid.uuid4().hex


async def test_a_rolled_back_change_never_gets_its_job(
    jobs_engine: AsyncEngine, live_database_url: str, session_on: Callable[[], AsyncSession]
) -> None:
    k = key()
    async with session_on() as db:
        job_id = await jobs.defer(db, "test.effect", key=k)
        assert job_id is not None
        await db.rollback()
    await drain(live_database_url, jobs_engine)
    assert await job_rows(jobs_engine, k) == []
    assert await effect_count(jobs_engine, k) == 0


async def test_a_committed_change_gets_its_job_which_runs_once(
    jobs_engine: AsyncEngine, live_database_url: str, session_on: Callable[[], AsyncSession]
) -> None:
    k = key()
    async with session_on() as db:
        await db.execute(text("SELECT 1"))  # the change that causes the job
        await jobs.defer(db, "test.effect", key=k)
        await db.commit()
    await drain(live_database_url, jobs_engine)
    await drain(live_database_url, jobs_engine)  # a second worker finds nothing to do
    assert await effect_count(jobs_engine, k) == 1
    [job] = await job_rows(jobs_engine, k)
    assert (job["status"], job["attempts"]) == ("succeeded", 1)


async def test_failing_job_retries_then_is_failed_with_its_error(
    jobs_engine: AsyncEngine, live_database_url: str, session_on: Callable[[], AsyncSession]
) -> None:
    k = key()
    async with session_on() as db:
        job_id = await jobs.defer(db, "test.fail", key=k)
        await db.commit()
    await drain(live_database_url, jobs_engine)
    [job] = await job_rows(jobs_engine, k)
    # retries=2: three attempts, then failed; nothing of any attempt was committed.
    assert (job["status"], job["attempts"]) == ("failed", 3)
    assert await effect_count(jobs_engine, k) == 0
    async with jobs_engine.connect() as conn:
        failures = (
            await conn.execute(
                text(
                    "SELECT attempt, final, error FROM job_failures WHERE job_id = :id "
                    "ORDER BY attempt"
                ),
                {"id": job_id},
            )
        ).all()
    assert [(a, f) for a, f, _ in failures] == [(1, False), (2, False), (3, True)]
    assert failures[-1][2] == f"RuntimeError: boom {k}"


async def test_queueing_lock_keeps_one_waiting_job_and_the_transaction_usable(
    session_on: Callable[[], AsyncSession], jobs_engine: AsyncEngine
) -> None:
    k = key()
    async with session_on() as db:
        first = await jobs.defer(db, "test.effect", queueing_lock=f"q-{k}", key=k)
        second = await jobs.defer(db, "test.effect", queueing_lock=f"q-{k}", key=k)
        assert first is not None
        assert second is None
        # The refused duplicate did not abort the transaction.
        assert await db.scalar(text("SELECT 1")) == 1
        await db.commit()
    assert len(await job_rows(jobs_engine, k)) == 1


async def test_unknown_task_and_non_json_arguments_are_refused(db: AsyncSession) -> None:
    with pytest.raises(jobs.UnknownTask):
        await jobs.defer(db, "test.no-such-task", key="x")
    with pytest.raises(TypeError):
        await jobs.defer(db, "test.effect", key=object())


async def test_uuids_and_dates_are_passed_as_strings(db: AsyncSession) -> None:
    some = uuid.uuid4()
    job_id = await jobs.defer(db, "test.effect", key=some)
    args = await db.scalar(
        text("SELECT args FROM procrastinate_jobs WHERE id = :id"), {"id": job_id}
    )
    assert args == {"key": str(some)}

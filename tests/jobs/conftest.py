"""Fixtures for job tests: the committed (live) database with the effect tables, a worker in
this process, and real `workmate worker` processes."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from tests.conftest import ROOT, _nullpool
from tests.jobs import tasks
from workmate.config import Settings
from workmate.db import make_engine, make_sessionmaker
from workmate.jobs.worker import run_worker

# Short heartbeats and polls so a dead worker is noticed within seconds, not half a minute.
FAST = {
    "WORKMATE_JOB_HEARTBEAT_SECONDS": "0.5",
    "WORKMATE_JOB_STALLED_SECONDS": "2",
    "WORKMATE_JOB_STALLED_CHECK_SECONDS": "0.5",
    "WORKMATE_JOB_POLL_SECONDS": "0.3",
    "WORKMATE_JOB_CONCURRENCY": "1",
}


@pytest_asyncio.fixture
async def jobs_engine(live_database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on the committed database, with the test effect tables emptied."""
    engine = make_engine(live_database_url, poolclass=_nullpool())
    async with engine.begin() as conn:
        for ddl in tasks.EFFECTS_DDL:
            await conn.execute(text(ddl))
        await conn.execute(text("TRUNCATE test_job_effects, test_job_ticks"))
        # Jobs of earlier tests on the test queue must not run again here.
        await conn.execute(text("DELETE FROM procrastinate_jobs WHERE queue_name = 'test'"))
    yield engine
    await engine.dispose()


async def effect_count(engine: AsyncEngine, key: str) -> int:
    async with engine.connect() as conn:
        n = await conn.scalar(text("SELECT n FROM test_job_effects WHERE key = :k"), {"k": key})
    return int(n or 0)


async def job_rows(engine: AsyncEngine, key: str) -> list[Any]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            text(
                "SELECT id, status::text AS status, attempts FROM procrastinate_jobs "
                "WHERE args->>'key' = :k ORDER BY id"
            ),
            {"k": key},
        )
        return list(rows.mappings())


async def drain(live_database_url: str, engine: AsyncEngine) -> None:
    """Run a worker in this process on the test queue until no job is left."""
    settings = Settings(**{k.removeprefix("WORKMATE_").lower(): v for k, v in FAST.items()})  # type: ignore[arg-type]
    await run_worker(
        live_database_url,
        make_sessionmaker(engine),
        settings=settings,
        queues=[tasks.QUEUE],
        concurrency=1,
        install_signal_handlers=False,
        wait=False,
        name="test",
    )


@pytest.fixture
def session_on(jobs_engine: AsyncEngine) -> Callable[[], AsyncSession]:
    return lambda: AsyncSession(jobs_engine, expire_on_commit=False)


def start_worker(database_url: str, **env: str) -> subprocess.Popen[bytes]:
    """A real `workmate worker` process on the test queue (its tasks from tests.jobs.*)."""
    full_env = {
        **os.environ,
        **FAST,
        "WORKMATE_DATABASE_URL": database_url,
        "WORKMATE_JOB_MODULES": "tests.jobs.tasks",
        **env,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "workmate.cli.main", "worker", "--queue", "test"],
        env=full_env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )


async def wait_for(check: Callable[[], Any], limit: float = 90, what: str = "condition") -> Any:
    """Poll `check` (sync or async) until it returns a true value; fail after `limit` s."""
    deadline = time.monotonic() + limit
    while True:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.kill()
        proc.wait(10)

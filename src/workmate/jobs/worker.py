"""Running jobs: `workmate worker` (a process of its own) and the worker inside `workmate serve`.

Each worker registers itself in `procrastinate_workers` and updates a heartbeat. A worker that
dies (SIGKILL, power loss) stops beating; its running jobs are then "stalled", and every live
worker checks for such jobs and puts them back in the queue (a job's transaction died with its
connection, so nothing of it was committed and the retry does the work once). On SIGTERM a
worker takes no new job, lets running ones finish within the graceful bound, then gives back
(retries) what is still running.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import procrastinate
from fastapi import FastAPI
from procrastinate.app import WorkerOptions
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from workmate.config import Settings, get_settings
from workmate.jobs.core import load_tasks, procrastinate_app, runtime

log = logging.getLogger(__name__)


def _connector(database_url: str, size: int) -> procrastinate.PsycopgConnector:
    """procrastinate's connector with a psycopg pool of its own for this worker run."""
    return procrastinate.PsycopgConnector(
        conninfo=database_url,
        min_size=1,
        max_size=size,
        kwargs={"application_name": "workmate-worker"},
    )


async def recover_stalled(app: procrastinate.App, stalled_seconds: float) -> int:
    """Queue again the running jobs of workers whose heartbeat stopped; the count."""
    count = 0
    for job in await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=stalled_seconds):
        try:
            await app.job_manager.retry_job(job)
        except Exception as exc:  # another worker retried it first
            log.debug("stalled job %s not retried: %s", job.id, exc)
            continue
        log.warning("job %s (%s) of a dead worker queued again", job.id, job.task_name)
        count += 1
    return count


async def _recover_loop(app: procrastinate.App, settings: Settings) -> None:
    while True:
        try:
            await recover_stalled(app, settings.job_stalled_seconds)
        except Exception:
            log.exception("stalled job check failed")
        await asyncio.sleep(settings.job_stalled_check_seconds)


async def run_worker(
    database_url: str,
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    settings: Settings | None = None,
    queues: list[str] | None = None,
    concurrency: int | None = None,
    install_signal_handlers: bool = True,
    wait: bool = True,
    name: str = "workmate",
) -> None:
    """Run a worker until it is stopped (signal, cancellation) or, with wait=False, idle."""
    settings = settings or get_settings()
    load_tasks()
    concurrency = concurrency or settings.job_concurrency
    runtime.sessionmaker = sessionmaker
    connector = _connector(database_url, concurrency + 3)
    with procrastinate_app.replace_connector(connector) as app:
        async with app.open_async():
            recover = asyncio.create_task(_recover_loop(app, settings))
            try:
                options: WorkerOptions = {
                    "concurrency": concurrency,
                    "wait": wait,
                    "name": name,
                    "install_signal_handlers": install_signal_handlers,
                    "shutdown_graceful_timeout": settings.job_graceful_seconds,
                    "update_heartbeat_interval": settings.job_heartbeat_seconds,
                    "stalled_worker_timeout": settings.job_stalled_seconds,
                    "fetch_job_polling_interval": settings.job_poll_seconds,
                }
                if queues:  # none given: every queue (an empty list would mean none)
                    options["queues"] = queues
                await app.run_worker_async(**options)
            finally:
                recover.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await recover


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """The in-process worker of `workmate serve` (off with WORKMATE_JOBS_IN_PROCESS=false when
    dedicated `workmate worker` processes run)."""
    settings = get_settings()
    url = getattr(app.state, "database_url", None)
    if not settings.jobs_in_process or url is None:
        yield
        return
    task = asyncio.create_task(
        run_worker(
            url,
            app.state.sessionmaker,
            settings=settings,
            install_signal_handlers=False,
            name="in-process",
        ),
        name="job-worker",
    )
    try:
        yield
    finally:
        # Cancelling run_worker_async asks the worker to stop gracefully (it shields its loop).
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task

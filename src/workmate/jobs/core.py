"""Durable background jobs on PostgreSQL (procrastinate): declare tasks, defer them in the
caller's transaction.

A job is a row in `procrastinate_jobs`. `defer()` inserts that row through the caller's own
SQLAlchemy session, so the job exists exactly when the change that caused it commits: a
rolled-back request leaves no job, a committed one always has its job. Workers on any machine
(`workmate worker`, or the worker inside `workmate serve`) fetch rows with procrastinate's
connector (psycopg), run the task in one transaction of their own, retry with backoff, and
leave a job `failed` with its error (table `job_failures`) after the last try.

Declaring a task (the function gets its own transaction as `db`; it must be idempotent,
because a job runs at least once, and after a crash possibly twice):

    from workmate import jobs

    @jobs.task("mail.send", retries=8, queue="mail")
    async def send(db: AsyncSession, *, message_id: str) -> None:
        ...

    @jobs.task("invoices.mark_overdue", periodic="5 * * * *")   # once per period, cluster-wide
    async def mark_overdue(db: AsyncSession, *, timestamp: int) -> None:
        ...

Deferring it, inside the request's (or job's, or CLI command's) transaction:

    await jobs.defer(db, "mail.send", message_id=str(message.id))
    await jobs.defer(db, "mail.send", queueing_lock=f"mail:{id}", message_id=...)  # once queued

Arguments are JSON: str, int, float, bool, None, lists and dicts; UUIDs, dates and Decimals
are passed as strings. A module that declares tasks is listed in TASK_MODULES (or in the
setting WORKMATE_JOB_MODULES) so every worker knows it.
"""

from __future__ import annotations

import importlib
import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import procrastinate
from procrastinate.job_context import JobContext
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from workmate.config import get_settings
from workmate.db import transaction

log = logging.getLogger(__name__)

# Every module that declares tasks; imported by workers and before the first defer().
TASK_MODULES = (
    "workmate.jobs.maintenance",
    "workmate.documents.jobs",
    "workmate.backup.jobs",
    "workmate.invoices.jobs",
    "workmate.time_entries.jobs",
    "workmate.reminders.jobs",
    "workmate.purchases.jobs",
    "workmate.outbox.jobs",
    "workmate.quotes.jobs",
    "workmate.recurring.jobs",
)
DEFAULT_QUEUE = "default"

JobFunction = Callable[..., Awaitable[Any]]


class UnknownTask(LookupError):
    """defer() named a task no module declares (a typo would otherwise fail only in the worker)."""


@dataclass(frozen=True, slots=True)
class TaskSpec:
    name: str
    queue: str
    retries: int
    periodic: str | None


# procrastinate's app: the task registry and periodic schedule. It is opened with a psycopg
# pool by the worker (workmate.jobs.worker); the web processes never open it, they defer
# through their own sessions.
procrastinate_app = procrastinate.App(connector=procrastinate.PsycopgConnector())
TASKS: dict[str, TaskSpec] = {}


class _Runtime:
    """Where a running task gets its sessions: set by the worker that runs it."""

    sessionmaker: async_sessionmaker[AsyncSession] | None = None


runtime = _Runtime()


def task(
    name: str,
    *,
    queue: str = DEFAULT_QUEUE,
    retries: int = 5,
    backoff_seconds: int = 2,
    periodic: str | None = None,
) -> Callable[[JobFunction], JobFunction]:
    """Declare `fn(db, **args)` as the task `name`: one transaction per run, committed when it
    returns; an exception rolls it back and retries up to `retries` more times after
    backoff_seconds ** attempt seconds; `periodic` is a cron line (UTC; 6th field: seconds)."""

    def register(fn: JobFunction) -> JobFunction:
        if name in TASKS:
            raise ValueError(f"task {name!r} is declared twice")
        spec = TaskSpec(name, queue, retries, periodic)

        async def run(context: JobContext, /, **args: Any) -> None:
            await _run(spec, fn, context, args)

        run.__name__ = run.__qualname__ = name
        registered = procrastinate_app.task(
            name=name,
            queue=queue,
            pass_context=True,
            # procrastinate's max_attempts counts the retries after the first run.
            retry=procrastinate.RetryStrategy(
                max_attempts=retries, exponential_wait=backoff_seconds
            )
            if retries
            else False,
        )(run)
        if periodic is not None:
            # Periodic tasks get the period's `timestamp` argument (procrastinate's typing
            # wants it positional; it is passed by keyword).
            procrastinate_app.periodic(cron=periodic)(registered)  # type: ignore[arg-type]
        TASKS[name] = spec
        return fn

    return register


async def _run(spec: TaskSpec, fn: JobFunction, context: JobContext, args: dict[str, Any]) -> None:
    maker = runtime.sessionmaker
    if maker is None:
        raise RuntimeError("no worker runtime: jobs run inside workmate.jobs.worker")
    try:
        async with maker() as db, transaction(db):
            await fn(db, **args)
    except Exception as exc:
        job = context.job
        attempt = job.attempts + 1
        final = attempt > spec.retries
        log.warning(
            "job %s %s failed (attempt %s%s): %s",
            job.id,
            spec.name,
            attempt,
            ", final" if final else "",
            exc,
        )
        await _record_failure(maker, job.id, spec.name, attempt, final, exc)
        raise


async def _record_failure(
    maker: async_sessionmaker[AsyncSession],
    job_id: int | None,
    name: str,
    attempt: int,
    final: bool,
    exc: BaseException,
) -> None:
    """Keep the error where the jobs page shows it (procrastinate keeps only the status)."""
    error = f"{type(exc).__name__}: {exc}"[:4000]
    try:
        async with maker() as db, transaction(db):
            await db.execute(
                text(
                    "INSERT INTO job_failures (job_id, task_name, attempt, final, error) "
                    "VALUES (:job, :name, :attempt, :final, :error)"
                ),
                {"job": job_id, "name": name, "attempt": attempt, "final": final, "error": error},
            )
    except Exception:
        # The job's own failure must still reach procrastinate (retry/failed).
        log.exception("could not record the failure of job %s", job_id)


def load_tasks() -> None:
    """Import every module that declares tasks (idempotent)."""
    extra = [m.strip() for m in get_settings().job_modules.split(",") if m.strip()]
    for module in (*TASK_MODULES, *extra):
        importlib.import_module(module)


def _json_default(value: Any) -> str:
    if isinstance(value, uuid.UUID | date | datetime | Decimal):
        return str(value)
    raise TypeError(f"job arguments must be JSON; {type(value).__name__} is not")


# The row procrastinate's own defer function would insert, written with ON CONFLICT so that
# an already queued job with the same queueing lock is a no-op instead of an error that would
# abort the caller's transaction. The triggers (event row, NOTIFY to wake workers) fire as
# usual; NOTIFY is delivered at commit, so no worker looks before the row is visible.
_DEFER = text(
    """
    INSERT INTO procrastinate_jobs
        (queue_name, task_name, priority, lock, queueing_lock, args, scheduled_at)
    VALUES (:queue, :task, :priority, :lock, :queueing_lock, CAST(:args AS jsonb), :run_at)
    ON CONFLICT (queueing_lock) WHERE status = 'todo' DO NOTHING
    RETURNING id
    """
)


async def defer(
    db: AsyncSession,
    task_name: str,
    *,
    queue: str | None = None,
    lock: str | None = None,
    queueing_lock: str | None = None,
    priority: int = 0,
    run_at: datetime | None = None,
    **args: Any,
) -> int | None:
    """Queue `task_name(**args)` in the caller's transaction: it exists once that commits and
    never if it rolls back. `lock`: jobs with the same lock run one at a time, in order;
    `queueing_lock`: while one such job waits, another defer is a no-op (returns None).
    Returns the job id."""
    if task_name not in TASKS:
        load_tasks()
    spec = TASKS.get(task_name)
    if spec is None:
        raise UnknownTask(f"no task named {task_name!r}")
    if run_at is not None and run_at.tzinfo is None:
        raise ValueError("run_at must be timezone-aware")
    payload = json.dumps(args, default=_json_default)
    job_id = await db.scalar(
        _DEFER,
        {
            "queue": queue or spec.queue,
            "task": task_name,
            "priority": priority,
            "lock": lock,
            "queueing_lock": queueing_lock,
            "args": payload,
            "run_at": run_at,
        },
    )
    return None if job_id is None else int(job_id)

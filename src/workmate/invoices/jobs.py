"""Periodic invoice jobs (overdue marking), safe with several app processes.

Every app process runs the loop; a PostgreSQL advisory lock taken in the job's transaction
lets exactly one of them do the work at a time, the others skip that round. The job is
idempotent (it only moves 'sent' past due to 'overdue' and raises dunning levels), so a
skipped or repeated round does no harm.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date

from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from workmate.config import Settings, get_settings
from workmate.db import transaction
from workmate.invoices.overdue import today as business_today
from workmate.invoices.service import invoice_service

log = logging.getLogger(__name__)

# Arbitrary but fixed: the advisory lock key of the overdue job ("WM" + 1).
OVERDUE_LOCK_KEY = 0x574D0001


async def mark_overdue_once(
    sessionmaker: async_sessionmaker[AsyncSession], today: date | None = None
) -> int | None:
    """One round: marked count, or None when another process holds the job's lock."""
    async with sessionmaker() as db, transaction(db):
        got = await db.scalar(
            text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": OVERDUE_LOCK_KEY}
        )
        if not got:
            return None
        return await invoice_service.mark_overdue(db, today or business_today())


async def _loop(app: FastAPI, settings: Settings) -> None:
    await asyncio.sleep(settings.overdue_first_delay_seconds)
    while True:
        try:
            marked = await mark_overdue_once(app.state.sessionmaker)
            if marked:
                log.info("%s invoice(s) marked overdue", marked)
        except Exception:
            # A failed round (database restarting) must not end the loop; the next one retries.
            log.exception("overdue job failed")
        await asyncio.sleep(settings.overdue_interval_seconds)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Start the periodic jobs with the app, stop them with it."""
    settings = get_settings()
    if not settings.jobs_enabled:
        yield
        return
    task = asyncio.create_task(_loop(app, settings), name="overdue-job")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

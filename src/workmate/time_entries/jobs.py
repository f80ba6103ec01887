"""Periodic time tracking jobs: stop timers that ran past the stale limit."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from workmate import jobs
from workmate.config import get_settings
from workmate.time_entries.service import time_entry_service


@jobs.task("timers.stop_stale", periodic="*/15 * * * *", retries=3)
async def stop_stale(db: AsyncSession, *, timestamp: int | None = None) -> int:
    """Every 15 minutes: end timers running longer than WORKMATE_STALE_TIMER_HOURS at
    start + limit (the same rule as `workmate timers stop-stale`); idempotent."""
    stopped = await time_entry_service.stop_stale(
        db, None, limit_hours=get_settings().stale_timer_hours
    )
    return len(stopped)

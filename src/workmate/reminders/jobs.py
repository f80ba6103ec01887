"""Periodic reminder jobs: the day's due reminders, once per day.

The job finds every open reminder due today or overdue and hands each owner's list to the
registered notifiers (e-mail, once the outbox exists, registers one). Without a notifier it
logs the count per owner. Notifiers must be idempotent per (owner, day): the job may run twice.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from workmate import clock, jobs
from workmate.reminders.service import reminder_service

log = logging.getLogger(__name__)

# (session, day, owner e-mail, that owner's due reminders) -> None
Notifier = Callable[[AsyncSession, date, str, list[Any]], Awaitable[None]]
NOTIFIERS: list[Notifier] = []


@jobs.task("reminders.due", periodic="0 6 * * *", retries=3)
async def reminders_due(db: AsyncSession, *, timestamp: int | None = None) -> int:
    """Daily at 06:00 UTC: group the open reminders due today or earlier by owner and notify."""
    today = clock.today()
    by_owner: dict[str, list[Any]] = defaultdict(list)
    for reminder, email in await reminder_service.due(db, today):
        by_owner[str(email)].append(reminder)
    for email, due in by_owner.items():
        for notify in NOTIFIERS:
            await notify(db, today, email, due)
        if not NOTIFIERS:
            log.info("%s reminder(s) due for %s", len(due), email)
    return sum(len(v) for v in by_owner.values())

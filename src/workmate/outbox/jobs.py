"""The delivery job and the sweep that hands waiting messages to it."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from workmate import jobs
from workmate.config import get_settings
from workmate.outbox import repository
from workmate.outbox.flows import outbox_flows
from workmate.outbox.service import TASK, defer_delivery


@jobs.task(TASK, queue="mail", retries=3)
async def send(db: AsyncSession, *, message_id: str) -> str:
    """Deliver one outbox message (its own retries are planned by the outbox, see flows)."""
    return await outbox_flows.deliver(db, uuid.UUID(message_id))


@jobs.task("mail.sweep", periodic="*/10 * * * *", retries=1)
async def sweep(db: AsyncSession, *, timestamp: int | None = None) -> int:
    """Every 10 minutes, with a mail server configured: queue delivery of every waiting
    message that has no delivery job waiting (e.g. written before the server was set)."""
    if not get_settings().smtp_url:
        return 0
    ids = await repository.queued_ids(db)
    for message_id in ids:
        await defer_delivery(db, message_id)
    return len(ids)

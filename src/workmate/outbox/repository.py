"""Outbox SQL."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from workmate.models import InvoiceDispatch, MailTemplate, OutboxAttachment, OutboxMessage


async def get(
    db: AsyncSession, message_id: uuid.UUID, *, for_update: bool = False
) -> OutboxMessage | None:
    query = select(OutboxMessage).where(OutboxMessage.id == message_id)
    if for_update:
        query = query.with_for_update()
    return await db.scalar(query)


async def attachments(db: AsyncSession, message_id: uuid.UUID) -> Sequence[OutboxAttachment]:
    rows = await db.scalars(
        select(OutboxAttachment)
        .where(OutboxAttachment.message_id == message_id)
        .order_by(OutboxAttachment.position)
    )
    return rows.all()


async def attachments_of(
    db: AsyncSession, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[OutboxAttachment]]:
    result: dict[uuid.UUID, list[OutboxAttachment]] = {i: [] for i in ids}
    if not ids:
        return result
    rows = await db.scalars(
        select(OutboxAttachment)
        .where(OutboxAttachment.message_id.in_(ids))
        .order_by(OutboxAttachment.message_id, OutboxAttachment.position)
    )
    for row in rows:
        result[row.message_id].append(row)
    return result


async def page(
    db: AsyncSession, state: str | None, limit: int, offset: int
) -> tuple[Sequence[OutboxMessage], int]:
    query = select(OutboxMessage)
    count = select(func.count()).select_from(OutboxMessage)
    if state is not None:
        query = query.where(OutboxMessage.state == state)
        count = count.where(OutboxMessage.state == state)
    rows = await db.scalars(
        query.order_by(OutboxMessage.created_at.desc(), OutboxMessage.id)
        .limit(limit)
        .offset(offset)
    )
    return rows.all(), int(await db.scalar(count) or 0)


async def for_object(
    db: AsyncSession, related_type: str, related_id: uuid.UUID
) -> Sequence[OutboxMessage]:
    rows = await db.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.related_type == related_type, OutboxMessage.related_id == related_id)
        .order_by(OutboxMessage.created_at.desc())
    )
    return rows.all()


async def queued_ids(db: AsyncSession) -> Sequence[uuid.UUID]:
    rows = await db.scalars(
        select(OutboxMessage.id)
        .where(OutboxMessage.state == "queued")
        .order_by(OutboxMessage.created_at)
    )
    return rows.all()


async def template(db: AsyncSession, purpose: str, language: str) -> MailTemplate | None:
    return await db.get(MailTemplate, (purpose, language))


async def dispatches(db: AsyncSession, invoice_id: uuid.UUID) -> Sequence[InvoiceDispatch]:
    rows = await db.scalars(
        select(InvoiceDispatch)
        .where(InvoiceDispatch.invoice_id == invoice_id)
        .order_by(InvoiceDispatch.dispatched_at)
    )
    return rows.all()


async def withdraw(
    db: AsyncSession, related_type: str, related_ids: Sequence[uuid.UUID], purpose: str
) -> Sequence[uuid.UUID]:
    """Cancel the queued messages of a purpose about these objects and drop their secret
    links, in one statement; returns their ids."""
    if not related_ids:
        return []
    rows = await db.scalars(
        update(OutboxMessage)
        .where(
            OutboxMessage.related_type == related_type,
            OutboxMessage.related_id.in_(related_ids),
            OutboxMessage.purpose == purpose,
            OutboxMessage.state == "queued",
        )
        .values(state="cancelled", secret_link=None)
        .returning(OutboxMessage.id)
    )
    return rows.all()

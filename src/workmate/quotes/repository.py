"""Quote SQL."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import and_, case, delete, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from workmate.models import Invoice, Quote, QuoteLine


async def get(db: AsyncSession, quote_id: uuid.UUID, *, for_update: bool = False) -> Quote | None:
    query = select(Quote).where(Quote.id == quote_id).execution_options(populate_existing=True)
    if for_update:
        query = query.with_for_update()
    return await db.scalar(query)


async def lines(db: AsyncSession, quote_id: uuid.UUID) -> Sequence[QuoteLine]:
    rows = await db.scalars(
        select(QuoteLine).where(QuoteLine.quote_id == quote_id).order_by(QuoteLine.position)
    )
    return rows.all()


async def delete_lines(db: AsyncSession, quote_id: uuid.UUID) -> None:
    await db.execute(delete(QuoteLine).where(QuoteLine.quote_id == quote_id))


def effective_status(today: date) -> object:
    """SQL: a sent quote past its validity date is expired, stored or not."""
    return case(
        (and_(Quote.status == "sent", Quote.valid_until < today), "expired"),
        else_=Quote.status,
    )


async def page(
    db: AsyncSession, status: str | None, today: date, limit: int, offset: int
) -> tuple[Sequence[Quote], int]:
    status_sql = effective_status(today)
    query = select(Quote)
    count = select(func.count()).select_from(Quote)
    if status is not None:
        query = query.where(status_sql == status)  # type: ignore[arg-type]
        count = count.where(status_sql == status)  # type: ignore[arg-type]
    rows = await db.scalars(
        query.order_by(Quote.created_at.desc(), Quote.id).limit(limit).offset(offset)
    )
    return rows.all(), int(await db.scalar(count) or 0)


async def invoices(db: AsyncSession, quote_id: uuid.UUID) -> Sequence[Invoice]:
    rows = await db.scalars(
        select(Invoice)
        .where(Invoice.quote_id == quote_id)
        .order_by(Invoice.created_at)
        .execution_options(populate_existing=True)
    )
    return rows.all()


async def next_number(db: AsyncSession, year: int) -> int:
    """The next gapless quote number of the year: the counter row stays locked until commit."""
    value = await db.scalar(
        text(
            "INSERT INTO number_counters (scope, year, next_value) VALUES ('quote', :year, 2) "
            "ON CONFLICT (scope, year) DO UPDATE "
            "SET next_value = number_counters.next_value + 1 "
            "RETURNING next_value - 1"
        ),
        {"year": year},
    )
    return int(value)


async def expire(db: AsyncSession, today: date) -> Sequence[uuid.UUID]:
    """Store 'expired' on sent quotes past their validity date."""
    rows = await db.scalars(
        update(Quote)
        .where(Quote.status == "sent", Quote.valid_until < today)
        .values(status="expired")
        .returning(Quote.id)
    )
    return rows.all()

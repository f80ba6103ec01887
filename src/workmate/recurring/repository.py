"""Recurring invoice SQL."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from workmate.models import RecurringInvoice, RecurringInvoiceLine, RecurringRun


async def get(
    db: AsyncSession, template_id: uuid.UUID, *, for_update: bool = False
) -> RecurringInvoice | None:
    query = (
        select(RecurringInvoice)
        .where(RecurringInvoice.id == template_id)
        .execution_options(populate_existing=True)
    )
    if for_update:
        query = query.with_for_update()
    return await db.scalar(query)


async def lines(db: AsyncSession, template_id: uuid.UUID) -> Sequence[RecurringInvoiceLine]:
    rows = await db.scalars(
        select(RecurringInvoiceLine)
        .where(RecurringInvoiceLine.template_id == template_id)
        .order_by(RecurringInvoiceLine.position)
    )
    return rows.all()


async def delete_lines(db: AsyncSession, template_id: uuid.UUID) -> None:
    await db.execute(
        delete(RecurringInvoiceLine).where(RecurringInvoiceLine.template_id == template_id)
    )


async def runs(db: AsyncSession, template_id: uuid.UUID) -> Sequence[RecurringRun]:
    rows = await db.scalars(
        select(RecurringRun)
        .where(RecurringRun.template_id == template_id)
        .order_by(RecurringRun.period_start.desc())
    )
    return rows.all()


async def page(db: AsyncSession, limit: int, offset: int) -> tuple[Sequence[RecurringInvoice], int]:
    rows = await db.scalars(
        select(RecurringInvoice)
        .order_by(RecurringInvoice.created_at.desc(), RecurringInvoice.id)
        .limit(limit)
        .offset(offset)
    )
    total = await db.scalar(select(func.count()).select_from(RecurringInvoice))
    return rows.all(), int(total or 0)


async def lock_due(db: AsyncSession, today: date) -> Sequence[RecurringInvoice]:
    """Active templates with a period starting by today; ones another worker holds are
    skipped (it bills them)."""
    rows = await db.scalars(
        select(RecurringInvoice)
        .where(RecurringInvoice.status == "active", RecurringInvoice.next_period_start <= today)
        .order_by(RecurringInvoice.next_period_start, RecurringInvoice.id)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    return rows.all()


async def claim_period(
    db: AsyncSession, template_id: uuid.UUID, start: date, end: date
) -> uuid.UUID | None:
    """Insert the period's run row; None when it exists already (billed before)."""
    return await db.scalar(
        insert(RecurringRun)
        .values(id=uuid.uuid4(), template_id=template_id, period_start=start, period_end=end)
        .on_conflict_do_nothing(index_elements=["template_id", "period_start"])
        .returning(RecurringRun.id)
    )


async def set_invoice(db: AsyncSession, run_id: uuid.UUID, invoice_id: uuid.UUID) -> None:
    run = await db.get(RecurringRun, run_id)
    assert run is not None
    run.invoice_id = invoice_id
    await db.flush()

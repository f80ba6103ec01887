"""Dunning SQL."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from workmate.invoices.overdue import is_overdue
from workmate.models import (
    BaseRate,
    Customer,
    DunningBlock,
    DunningLetter,
    Invoice,
    Payment,
)


async def overdue(
    db: AsyncSession, today: date, invoice_ids: Sequence[uuid.UUID] | None = None
) -> Sequence[tuple[Invoice, Customer, Decimal, int, bool, date | None]]:
    """Overdue invoices without a stop flag: (invoice, customer, settled amount (payments
    plus partial credit notes), last letter level, flat fee charged, date of the last letter)."""
    paid = (
        select(func.coalesce(func.sum(Payment.amount), 0))
        .where(Payment.invoice_id == Invoice.id)
        .scalar_subquery()
    ) + func.wm_invoice_credited(Invoice.id)
    level = (
        select(func.coalesce(func.max(DunningLetter.level), 0))
        .where(DunningLetter.invoice_id == Invoice.id)
        .scalar_subquery()
    )
    last = (
        select(func.max(DunningLetter.letter_date))
        .where(DunningLetter.invoice_id == Invoice.id)
        .scalar_subquery()
    )
    fee = (
        select(func.count())
        .where(DunningLetter.invoice_id == Invoice.id, DunningLetter.flat_fee > 0)
        .scalar_subquery()
    )
    blocked = select(DunningBlock.id).where(
        (DunningBlock.invoice_id == Invoice.id) | (DunningBlock.customer_id == Invoice.customer_id)
    )
    query = (
        select(Invoice, Customer, paid, level, fee, last)
        .join(Customer, Customer.id == Invoice.customer_id)
        .where(is_overdue(today), ~blocked.exists())
        .order_by(Invoice.due_date, Invoice.number)
    )
    if invoice_ids is not None:
        query = query.where(Invoice.id.in_(invoice_ids)).with_for_update(of=Invoice)
    rows = await db.execute(query)
    return [(i, c, Decimal(p), int(lv), bool(f), d) for i, c, p, lv, f, d in rows.all()]


async def base_rates(db: AsyncSession) -> Sequence[BaseRate]:
    rows = await db.scalars(select(BaseRate).order_by(BaseRate.valid_from))
    return rows.all()


async def letters(db: AsyncSession, invoice_id: uuid.UUID | None = None) -> Sequence[DunningLetter]:
    query = select(DunningLetter).order_by(DunningLetter.created_at.desc())
    if invoice_id is not None:
        query = query.where(DunningLetter.invoice_id == invoice_id)
    return (await db.scalars(query.limit(500))).all()


async def block(
    db: AsyncSession, *, customer_id: uuid.UUID | None = None, invoice_id: uuid.UUID | None = None
) -> DunningBlock | None:
    query = select(DunningBlock)
    if customer_id is not None:
        query = query.where(DunningBlock.customer_id == customer_id)
    else:
        query = query.where(DunningBlock.invoice_id == invoice_id)
    return await db.scalar(query)

"""SQL for payments."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from workmate.models import Invoice, Payment


async def lock_invoice(db: AsyncSession, invoice_id: uuid.UUID) -> Invoice | None:
    """The invoice, locked: concurrent payments on it queue here until this one commits."""
    return await db.scalar(
        select(Invoice)
        .where(Invoice.id == invoice_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


async def paid(db: AsyncSession, invoice_id: uuid.UUID) -> Decimal:
    total = await db.scalar(
        select(func.coalesce(func.sum(Payment.amount), 0)).where(Payment.invoice_id == invoice_id)
    )
    return Decimal(total or 0)


async def by_key(db: AsyncSession, key: str) -> Payment | None:
    return await db.scalar(select(Payment).where(Payment.idempotency_key == key))


async def get(db: AsyncSession, payment_id: uuid.UUID) -> Payment | None:
    return await db.scalar(select(Payment).where(Payment.id == payment_id))


async def of_invoice(db: AsyncSession, invoice_id: uuid.UUID) -> list[Payment]:
    result = await db.scalars(
        select(Payment)
        .where(Payment.invoice_id == invoice_id)
        .order_by(Payment.payment_date, Payment.created_at, Payment.id)
    )
    return list(result)


async def invoice_exists(db: AsyncSession, invoice_id: uuid.UUID) -> bool:
    return bool(await db.scalar(select(func.count()).where(Invoice.id == invoice_id)))


async def lock_invoices(db: AsyncSession, invoice_ids: list[uuid.UUID]) -> dict[uuid.UUID, Invoice]:
    """Several invoices locked in id order (the same order everywhere: no deadlock)."""
    rows = await db.scalars(
        select(Invoice)
        .where(Invoice.id.in_(invoice_ids))
        .order_by(Invoice.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return {invoice.id: invoice for invoice in rows}


async def paid_many(db: AsyncSession, invoice_ids: list[uuid.UUID]) -> dict[uuid.UUID, Decimal]:
    rows = await db.execute(
        select(Payment.invoice_id, func.sum(Payment.amount))
        .where(Payment.invoice_id.in_(invoice_ids))
        .group_by(Payment.invoice_id)
    )
    return {invoice_id: Decimal(total) for invoice_id, total in rows}


async def keys_in_use(db: AsyncSession, keys: list[str]) -> list[str]:
    return list(
        await db.scalars(select(Payment.idempotency_key).where(Payment.idempotency_key.in_(keys)))
    )

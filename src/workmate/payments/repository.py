"""SQL for payments."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, String, Table, any_, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.ext.asyncio import AsyncSession

from workmate.models import Invoice, Payment

# The table, for the one-statement INSERT of a payment with its audit row.
PAYMENTS: Table = Payment.__table__  # type: ignore[assignment]


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


async def settled(db: AsyncSession, invoice_id: uuid.UUID) -> tuple[Decimal, Decimal]:
    """`paid` and `credited` of one invoice in one statement (after its row lock)."""
    row = (
        await db.execute(
            select(
                func.coalesce(func.sum(Payment.amount), 0), func.wm_invoice_credited(invoice_id)
            ).where(Payment.invoice_id == invoice_id)
        )
    ).one()
    return Decimal(row[0] or 0), Decimal(row[1] or 0)


async def credited(db: AsyncSession, invoice_id: uuid.UUID) -> Decimal:
    """What the invoice's issued partial credit notes credit (wm_invoice_credited, 0020)."""
    total = await db.scalar(select(func.wm_invoice_credited(invoice_id)))
    return Decimal(total or 0)


async def credited_many(db: AsyncSession, invoice_ids: list[uuid.UUID]) -> dict[uuid.UUID, Decimal]:
    """`credited` of several invoices in one query (bulk booking)."""
    rows = await db.execute(
        select(Invoice.id, func.wm_invoice_credited(Invoice.id)).where(
            _any(Invoice.id, invoice_ids, ARRAY(PG_UUID(as_uuid=True)))
        )
    )
    return {invoice_id: Decimal(total) for invoice_id, total in rows}


async def by_key(db: AsyncSession, key: str) -> Payment | None:
    return await db.scalar(select(Payment).where(Payment.idempotency_key == key))


async def get(db: AsyncSession, payment_id: uuid.UUID, *, lock: bool = False) -> Payment | None:
    stmt = select(Payment).where(Payment.id == payment_id)
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return await db.scalar(stmt)


async def of_invoice(db: AsyncSession, invoice_id: uuid.UUID) -> list[Payment]:
    result = await db.scalars(
        select(Payment)
        .where(Payment.invoice_id == invoice_id)
        .order_by(Payment.payment_date, Payment.created_at, Payment.id)
    )
    return list(result)


async def invoice_exists(db: AsyncSession, invoice_id: uuid.UUID) -> bool:
    return bool(await db.scalar(select(func.count()).where(Invoice.id == invoice_id)))


def _any(column: Any, values: list[Any], array_type: Any) -> ColumnElement[bool]:
    # One array parameter: bulk callers pass thousands of values.
    condition: ColumnElement[bool] = column == any_(bindparam(None, values, type_=array_type))
    return condition


async def lock_invoices(db: AsyncSession, invoice_ids: list[uuid.UUID]) -> dict[uuid.UUID, Invoice]:
    """Several invoices locked in id order (the same order everywhere: no deadlock)."""
    rows = await db.scalars(
        select(Invoice)
        .where(_any(Invoice.id, invoice_ids, ARRAY(PG_UUID(as_uuid=True))))
        .order_by(Invoice.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return {invoice.id: invoice for invoice in rows}


async def paid_many(db: AsyncSession, invoice_ids: list[uuid.UUID]) -> dict[uuid.UUID, Decimal]:
    rows = await db.execute(
        select(Payment.invoice_id, func.sum(Payment.amount))
        .where(_any(Payment.invoice_id, invoice_ids, ARRAY(PG_UUID(as_uuid=True))))
        .group_by(Payment.invoice_id)
    )
    return {invoice_id: Decimal(total) for invoice_id, total in rows}


async def keys_in_use(db: AsyncSession, keys: list[str]) -> list[str]:
    found = await db.scalars(
        select(Payment.idempotency_key).where(_any(Payment.idempotency_key, keys, ARRAY(String())))
    )
    return [k for k in found if k is not None]

"""SQL for exports: payments of a period with the invoice and customer they belong to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from workmate.models import CompanySettings, Customer, Invoice, Payment


@dataclass(frozen=True, slots=True)
class PaymentRow:
    amount: Decimal
    payment_date: date
    invoice_number: str
    customer_number: str
    buyer_name: str


async def payments_between(session: AsyncSession, start: date, end: date) -> list[PaymentRow]:
    """Payments booked in the period, one query with their invoice and customer."""
    rows = await session.execute(
        select(
            Payment.amount,
            Payment.payment_date,
            Invoice.number,
            Customer.number,
            Invoice.buyer_name,
            Customer.name,
        )
        .join(Invoice, Invoice.id == Payment.invoice_id)
        .join(Customer, Customer.id == Invoice.customer_id)
        .where(Payment.payment_date >= start, Payment.payment_date <= end)
        .order_by(Payment.payment_date, Invoice.number, Payment.id)
    )
    return [
        PaymentRow(amount, day, number or "", customer, buyer or name)
        for amount, day, number, customer, buyer, name in rows.all()
    ]


async def datev_settings(session: AsyncSession) -> dict[str, Any]:
    """The `datev` entry of company_settings.extra ({} when unset)."""
    extra = await session.scalar(select(CompanySettings.extra).where(CompanySettings.id == 1))
    value = (extra or {}).get("datev")
    return value if isinstance(value, dict) else {}

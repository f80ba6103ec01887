"""Company settings, invoices through the service, payments, and the money invariant."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from workmate.models import CompanySettings

COMPANY = {
    "name": "Muster Software GmbH",
    "street": "Friedrichstraße 10",
    "postal_code": "10117",
    "city": "Berlin",
    "country": "DE",
    "tax_number": "21/815/08150",
    "vat_id": "DE136695976",
    "iban": "DE89370400440532013000",
    "bic": "COBADEFFXXX",
    "payment_terms_days": 14,
}


async def make_company_settings(db: AsyncSession, **overrides: Any) -> None:
    """The single seller row, complete enough to issue invoices (upserted)."""
    values = {**COMPANY, **overrides}
    await db.execute(
        insert(CompanySettings)
        .values(id=1, **values)
        .on_conflict_do_update(index_elements=["id"], set_=values)
    )
    await db.flush()


def line(
    price: str = "100.00", qty: str = "1", vat: str = "19", discount: str = "0", **extra: Any
) -> dict[str, Any]:
    """A line item as the API takes it."""
    return {
        "description": extra.pop("description", "Beratung"),
        "quantity": qty,
        "unit": extra.pop("unit", "HUR"),
        "unit_price": price,
        "vat_rate": vat,
        "discount_percent": discount,
        **extra,
    }


def draft_body(customer_id: Any, *lines: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "customer_id": str(customer_id),
        "service_start": date(2026, 3, 1).isoformat(),
        "service_end": date(2026, 3, 31).isoformat(),
        "lines": list(lines) or [line()],
        **extra,
    }


INVARIANT_SQL = """
SELECT i.id, i.number, i.status, i.total, COALESCE(p.paid, 0) AS paid,
       wm_invoice_credited(i.id) AS credited
  FROM invoices i
  LEFT JOIN (SELECT invoice_id, sum(amount) AS paid FROM payments GROUP BY invoice_id) p
    ON p.invoice_id = i.id
 WHERE COALESCE(p.paid, 0) > i.total
    OR wm_invoice_credited(i.id) > i.total
    OR (i.status = 'paid') <> (i.status <> 'cancelled' AND i.kind = 'invoice'
                              AND i.status <> 'draft'
                              AND COALESCE(p.paid, 0) + wm_invoice_credited(i.id) >= i.total)
"""


async def assert_money_invariant(db: AsyncSession) -> None:
    """Every invoice: status is 'paid' exactly when payments + partial credit notes cover the
    total; neither payments nor credits alone above it."""
    broken = (await db.execute(text(INVARIANT_SQL))).all()
    assert broken == [], f"money invariant broken: {broken}"


def money(value: Any) -> Decimal:
    return Decimal(str(value))


async def live_token(live_db: AsyncSession, role: str = "Admin") -> str:
    """A committed employee of `role` on the live database and a Bearer token for them."""
    from tests.factories.identity import make_employee
    from workmate.auth.service import auth_service

    employee = await make_employee(live_db, role)
    token = await auth_service.create_token(live_db, employee.id, "live test")
    await live_db.commit()
    return str(token.secret)


async def make_issued_invoice(
    db: AsyncSession, *, issued_date: date, due_date: date, **overrides: Any
) -> Any:
    """A sent invoice (one 19 % line, 119.00 gross) with the given dates, number unique."""
    import uuid

    from tests.factories.records import make_invoice

    invoice = await make_invoice(db, **overrides)
    invoice.status = "sent"
    invoice.number = f"RE-T-{uuid.uuid4().hex[:8]}"
    invoice.issued_date = issued_date
    invoice.due_date = due_date
    await db.flush()
    return invoice

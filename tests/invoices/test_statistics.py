"""Statistics in SQL: revenue per month, open and overdue receivables, days to pay, top
customers, with the one definition of overdue."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.invoicing import assert_money_invariant, make_issued_invoice
from tests.factories.records import make_customer
from workmate.invoices.overdue import today
from workmate.models import Payment


async def test_statistics(as_manager: httpx.AsyncClient, db: AsyncSession) -> None:
    big, small = await make_customer(db, name="Groß AG"), await make_customer(db, name="Klein")
    paid = await make_issued_invoice(
        db, customer=big, issued_date=date(2026, 1, 10), due_date=date(2026, 1, 24)
    )
    await make_issued_invoice(
        db, customer=big, issued_date=date(2026, 2, 1), due_date=date(2026, 2, 15)
    )
    soon = today() + timedelta(days=9)
    await make_issued_invoice(db, customer=small, issued_date=today(), due_date=soon)
    db.add(
        Payment(
            invoice_id=paid.id,
            amount=Decimal("119.00"),
            payment_date=date(2026, 1, 20),
            method="bank_transfer",
        )
    )
    await db.flush()
    r = await as_manager.get("/api/v1/invoices/statistics")
    assert r.status_code == 200, r.text
    stats = r.json()
    months = {m["month"]: (m["issued"], m["paid"]) for m in stats["revenue_per_month"]}
    assert months["2026-01"] == ("119.00", "119.00")
    assert months["2026-02"] == ("119.00", "0") or months["2026-02"] == ("119.00", "0.00")
    assert stats["open_receivables"] == "238.00"
    assert stats["open_count"] == 2
    assert Decimal(stats["overdue_receivables"]) == Decimal("119.00")
    assert stats["overdue_count"] == 1
    assert Decimal(stats["average_days_to_pay"]) == Decimal(10)
    top = [(c["name"], Decimal(c["revenue"])) for c in stats["top_customers"]]
    assert top == [("Groß AG", Decimal("238.00")), ("Klein", Decimal("119.00"))]
    filtered = (
        await as_manager.get(
            "/api/v1/invoices/statistics", params={"from": "2026-02-01", "to": "2026-02-28"}
        )
    ).json()
    assert [m["month"] for m in filtered["revenue_per_month"]] == ["2026-02"]
    await assert_money_invariant(db)

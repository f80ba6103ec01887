"""Payments through the API: partial, full, too much, idempotent retries, deletion reopens."""

from __future__ import annotations

import itertools
from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from tests.factories.invoicing import (
    assert_money_invariant,
    draft_body,
    line,
    make_company_settings,
    money,
)
from tests.factories.records import make_customer
from tests.test_lessons import application_statements, count_statements
from workmate.invoices.overdue import today
from workmate.models import AuditLog, Payment

URL = "/api/v1/invoices"


async def issued(client: httpx.AsyncClient, db: AsyncSession, price: str = "100.00") -> Any:
    await make_company_settings(db)
    customer = await make_customer(db)
    inv = (await client.post(URL, json=draft_body(customer.id, line(price)))).json()
    r = await client.post(f"{URL}/{inv['id']}/issue")
    assert r.status_code == 200, r.text
    return r.json()


async def pay(client: httpx.AsyncClient, inv: Any, amount: str, **extra: Any) -> httpx.Response:
    headers = extra.pop("headers", None)
    return await client.post(
        f"{URL}/{inv['id']}/payments", json={"amount": amount, **extra}, headers=headers
    )


async def test_partial_then_full_payment(as_manager: httpx.AsyncClient, db: AsyncSession) -> None:
    inv = await issued(as_manager, db)  # 119.00
    r = await pay(as_manager, inv, "19.00", method="cash")
    assert r.status_code == 201, r.text
    got = (await as_manager.get(f"{URL}/{inv['id']}")).json()
    assert got["status"] == "sent"
    assert money(got["open_amount"]) == money("100.00")
    assert (await pay(as_manager, inv, "100.00")).status_code == 201
    got = (await as_manager.get(f"{URL}/{inv['id']}")).json()
    assert got["status"] == "paid"
    assert money(got["open_amount"]) == 0
    payments = (await as_manager.get(f"{URL}/{inv['id']}/payments")).json()
    assert sorted(p["amount"] for p in payments) == ["100.00", "19.00"]
    assert await db.scalar(
        select(func.count()).select_from(AuditLog).where(AuditLog.entity == "payment")
    )
    await assert_money_invariant(db)


async def test_overpayment_is_409_stating_the_open_amount(
    as_manager: httpx.AsyncClient, db: AsyncSession
) -> None:
    inv = await issued(as_manager, db)
    await pay(as_manager, inv, "100.00")
    r = await pay(as_manager, inv, "19.01")
    assert r.status_code == 409
    assert "19.00" in r.json()["detail"]
    await pay(as_manager, inv, "19.00")
    r = await pay(as_manager, inv, "0.01")
    assert r.status_code == 409
    assert "0.00" in r.json()["detail"]
    await assert_money_invariant(db)


async def test_no_payments_on_drafts_or_bad_amounts(
    as_manager: httpx.AsyncClient, db: AsyncSession
) -> None:
    customer = await make_customer(db)
    draft = (await as_manager.post(URL, json=draft_body(customer.id))).json()
    assert (await pay(as_manager, draft, "1.00")).status_code == 409
    inv = await issued(as_manager, db)
    for amount in ("0", "-5", "1.001"):
        r = await pay(as_manager, inv, amount)
        assert r.status_code == 422
        assert r.json()["field"] == "amount"
    future = (today() + timedelta(days=3)).isoformat()
    r = await pay(as_manager, inv, "1.00", payment_date=future)
    assert r.status_code == 422
    assert r.json()["field"] == "payment_date"


async def test_idempotency_key(as_manager: httpx.AsyncClient, db: AsyncSession) -> None:
    inv = await issued(as_manager, db)
    key = {"Idempotency-Key": "pay-abc-1"}
    first = await pay(as_manager, inv, "50.00", headers=key)
    again = await pay(as_manager, inv, "50.00", headers=key)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    n = await db.scalar(
        select(func.count()).select_from(Payment).where(Payment.invoice_id == inv["id"])
    )
    assert n == 1
    other = await pay(as_manager, inv, "60.00", headers=key)
    assert other.status_code == 422
    assert other.json()["field"] == "Idempotency-Key"


async def test_deleting_a_payment_reopens(as_admin: httpx.AsyncClient, db: AsyncSession) -> None:
    inv = await issued(as_admin, db)
    payment = (await pay(as_admin, inv, "119.00")).json()
    assert (await as_admin.get(f"{URL}/{inv['id']}")).json()["status"] == "paid"
    assert (await as_admin.delete(f"/api/v1/payments/{payment['id']}")).status_code == 204
    assert (await as_admin.get(f"{URL}/{inv['id']}")).json()["status"] == "sent"
    await assert_money_invariant(db)


async def test_deleting_a_payment_of_a_past_due_invoice_makes_it_overdue(
    as_admin: httpx.AsyncClient, db: AsyncSession
) -> None:
    inv = await issued(as_admin, db)
    payment = (await pay(as_admin, inv, "119.00")).json()
    # Issued long ago (the trigger lets status change; dates are set here only to age it).
    await db.execute(text("ALTER TABLE invoices DISABLE TRIGGER wm_invoice_guard"))
    await db.execute(
        text("UPDATE invoices SET issued_date = :d, due_date = :d WHERE id = :id"),
        {"d": today() - timedelta(days=40), "id": inv["id"]},
    )
    await db.execute(text("ALTER TABLE invoices ENABLE TRIGGER wm_invoice_guard"))
    await as_admin.delete(f"/api/v1/payments/{payment['id']}")
    assert (await as_admin.get(f"{URL}/{inv['id']}")).json()["status"] == "overdue"
    await assert_money_invariant(db)


async def test_manager_cannot_delete_payments(
    as_manager: httpx.AsyncClient, db: AsyncSession
) -> None:
    inv = await issued(as_manager, db)
    payment = (await pay(as_manager, inv, "1.00")).json()
    assert (await as_manager.delete(f"/api/v1/payments/{payment['id']}")).status_code == 403


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    cents_total=st.integers(min_value=1, max_value=10_000_00),
    cuts=st.lists(st.floats(min_value=0.01, max_value=0.99), max_size=5),
)
async def test_partial_payments_summing_to_total_leave_it_paid(
    as_manager: httpx.AsyncClient, db: AsyncSession, cents_total: int, cuts: list[float]
) -> None:
    net = Decimal(cents_total) / 100
    inv = await issued(as_manager, db, str(net))
    total = money(inv["total"])
    total_cents = int(total * 100)
    points = sorted({int(total_cents * c) for c in cuts} - {0, total_cents})
    bounds = [0, *points, total_cents]
    for lo, hi in itertools.pairwise(bounds):
        r = await pay(as_manager, inv, str(Decimal(hi - lo) / 100))
        assert r.status_code == 201, r.text
    got = (await as_manager.get(f"{URL}/{inv['id']}")).json()
    assert got["status"] == "paid"
    assert money(got["open_amount"]) == 0
    await assert_money_invariant(db)


async def test_booking_reads_no_row_back(
    as_manager: httpx.AsyncClient, db: AsyncSession, engine: AsyncEngine
) -> None:
    """The INSERT returns the payment's server defaults and carries its audit row; no SELECT of
    it follows (issue 19). Four statements: caller, invoice lock, paid and credited sums, INSERT
    with the audit row."""
    inv = await issued(as_manager, db)
    with count_statements(engine) as seen:
        r = await pay(as_manager, inv, "19.00", method="cash")
    assert r.status_code == 201, r.text
    assert r.json()["created_at"]
    assert r.json()["id"]
    statements = [" ".join(s.split()) for s in application_statements(seen)]
    inserted = next(i for i, s in enumerate(statements) if "INSERT INTO payments" in s)
    assert "RETURNING" in statements[inserted]
    assert "INSERT INTO audit_log" in statements[inserted]
    assert len(statements) == 4, statements
    assert not any("FROM payments" in s for s in statements[inserted + 1 :]), statements

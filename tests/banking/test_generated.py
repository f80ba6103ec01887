"""Matching measured on a generated statement of the demo company: automatic bookings must
be 100 % right, and most payments should need no person (README: "Bank statements")."""

from __future__ import annotations

import uuid
from collections import defaultdict
from decimal import Decimal

import httpx
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.banking import upload, zipped
from workmate import clock
from workmate.demo.banking import Invoice as DemoInvoice
from workmate.demo.banking import generate, measure
from workmate.demo.generate import build
from workmate.demo.load import load, read_context
from workmate.models import BankAccount, BankMatch, BankTransaction, CompanySettings, CustomerIban

SEED = 42
# What the README states; the test keeps it true.
MIN_RECALL = 0.80


async def demo_invoices(db: AsyncSession) -> list[DemoInvoice]:
    """The demo company's issued invoices and credit notes, all open again: the statement
    pays them the way customers would."""
    await db.execute(text("DELETE FROM payments"))
    rows = await db.execute(
        text(
            "SELECT i.id, i.number, i.kind, c.id, c.number, c.name, i.total, i.issued_date "
            "FROM invoices i JOIN customers c ON c.id = i.customer_id "
            "WHERE i.status IN ('sent', 'overdue') ORDER BY i.number"
        )
    )
    return [DemoInvoice(*row) for row in rows]


async def test_generated_statement_is_matched_right(
    as_admin: httpx.AsyncClient, db: AsyncSession
) -> None:
    conn = await db.connection()
    today = clock.today()
    ctx = await read_context(conn, today=today, now=clock.now(), password_hash="x")
    await load(conn, build(SEED, ctx), lambda _label, _n: None)
    iban = str(await db.scalar(select(CompanySettings.iban)))
    invoices = await demo_invoices(db)
    assert len(invoices) > 100
    generated = generate(SEED, iban, invoices, today=today)
    # The demo company knows its account and some customers' IBANs (demo/banking.load_demo).
    account = await db.scalar(select(BankAccount.id).where(BankAccount.iban == iban))
    known = {
        (c, i) for c, i in await db.execute(select(CustomerIban.customer_id, CustomerIban.iban))
    }
    assert set(generated.known_ibans) <= known

    r = await upload(as_admin, account, zipped(generated.camt_zip()), "demo.zip")
    assert r.status_code == 201, r.text
    assert r.json()["transactions_added"] == len(generated.truth)
    assert not [p for p in r.json()["problems"] if p["code"] in ("balance_mismatch", "gap_before")]

    booked: dict[str, list[tuple[uuid.UUID, Decimal]]] = defaultdict(list)
    rows = await db.execute(
        select(BankTransaction.bank_reference, BankMatch.invoice_id, BankMatch.amount)
        .join(BankMatch, BankMatch.transaction_id == BankTransaction.id)
        .where(BankMatch.auto.is_(True))
    )
    for ref, invoice_id, amount in rows:
        booked[ref].append((invoice_id, amount))
    m = measure(generated.truth, booked)
    print(
        f"\ngenerated statement, demo seed {SEED}: {m.transactions} transactions, "
        f"{m.paying} pay invoices or refund credit notes; booked automatically {m.booked} "
        f"({m.booked_wrong} wrong): precision {m.precision:.1%}, recall {m.recall:.1%}"
    )
    for behaviour, n in sorted(m.by_behaviour.items()):
        print(f"  {behaviour:<12} {n:>4}  automatic {m.booked_by_behaviour[behaviour]:>4}")
    assert m.booked_wrong == 0
    assert m.precision == 1.0
    assert m.recall >= MIN_RECALL

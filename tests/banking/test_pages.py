"""The banking pages in German and English: accounts, statements with their checks, the
review queue with evidence in words, confirming, searching another invoice, undo."""

from __future__ import annotations

import html
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest_asyncio
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.banking import (
    OTHER_IBAN,
    PAYER_IBAN,
    camt,
    entry,
    make_account,
    make_open_invoice,
    upload,
)
from tests.factories.identity import session_client, token_client
from tests.factories.purchases import bill_body, make_supplier
from tests.factories.records import make_customer
from workmate.models import CustomerIban, Employee, Payment, SupplierPayment
from workmate.web.routes.banking import EVIDENCE_TEXTS, NOTE_TEXTS


@pytest_asyncio.fixture
async def web(app: Any, db: AsyncSession, admin: Employee) -> AsyncIterator[httpx.AsyncClient]:
    async with await session_client(app, db, admin) as c:
        yield c


@pytest_asyncio.fixture
async def api(app: Any, db: AsyncSession, admin: Employee) -> AsyncIterator[httpx.AsyncClient]:
    async with await token_client(app, db, admin) as c:
        yield c


def test_the_pages_say_what_the_domain_says() -> None:
    from workmate.banking.evidence import TEMPLATES
    from workmate.banking.schemas import NOTES

    assert EVIDENCE_TEXTS == TEMPLATES
    assert NOTE_TEXTS == NOTES


async def queued(db: AsyncSession, api: httpx.AsyncClient) -> tuple[str, str]:
    """A partial payment waiting for review; (transaction id, invoice id)."""
    customer = await make_customer(db, name="Weber KG")
    invoice = (await make_open_invoice(db, customer, "1500.00", "RE-2026-00777")).id
    account = (await make_account(db)).id
    r = await upload(
        api,
        account,
        camt(
            [
                entry(
                    "1000.00",
                    "Anzahlung RE-2026-00777",
                    counterparty_name="WEBER KG",
                    counterparty_iban=PAYER_IBAN,
                )
            ]
        ),
    )
    assert r.status_code == 201, r.text
    listed = (await api.get("/api/v1/bank-transactions")).json()
    return listed["items"][0]["id"], str(invoice)


async def test_overview_and_statements_in_german(
    web: httpx.AsyncClient, api: httpx.AsyncClient, db: AsyncSession
) -> None:
    await queued(db, api)
    page = await web.get("/banking")
    assert page.status_code == 200
    assert "Bankkonten" in page.text
    assert "1 Umsatz wartet auf Prüfung." in page.text
    statements = await web.get("/banking/statements")
    assert "geht auf" in statements.text
    assert "1.000,00\xa0€" in statements.text


async def test_review_queue_shows_evidence_in_words(
    web: httpx.AsyncClient, api: httpx.AsyncClient, db: AsyncSession
) -> None:
    await queued(db, api)
    page = await web.get("/banking/transactions?state=review")
    assert page.status_code == 200
    assert "Rechnungsnummer RE-2026-00777 steht im Verwendungszweck" in page.text
    assert "der Betrag zahlt 1.000,00 EUR der offenen 1.500,00 EUR (Teilzahlung)" in page.text
    await web.post("/preferences/locale", data={"locale": "en", "next": "/"})
    english = await web.get("/banking/transactions?state=review")
    assert "invoice number RE-2026-00777 is in the purpose" in english.text


async def test_confirm_with_one_click_and_learn_the_iban(
    web: httpx.AsyncClient, api: httpx.AsyncClient, db: AsyncSession
) -> None:
    tx, invoice = await queued(db, api)
    detail = await web.get(f"/banking/transactions/{tx}")
    assert "IBAN DE02120300000000202051 für Weber KG merken" in detail.text
    r = await web.post(
        f"/banking/transactions/{tx}/confirm", data={"proposal": "0", "learn_iban": "on"}
    )
    assert r.status_code == 303, r.text
    paid = await db.scalar(select(func.sum(Payment.amount)).where(Payment.invoice_id == invoice))
    assert str(paid) == "1000.00"
    assert await db.scalar(select(func.count()).select_from(CustomerIban)) == 1
    again = await web.post(f"/banking/transactions/{tx}/confirm", data={"proposal": "0"})
    assert again.status_code == 409
    assert "bereits" in again.text or "already" in again.text


async def test_search_another_invoice_and_undo(
    web: httpx.AsyncClient, api: httpx.AsyncClient, db: AsyncSession
) -> None:
    tx, _ = await queued(db, api)
    other = await make_open_invoice(db, total="1000.00", number="RE-2026-00888")
    other_id = other.id
    found = await web.get(f"/banking/transactions/{tx}?q=RE-2026-00888")
    assert "RE-2026-00888" in found.text
    r = await web.post(
        f"/banking/transactions/{tx}/confirm",
        data={"invoice_id": str(other_id), "amount": "1.000,00"},
    )
    assert r.status_code == 303, r.text
    assert (
        await db.scalar(
            select(func.count()).select_from(Payment).where(Payment.invoice_id == other_id)
        )
        == 1
    )
    detail = await web.get(f"/banking/transactions/{tx}")
    assert "Zuordnung zurücknehmen" in detail.text
    undone = await web.post(f"/banking/transactions/{tx}/undo")
    assert undone.status_code == 303
    assert (
        await db.scalar(
            select(func.count()).select_from(Payment).where(Payment.invoice_id == other_id)
        )
        == 0
    )


async def test_a_bad_amount_is_said_next_to_the_form(
    web: httpx.AsyncClient, api: httpx.AsyncClient, db: AsyncSession
) -> None:
    tx, invoice = await queued(db, api)
    r = await web.post(
        f"/banking/transactions/{tx}/confirm", data={"invoice_id": invoice, "amount": "viel"}
    )
    assert r.status_code == 422
    assert "1.234,56" in r.text


async def test_employees_see_no_banking(app: Any, db: AsyncSession, employee: Employee) -> None:
    async with await session_client(app, db, employee) as client:
        assert (await client.get("/banking")).status_code == 403
        assert 'href="/banking"' not in (await client.get("/")).text


async def test_csv_mapping_is_kept_for_the_account(
    web: httpx.AsyncClient, db: AsyncSession
) -> None:
    account = (await make_account(db)).id
    page = await web.get(f"/banking/accounts/{account}")
    assert "CSV-Spalten" in page.text
    bad = await web.post(f"/banking/accounts/{account}/mapping", data={"purpose": "Text"})
    assert bad.status_code == 422
    r = await web.post(
        f"/banking/accounts/{account}/mapping",
        data={"booking_date": "Datum", "amount": "Summe", "purpose": "Text", "decimal_comma": "on"},
    )
    assert r.status_code == 303, r.text
    from workmate.models import BankAccount

    saved = await db.scalar(select(BankAccount.csv_mapping).where(BankAccount.id == account))
    assert saved is not None
    assert saved["amount"] == "Summe"
    preset = await web.post(f"/banking/accounts/{account}/mapping", data={"preset": "ing"})
    assert preset.status_code == 303


async def test_bill_proposals_in_german_confirm_and_undo(
    web: httpx.AsyncClient, api: httpx.AsyncClient, db: AsyncSession
) -> None:
    supplier = await make_supplier(api, iban=OTHER_IBAN)
    bill = (
        await api.post("/api/v1/supplier-bills", json=bill_body(supplier["id"]))
    ).json()  # 172.50 due
    account = (await make_account(db)).id
    r = await upload(
        api,
        account,
        camt(
            [
                entry(
                    "-100.00",
                    "Abschlag RE-2026-0815",
                    counterparty_name="Papier Müller GmbH",
                    counterparty_iban=OTHER_IBAN,
                )
            ]
        ),
    )
    assert r.json()["matching"]["in_review"] == 1, r.text
    tx = (await api.get("/api/v1/bank-transactions")).json()["items"][0]["id"]
    queue = await web.get("/banking/transactions?state=review")
    assert (
        "die Rechnungsnummer RE-2026-0815 des Lieferanten steht im Verwendungszweck" in queue.text
    )
    assert "der Betrag zahlt 100,00 EUR der offenen 172,50 EUR (Teilzahlung)" in queue.text
    assert f"die IBAN {OTHER_IBAN} des Empfängers ist für den Lieferanten" in queue.text
    detail = await web.get(f"/banking/transactions/{tx}")
    assert f'Eingangsrechnung <a href="/purchases/bills/{bill["id"]}">{bill["number"]}</a>' in (
        detail.text
    )
    assert "Rechnung RE-2026-0815 von Papier Müller GmbH" in detail.text
    confirmed = await web.post(f"/banking/transactions/{tx}/confirm", data={"proposal": "0"})
    assert confirmed.status_code == 303, confirmed.text
    booked = await web.get(f"/banking/transactions/{tx}")
    assert "Zahlung der Eingangsrechnung" in booked.text
    paid = await db.scalar(
        select(func.sum(SupplierPayment.amount)).where(SupplierPayment.bill_id == bill["id"])
    )
    assert str(paid) == "100.00"
    undone = await web.post(f"/banking/transactions/{tx}/undo")
    assert undone.status_code == 303
    assert await db.scalar(select(func.count()).select_from(SupplierPayment)) == 0
    await web.post("/preferences/locale", data={"locale": "en", "next": "/"})
    english = await web.get("/banking/transactions?state=review")
    assert "the supplier's invoice number RE-2026-0815 is in the purpose" in html.unescape(
        english.text
    )


async def test_search_a_supplier_bill_and_book_it(
    web: httpx.AsyncClient, api: httpx.AsyncClient, db: AsyncSession
) -> None:
    supplier = await make_supplier(api, iban=OTHER_IBAN)
    bill = (await api.post("/api/v1/supplier-bills", json=bill_body(supplier["id"]))).json()
    account = (await make_account(db)).id
    await upload(api, account, camt([entry("-72.50", "Sammelzahlung")]))
    tx = (await api.get("/api/v1/bank-transactions")).json()["items"][0]["id"]
    found = await web.get(f"/banking/transactions/{tx}?q=Papier")
    assert "Auf eine Gutschrift oder Eingangsrechnung buchen" in found.text
    assert f'<a href="/purchases/bills/{bill["id"]}">{bill["number"]}</a> (RE-2026-0815)' in (
        found.text
    )
    assert f'name="bill_id" value="{bill["id"]}"' in found.text
    too_much = await web.post(
        f"/banking/transactions/{tx}/confirm", data={"bill_id": bill["id"], "amount": "80,00"}
    )
    assert too_much.status_code == 422
    r = await web.post(
        f"/banking/transactions/{tx}/confirm", data={"bill_id": bill["id"], "amount": "72,50"}
    )
    assert r.status_code == 303, r.text
    paid = await db.scalar(
        select(func.sum(SupplierPayment.amount)).where(SupplierPayment.bill_id == bill["id"])
    )
    assert str(paid) == "72.50"

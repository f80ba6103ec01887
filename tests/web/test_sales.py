"""Sales pages: e-mail an invoice from its page, mark it sent by post, the outbox page."""

from __future__ import annotations

from decimal import Decimal

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.einvoice import L, make_buyer, make_issued_invoice, make_seller
from workmate.models import OutboxMessage


async def _invoice(db: AsyncSession) -> object:
    await make_seller(db)
    customer = await make_buyer(db, email="einkauf@kunde.example")
    return await make_issued_invoice(db, [L("Beratung", Decimal(2), Decimal(100))], customer)


async def test_send_from_the_invoice_page_queues_one_message(
    web_admin: httpx.AsyncClient, db: AsyncSession
) -> None:
    invoice = await _invoice(db)
    page = await web_admin.get(f"/invoices/{invoice.id}")  # type: ignore[attr-defined]
    assert "Per E-Mail senden" in page.text
    assert "Noch nicht versendet" in page.text
    response = await web_admin.post(
        f"/invoices/{invoice.id}/email",  # type: ignore[attr-defined]
        data={"to": "", "cc": "chef@kunde.example", "language": ""},
    )
    assert response.status_code == 303, response.text
    page = await web_admin.get(response.headers["location"])
    assert "Die E-Mail liegt im Postausgang." in page.text
    assert "kein Mailserver eingerichtet" in page.text
    message = await db.scalar(select(OutboxMessage))
    assert message is not None
    assert (message.to_addresses, message.cc_addresses) == (
        ["einkauf@kunde.example"],
        ["chef@kunde.example"],
    )
    outbox = await web_admin.get("/sales/outbox")
    assert outbox.status_code == 200
    assert "Postausgang" in outbox.text
    assert "wartet" in outbox.text
    assert "einkauf@kunde.example" in outbox.text


async def test_bad_address_is_shown_next_to_the_field(
    web_admin: httpx.AsyncClient, db: AsyncSession
) -> None:
    invoice = await _invoice(db)
    await db.commit()
    response = await web_admin.post(
        f"/invoices/{invoice.id}/email",  # type: ignore[attr-defined]
        data={"to": "not-an-address", "cc": "", "language": ""},
    )
    assert response.status_code == 422
    assert 'id="e-to"' in response.text


async def test_sent_by_post_on_the_page(web_admin: httpx.AsyncClient, db: AsyncSession) -> None:
    invoice = await _invoice(db)
    response = await web_admin.post(f"/invoices/{invoice.id}/posted")  # type: ignore[attr-defined]
    assert response.status_code == 303
    page = await web_admin.get(response.headers["location"])
    assert "per Post versendet" in page.text


async def test_an_employee_sees_no_outbox(web_employee: httpx.AsyncClient) -> None:
    response = await web_employee.get("/sales/outbox")
    assert response.status_code == 403


async def test_quote_pages_create_issue_accept_and_bill(
    web_admin: httpx.AsyncClient, db: AsyncSession
) -> None:
    await make_seller(db)
    customer = await make_buyer(db)
    listing = await web_admin.get("/sales/quotes")
    assert listing.status_code == 200
    assert "Neues Angebot" in listing.text
    created = await web_admin.post(
        "/sales/quotes",
        data={
            "customer_id": str(customer.id),
            "title": "Relaunch",
            "valid_until": "",
            "description": "Konzeption",
            "quantity": "10",
            "unit_price": "1.000,00",
            "vat_rate": "19",
        },
    )
    assert created.status_code == 303, created.text
    target = created.headers["location"]
    for action in ("issue", "accept"):
        response = await web_admin.post(f"{target}/{action}")
        assert response.status_code == 303, response.text
    page = await web_admin.get(target)
    assert "angenommen" in page.text
    assert "11.900,00\xa0€" in page.text
    down = await web_admin.post(f"{target}/down-payment", data={"share": "30"})
    assert down.status_code == 303
    page = await web_admin.get(target)
    assert "Rechnungen zu diesem Angebot" in page.text


async def test_quote_form_refusal_names_the_field(
    web_admin: httpx.AsyncClient, db: AsyncSession
) -> None:
    response = await web_admin.post(
        "/sales/quotes",
        data={"customer_id": "", "description": "x", "quantity": "eins", "unit_price": "1"},
    )
    assert response.status_code == 422
    assert 'id="e-quantity"' in response.text


async def test_recurring_page_creates_a_template(
    web_admin: httpx.AsyncClient, db: AsyncSession
) -> None:
    customer = await make_buyer(db)
    response = await web_admin.post(
        "/sales/recurring",
        data={
            "customer_id": str(customer.id),
            "title": "Hosting",
            "interval": "monthly",
            "first_date": "2026-01-01",
            "end_date": "",
            "mode": "draft",
            "description": "Hosting",
            "quantity": "1",
            "unit_price": "49,00",
            "vat_rate": "19",
        },
    )
    assert response.status_code == 303, response.text
    page = await web_admin.get("/sales/recurring")
    assert "Hosting" in page.text
    assert "monatlich" in page.text


async def test_dunning_page_proposes_and_writes_letters(
    web_admin: httpx.AsyncClient, db: AsyncSession
) -> None:
    from datetime import timedelta

    from workmate import clock

    await make_seller(db)
    customer = await make_buyer(db, email="ap@kunde.example")
    invoice = await make_issued_invoice(
        db,
        [L("Beratung", Decimal(1), Decimal(500))],
        customer,
        issued_date=clock.today() - timedelta(days=40),
    )
    page = await web_admin.get("/sales/dunning")
    assert page.status_code == 200
    assert "Zahlungserinnerung" in page.text
    response = await web_admin.post(
        "/sales/dunning", data={"invoice_id": str(invoice.id), "channel": "print"}
    )
    assert response.status_code == 303, response.text
    page = await web_admin.get(response.headers["location"])
    assert "1 Schreiben erstellt." in page.text
    assert "Es sind keine Schreiben fällig." in page.text


async def test_dunning_stop_from_the_invoice_page(
    web_admin: httpx.AsyncClient, db: AsyncSession
) -> None:
    invoice = await _invoice(db)
    page = await web_admin.get(f"/invoices/{invoice.id}")  # type: ignore[attr-defined]
    assert "Mahnsperre für diesen Kunden" in page.text
    response = await web_admin.post(
        f"/invoices/{invoice.id}/dunning-stop/customer/on"  # type: ignore[attr-defined]
    )
    assert response.status_code == 303
    page = await web_admin.get(f"/invoices/{invoice.id}")  # type: ignore[attr-defined]
    assert "Mahnsperre des Kunden aufheben" in page.text


async def test_mail_texts_are_edited_on_their_page(
    web_admin: httpx.AsyncClient, db: AsyncSession
) -> None:
    page = await web_admin.get("/sales/templates")
    assert page.status_code == 200
    assert "Rechnung {number} von {company}" in page.text
    saved = await web_admin.post(
        "/sales/templates/invoice/de",
        data={"subject": "Ihre Rechnung {number}", "body": "Betrag: {amount}"},
    )
    assert saved.status_code == 303, saved.text
    page = await web_admin.get(saved.headers["location"])
    assert "Ihre Rechnung {number}" in page.text
    await db.commit()
    refused = await web_admin.post(
        "/sales/templates/invoice/en", data={"subject": "x", "body": "{password}"}
    )
    assert refused.status_code == 422
    assert "Unbekannter Platzhalter {password}" in refused.text

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

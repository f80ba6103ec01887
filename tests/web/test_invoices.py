"""Invoice pages: detail, issue and payments go through the invoice and payment services."""

from __future__ import annotations

import re
from datetime import date

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.invoicing import make_company_settings
from tests.factories.records import make_invoice
from workmate.models import Invoice


async def test_detail_shows_lines_and_totals(
    web_admin: httpx.AsyncClient, db: AsyncSession
) -> None:
    invoice = await make_invoice(db)
    page = await web_admin.get(f"/invoices/{invoice.id}")
    assert page.status_code == 200, page.text
    assert "Beratung" in page.text
    assert "119,00\xa0€" in page.text
    assert "Ausstellen" in page.text


async def test_issue_a_draft(web_admin: httpx.AsyncClient, db: AsyncSession) -> None:
    await make_company_settings(db)
    invoice = await make_invoice(db, service_start=date(2026, 3, 1), service_end=date(2026, 3, 31))
    response = await web_admin.post(f"/invoices/{invoice.id}/issue")
    assert response.status_code == 303, response.text
    page = await web_admin.get(response.headers["location"])
    assert "Rechnung ausgestellt." in page.text
    await db.refresh(invoice)
    assert invoice.status == "sent"
    assert invoice.number is not None
    assert invoice.number in page.text


async def test_issue_refusal_is_shown(web_admin: httpx.AsyncClient, db: AsyncSession) -> None:
    invoice = await make_invoice(db, issued=True)
    await db.commit()  # the refusal rolls its request back; the fixtures must survive it
    response = await web_admin.post(f"/invoices/{invoice.id}/issue")
    assert response.status_code == 409
    assert 'role="alert"' in response.text


async def test_two_partial_payments_make_it_paid(
    web_admin: httpx.AsyncClient, db: AsyncSession
) -> None:
    invoice = await make_invoice(db, issued=True)
    page = (await web_admin.get(f"/invoices/{invoice.id}")).text
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page)
    assert key
    first = await web_admin.post(
        f"/invoices/{invoice.id}/payments",
        data={"amount": "100,00", "method": "bank_transfer", "idempotency_key": key[1]},
    )
    assert first.status_code == 303, first.text
    # A resent form (same key) books nothing twice.
    again = await web_admin.post(
        f"/invoices/{invoice.id}/payments",
        data={"amount": "100,00", "method": "bank_transfer", "idempotency_key": key[1]},
    )
    assert again.status_code == 303
    second = await web_admin.post(
        f"/invoices/{invoice.id}/payments", data={"amount": "19,00", "method": "cash"}
    )
    assert second.status_code == 303, second.text
    await db.refresh(invoice)
    assert invoice.status == "paid"
    page = (await web_admin.get(f"/invoices/{invoice.id}")).text
    assert "bezahlt" in page
    assert "Überweisung" in page


async def test_payment_errors_next_to_the_field(
    web_admin: httpx.AsyncClient, db: AsyncSession
) -> None:
    invoice = await make_invoice(db, issued=True)
    bad = await web_admin.post(f"/invoices/{invoice.id}/payments", data={"amount": "zwölf"})
    assert bad.status_code == 422
    assert 'id="e-amount"' in bad.text
    assert 'value="zwölf"' in bad.text
    await db.commit()
    too_much = await web_admin.post(f"/invoices/{invoice.id}/payments", data={"amount": "500,00"})
    assert too_much.status_code == 422
    assert "error" in too_much.text
    refreshed = await db.get(Invoice, invoice.id)
    assert refreshed is not None


async def test_employee_cannot_open_invoices(
    web_employee: httpx.AsyncClient, db: AsyncSession
) -> None:
    invoice = await make_invoice(db)
    assert (await web_employee.get(f"/invoices/{invoice.id}")).status_code == 403


async def test_draft_editor_adds_and_removes_items(
    web_admin: httpx.AsyncClient, db: AsyncSession
) -> None:
    invoice = await make_invoice(db)
    response = await web_admin.post(
        f"/invoices/{invoice.id}/lines",
        data={
            "description": "Schulung",
            "quantity": "2,5",
            "unit": "HUR",
            "unit_price": "1.000,00",
            "vat_rate": "19",
            "discount_percent": "",
        },
    )
    assert response.status_code == 303, response.text
    page = (await web_admin.get(f"/invoices/{invoice.id}")).text
    assert "Schulung" in page
    assert "2.500,00\xa0€" in page  # 2,5 h x 1.000,00 €
    assert "2,50 Std." in page
    await db.refresh(invoice)
    assert str(invoice.net_total) == "2600.00"
    line_id = re.search(r"/lines/([0-9a-f-]{36})/delete", page)
    assert line_id
    removed = await web_admin.post(f"/invoices/{invoice.id}/lines/{line_id[1]}/delete")
    assert removed.status_code == 303


async def test_item_errors_inline(web_admin: httpx.AsyncClient, db: AsyncSession) -> None:
    invoice = await make_invoice(db)
    response = await web_admin.post(
        f"/invoices/{invoice.id}/lines",
        data={"description": "", "quantity": "eins", "unit_price": "5", "vat_rate": "16"},
    )
    assert response.status_code == 422
    assert 'id="e-description"' in response.text
    assert 'id="e-quantity"' in response.text


async def test_credit_note_cancels_an_issued_invoice(
    web_admin: httpx.AsyncClient, db: AsyncSession
) -> None:
    await make_company_settings(db)
    invoice = await make_invoice(db, issued=True)
    response = await web_admin.post(f"/invoices/{invoice.id}/credit-note")
    assert response.status_code == 303, response.text
    note_page = (await web_admin.get(response.headers["location"])).text
    assert "Gutschrift" in note_page
    await db.refresh(invoice)
    assert invoice.status == "cancelled"


async def test_partial_credit_note_from_the_invoice_page(
    web_admin: httpx.AsyncClient, db: AsyncSession
) -> None:
    await make_company_settings(db)
    invoice = await make_invoice(db, issued=True)
    page = (await web_admin.get(f"/invoices/{invoice.id}")).text
    assert "Teilgutschrift" in page
    line_id = re.search(r'name="(qty-[0-9a-f-]+)"', page)
    assert line_id is not None
    too_much = await web_admin.post(
        f"/invoices/{invoice.id}/credit-notes", data={line_id.group(1): "1,5"}
    )
    assert too_much.status_code == 422, too_much.text
    assert "höchstens" in too_much.text
    empty = await web_admin.post(f"/invoices/{invoice.id}/credit-notes", data={})
    assert empty.status_code == 422
    assert "Bitte eine gutzuschreibende Menge" in empty.text
    response = await web_admin.post(
        f"/invoices/{invoice.id}/credit-notes",
        data={
            line_id.group(1): "0,5",
            "credit_description": "Nachlass",
            "credit_amount": "10,00",
            "credit_vat_rate": "19",
            "credit_reason": "Reklamation",
        },
    )
    assert response.status_code == 303, response.text
    note_page = (await web_admin.get(response.headers["location"])).text
    assert "Gutschrift" in note_page
    assert "71,40\xa0€" in note_page  # (50.00 + 10.00) x 1.19
    original = (await web_admin.get(f"/invoices/{invoice.id}")).text
    assert "Gutgeschrieben" in original
    assert "47,60\xa0€" in original  # open: 119.00 - 71.40
    assert "Mit Gutschrift stornieren" not in original

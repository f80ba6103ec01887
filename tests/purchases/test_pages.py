"""Purchases pages as a browser sends them: the list, the readable e-invoice view in both
languages, typing in a paper invoice and paying it with German amounts."""

from __future__ import annotations

import html
import re
from typing import Any

import httpx
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.identity import session_client
from tests.factories.purchases import make_supplier, upload_path
from tests.purchases.conftest import FIXTURES
from workmate.models import Employee


async def browser(app: Any, db: AsyncSession, who: Employee) -> httpx.AsyncClient:
    client = await session_client(app, db, who)
    return client


def csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found
    return found.group(1)


async def test_readable_view_in_german_and_english(
    app: Any, db: AsyncSession, manager: Employee
) -> None:
    async with await browser(app, db, manager) as c:
        r = await upload_path(c, FIXTURES / "xrechnung" / "01.01a-INVOICE_uncefact.xml")
        assert r.status_code == 201, r.text
        page = await c.get(f"/purchases/incoming/{r.json()['id']}")
        assert page.status_code == 200
        seller = r.json()["data"]["seller"]
        assert html.escape(seller["name"]) in page.text
        assert "Aufschlüsselung der Umsatzsteuer" in page.text
        assert "IBAN" in page.text
        assert f"/api/v1/incoming-invoices/{r.json()['id']}/xml" in page.text
        listed = await c.get("/purchases")
        assert "01.01a-INVOICE_uncefact.xml" in listed.text
        await db.execute(update(Employee).where(Employee.id == manager.id).values(locale="en"))
        english = await c.get(f"/purchases/incoming/{r.json()['id']}")
        assert "VAT breakdown" in english.text


async def test_findings_show_german_meaning_and_reply(
    app: Any, db: AsyncSession, manager: Employee
) -> None:
    data = (FIXTURES / "en16931-cii" / "CII_example1.xml").read_text(encoding="utf-8")
    data = re.sub(r"<ram:GrandTotalAmount>[^<]*<", "<ram:GrandTotalAmount>99999.99<", data, count=1)
    async with await browser(app, db, manager) as c:
        r = await c.post(
            "/api/v1/incoming-invoices", files={"file": ("kaputt.xml", data.encode(), "text/xml")}
        )
        page = await c.get(f"/purchases/incoming/{r.json()['id']}")
        assert "BR-CO-15" in page.text
        assert "Bruttobetrag (BT-112)" in page.text
        assert "Antwort an den Lieferanten" in page.text
        assert "Sehr geehrte Damen und Herren" in page.text


async def test_type_in_and_pay_a_paper_invoice(
    app: Any, db: AsyncSession, manager: Employee, as_manager: httpx.AsyncClient
) -> None:
    supplier = await make_supplier(as_manager)
    async with await browser(app, db, manager) as c:
        form = await c.get("/purchases/bills")
        assert form.status_code == 200
        token = csrf(form.text)
        r = await c.post(
            "/purchases/bills",
            data={
                "csrf_token": token,
                "supplier_id": supplier["id"],
                "invoice_number": "P-77",
                "invoice_date": "2026-03-03",
                "category": "service",
                "net_19": "1.000,00",
                "net_7": "10,00",
            },
        )
        assert r.status_code == 303, r.text[:2000]
        bill_url = r.headers["location"]
        page = await c.get(bill_url)
        assert "1.200,70" in page.text  # 1,000 + 190 + 10 + 0.70
        paid = await c.post(
            f"{bill_url}/payments",
            data={
                "csrf_token": token,
                "amount": "200,70",
                "payment_date": "2026-03-10",
                "method": "bank_transfer",
            },
        )
        assert paid.status_code == 303
        too_much = await c.post(
            f"{bill_url}/payments",
            data={
                "csrf_token": token,
                "amount": "1.000,01",
                "payment_date": "2026-03-11",
                "method": "bank_transfer",
            },
        )
        assert too_much.status_code == 422
        assert "1000.00" in too_much.text or "1.000,00" in too_much.text
        again = await c.post(
            "/purchases/bills",
            data={
                "csrf_token": token,
                "supplier_id": supplier["id"],
                "invoice_number": "p-77",
                "invoice_date": "2026-03-03",
                "category": "service",
                "net_19": "5",
            },
        )
        assert again.status_code == 422
        assert "already booked" in again.text or "bereits" in again.text


async def test_employee_may_hand_in_but_not_see_bills(
    app: Any, db: AsyncSession, employee: Employee
) -> None:
    async with await browser(app, db, employee) as c:
        assert (await c.get("/purchases")).status_code == 200
        assert (await c.get("/purchases/bills")).status_code == 403

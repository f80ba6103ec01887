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


async def test_suppliers_page_adds_a_supplier_and_makes_one_a_customer(
    app: Any, db: AsyncSession, admin: Employee, engine: Any
) -> None:
    """A paper invoice from someone new no longer needs the API: the supplier is added on a
    form (German refusals at the field), and a supplier can become a customer to be billed.
    The page costs the same statements for one supplier as for six."""
    from tests.web.test_page_queries import statements

    async with await browser(app, db, admin) as c:
        page = await c.get("/purchases/suppliers")
        assert page.status_code == 200
        assert "Noch keine Lieferanten." in page.text
        token = csrf(page.text)
        bad = await c.post(
            "/purchases/suppliers",
            data={"csrf_token": token, "name": "", "iban": "DE00 1234", "country": ""},
        )
        assert bad.status_code == 422
        assert 'aria-describedby="e-name"' in bad.text
        assert 'aria-describedby="e-iban"' in bad.text
        assert "Input should" not in bad.text
        ok = await c.post(
            "/purchases/suppliers",
            data={
                "csrf_token": token,
                "name": "Papier Müller GmbH",
                "city": "Berlin",
                "country": "",
                "iban": "DE89 3704 0044 0532 0130 00",
            },
        )
        assert ok.status_code == 303, ok.text
        with statements(engine) as seen:
            one = await c.get("/purchases/suppliers")
        few = len(seen)
        assert "Papier Müller GmbH" in one.text
        assert "Auch als Kunden führen" in one.text
        bills = await c.get("/purchases/bills")
        assert "Papier Müller GmbH" in bills.text  # offered on the paper-invoice form
        for n in range(5):
            await make_supplier(c, name=f"Lieferant {n}", vat_id=None)
        with statements(engine) as seen:
            six = await c.get("/purchases/suppliers")
        assert six.status_code == 200
        assert len(seen) == few
        supplier_id = re.search(r"/purchases/suppliers/([0-9a-f-]+)/customer", six.text)
        assert supplier_id
        made = await c.post(
            f"/purchases/suppliers/{supplier_id.group(1)}/customer", data={"csrf_token": token}
        )
        assert made.status_code == 303, made.text
        assert "auch Kunde" in (await c.get("/purchases/suppliers")).text

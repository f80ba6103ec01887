"""Receiving supplier invoices in Chromium: several files dropped at once (one refused as a
duplicate), the list, the readable view of an e-invoice, the supplier bills."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.e2e.conftest import log_in, make_user

pytestmark = pytest.mark.e2e
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "einvoice"
FILES = [
    FIXTURES / "xrechnung" / "03.01a-INVOICE_ubl.xml",
    FIXTURES / "xrechnung" / "02.01a-INVOICE_uncefact.xml",
    FIXTURES / "zugferd" / "EN16931_Rabatte.pdf",
]


async def test_drop_several_invoices_read_one_see_the_bills(
    page: Any, live_db: AsyncSession, screenshots: Path
) -> None:
    from playwright.async_api import expect

    user = await make_user(live_db, "Admin")
    await log_in(page, user)
    await page.goto("/purchases")
    await expect(page.get_by_role("heading", name="Empfangene Rechnungen")).to_be_visible()
    # Three invoices and the first one again: the copy is refused, the others arrive.
    await page.locator("[data-file-input]").set_input_files([*map(str, FILES), str(FILES[0])])
    failures = page.locator("[data-upload-failures] li")
    await expect(failures).to_have_count(1, timeout=60_000)
    await expect(failures.first).to_contain_text("03.01a-INVOICE_ubl.xml")
    await page.get_by_role("link", name="Empfangene Dateien anzeigen").click()
    rows = page.locator("table tbody tr")
    await expect(rows).to_have_count(3)
    await page.screenshot(path=str(screenshots / "purchases-list.png"), full_page=True)

    await page.get_by_role("link", name="EN16931_Rabatte.pdf").click()
    await expect(
        page.get_by_role("heading", name="Aufschlüsselung der Umsatzsteuer")
    ).to_be_visible()
    await expect(page.get_by_text("Lieferant (Verkäufer)")).to_be_visible()
    await expect(page.get_by_role("link", name="XML-Rohdaten")).to_be_visible()
    await expect(page.get_by_text("bestanden")).to_be_visible()
    await page.screenshot(path=str(screenshots / "purchases-invoice.png"), full_page=True)

    await page.goto("/purchases/bills")
    await expect(page.locator("table tbody tr")).to_have_count(3)
    await expect(page.get_by_text("ER-", exact=False).first).to_be_visible()


async def test_add_a_supplier_then_type_in_its_paper_invoice(
    page: Any, live_db: AsyncSession, screenshots: Path
) -> None:
    """A paper invoice from a new supplier, all in the browser: add the supplier (a bad IBAN
    is refused at its field in German), then it is offered on the bill form."""
    from playwright.async_api import expect

    user = await make_user(live_db, "Admin")
    await log_in(page, user)
    await page.goto("/purchases/bills")
    await page.get_by_role("link", name="Lieferanten").first.click()
    await expect(page.get_by_role("heading", name="Lieferanten")).to_be_visible()
    await page.get_by_label("Name").fill("Druckerei Sonnenschein KG")
    await page.get_by_label("Ort").fill("Leipzig")
    await page.get_by_label("IBAN").fill("DE00 1234")
    await page.get_by_role("button", name="Speichern").click()
    await expect(page.locator("#e-iban")).to_be_visible()
    await page.screenshot(path=str(screenshots / "suppliers-refused.png"), full_page=True)
    await page.get_by_label("IBAN").fill("DE89 3704 0044 0532 0130 00")
    await page.get_by_role("button", name="Speichern").click()
    # The notice, not the header timer (an <output>, also a status) of another test.
    await expect(page.locator("p.notice")).to_contain_text("Gespeichert")
    await expect(page.get_by_role("cell", name="Druckerei Sonnenschein KG")).to_be_visible()
    await page.screenshot(path=str(screenshots / "suppliers.png"), full_page=True)
    await page.goto("/purchases/bills")
    await expect(page.locator("#f-supplier_id")).to_contain_text("Druckerei Sonnenschein KG")

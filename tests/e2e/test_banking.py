"""Bank statements in Chromium: upload a camt.053 file, see the checks, confirm a proposal in
the review queue with its evidence, undo the match."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from schwifty import IBAN
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.e2e.conftest import log_in, make_user
from tests.factories.banking import camt, entry, make_account, make_open_invoice
from tests.factories.records import make_customer
from workmate.models import Payment

pytestmark = pytest.mark.e2e


async def test_upload_review_confirm_undo(
    page: Any, live_db: AsyncSession, screenshots: Path
) -> None:
    from playwright.async_api import expect

    number = f"RE-2098-{uuid.uuid4().int % 10**5:05d}"
    customer = await make_customer(live_db, name=f"Browser {uuid.uuid4().hex[:6]} GmbH")
    invoice = await make_open_invoice(live_db, customer, "2380.00", number)
    iban = str(
        IBAN.generate(
            "DE", bank_code="37040044", account_code=str(uuid.uuid4().int % 10**10)
        ).compact
    )
    await make_account(live_db, iban=iban, name=f"Konto {number}")
    await live_db.commit()
    invoice_id = invoice.id
    user = await make_user(live_db, "Admin")
    await log_in(page, user)

    await page.goto("/banking")
    await page.get_by_label("Konto", exact=True).select_option(label=f"Konto {number} · {iban}")
    data = camt(
        [entry("1000.00", f"Anzahlung {number}", counterparty_name="BROWSER GMBH")], iban=iban
    )
    await page.get_by_label("Auszugsdatei").set_input_files(
        {"name": "auszug.xml", "mimeType": "application/xml", "buffer": data}
    )
    await page.get_by_role("button", name="Importieren").click()
    await page.wait_for_url("**/banking/statements?file=*")
    await expect(page.get_by_text("geht auf").first).to_be_visible()
    await page.screenshot(path=str(screenshots / "banking-statements.png"), full_page=True)

    await page.goto(f"/banking/transactions?state=review&q={number}")
    await expect(
        page.get_by_text(f"Rechnungsnummer {number} steht im Verwendungszweck")
    ).to_be_visible()
    await expect(page.get_by_text("(Teilzahlung)")).to_be_visible()
    await page.screenshot(path=str(screenshots / "banking-review.png"), full_page=True)
    await page.get_by_role("button", name="Bestätigen").first.click()
    await expect(page.get_by_text("Nichts wartet auf Prüfung.")).to_be_visible()
    paid = await live_db.scalar(
        select(func.count()).select_from(Payment).where(Payment.invoice_id == invoice_id)
    )
    assert paid == 1

    await page.goto(f"/banking/transactions?state=matched&q={number}")
    await page.get_by_role("link", name="BROWSER GMBH").click()
    await page.get_by_role("button", name="Zuordnung zurücknehmen").click()
    await page.get_by_role("dialog").get_by_role("button", name="Zuordnung zurücknehmen").click()
    await expect(page.get_by_role("heading", name="Vorschläge")).to_be_visible()
    await page.screenshot(path=str(screenshots / "banking-detail.png"), full_page=True)
    live_db.expire_all()
    paid = await live_db.scalar(
        select(func.count()).select_from(Payment).where(Payment.invoice_id == invoice_id)
    )
    assert paid == 0

"""The office day in Chromium: customer, project, timer, invoice from time, issue, PDF,
two partial payments, paid."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.e2e.conftest import log_in, make_user

pytestmark = pytest.mark.e2e


async def test_from_customer_to_paid_invoice(
    page: Any, live_db: AsyncSession, screenshots: Path
) -> None:
    from playwright.async_api import expect

    from tests.factories.invoicing import make_company_settings
    from workmate.models import TimeEntry

    await make_company_settings(live_db)
    await live_db.commit()
    user = await make_user(live_db, "Admin")
    await log_in(page, user)

    # Customer and project through the forms.
    await page.goto("/customers/new")
    await page.get_by_label("Name").fill("Ablauf Test GmbH")
    await page.get_by_label("Straße").fill("Hauptstraße 5")
    await page.get_by_label("PLZ").fill("50667")
    await page.get_by_label("Ort").fill("Köln")
    await page.get_by_role("button", name="Speichern").click()
    await page.get_by_role("link", name="Neues Projekt").click()
    await page.get_by_label("Titel").fill("Ablauf Webshop")
    await page.get_by_label("Status").select_option("in_progress")
    await page.get_by_label("Stundensatz (netto, EUR)").fill("95,00")
    await page.get_by_role("button", name="Speichern").click()
    await page.get_by_role("heading", name="Ablauf Webshop").wait_for()
    project_id = page.url.rsplit("/", 1)[-1]

    # The timer runs for a while...
    timer = page.get_by_role("group", name="Zeiterfassung")
    await timer.get_by_label("Projekt").select_option(label="Ablauf Test GmbH · Ablauf Webshop")
    await timer.get_by_role("button", name="Start").click()
    await expect(timer.locator("[data-elapsed]")).not_to_have_text("0:00:00")
    await timer.get_by_role("button", name="Stopp").click()
    await timer.get_by_role("button", name="Start").wait_for()
    # ...and the morning's two hours were booked earlier (seconds of timer bill nothing).
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=5)
    live_db.add(
        TimeEntry(
            employee_id=user.id,
            project_id=project_id,
            start_time=start,
            end_time=start + timedelta(hours=2),
        )
    )
    await live_db.commit()

    # Invoice from the recorded time, then issue it.
    await page.get_by_role("link", name="Rechnungen").click()
    await page.get_by_text("Neue Rechnung aus erfassten Zeiten").click()
    await page.get_by_label("Projekt", exact=True).last.select_option(
        label="Ablauf Test GmbH · Ablauf Webshop"
    )
    await page.get_by_role("button", name="Entwurf anlegen").click()
    await page.get_by_role("button", name="Ausstellen").wait_for()
    # One more item in the draft editor; its amount shows while typing.
    await page.get_by_label("Beschreibung").fill("Anfahrt")
    await page.get_by_label("Einheit").select_option("LS")
    await page.get_by_label("Einzelpreis").fill("50,00")
    await expect(page.locator("[data-preview]")).to_contain_text("50,00")
    await page.screenshot(path=str(screenshots / "invoice-draft.png"), full_page=True)
    await page.get_by_role("button", name="Position hinzufügen").click()
    await page.get_by_role("cell", name="Anfahrt").wait_for()
    await page.get_by_role("button", name="Ausstellen").click()
    # Issuing asks first, in the page's own dialog: Cancel keeps the draft ...
    question = page.get_by_role("dialog")
    await expect(question).to_contain_text("Rechnung ausstellen?")
    await page.screenshot(path=str(screenshots / "confirm-issue.png"))
    await question.get_by_role("button", name="Abbrechen").click()
    await expect(question).to_have_count(0)
    await expect(page.locator("h1 .badge")).to_have_text("Entwurf")
    # ... and the dialog's own "Issue" button goes ahead.
    await page.get_by_role("button", name="Ausstellen").click()
    await page.get_by_role("dialog").get_by_role("button", name="Ausstellen").click()
    await page.get_by_text("Rechnung ausgestellt.").wait_for()

    # The PDF downloads.
    async with page.expect_download() as download_info:
        await page.get_by_role("link", name="PDF herunterladen").click()
    download = await download_info.value
    pdf = await asyncio.to_thread(Path(await download.path()).read_bytes)
    assert pdf.startswith(b"%PDF")

    # Two partial payments.
    await page.get_by_label(re.compile(r"^Betrag")).fill("100,00")
    await page.get_by_role("button", name="Zahlung erfassen").click()
    await page.get_by_text("Zahlung erfasst.").wait_for()
    open_row = page.locator("tfoot tr").last
    open_amount = re.sub(r"[^\d,.]", "", await open_row.locator("td").inner_text())
    await page.get_by_label(re.compile(r"^Betrag")).fill(open_amount)
    await page.get_by_role("button", name="Zahlung erfassen").click()
    await page.get_by_text("Zahlung erfasst.").wait_for()
    await expect(page.locator("h1 .badge")).to_have_text("bezahlt")
    await page.screenshot(path=str(screenshots / "invoice-paid.png"), full_page=True)
    await page.get_by_role("link", name="Rechnungen").click()
    await page.screenshot(path=str(screenshots / "invoices.png"), full_page=True)
    await page.goto("/time/report")
    await page.get_by_role("img", name="Stunden pro Projekt").wait_for()
    await page.screenshot(path=str(screenshots / "time-report.png"), full_page=True)

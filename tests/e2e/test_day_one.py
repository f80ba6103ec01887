"""Day one in Chromium, in German: the dead ends a new firm used to hit."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.e2e.conftest import log_in, make_user

pytestmark = pytest.mark.e2e


async def test_contacts_are_added_edited_and_removed(
    page: Any, live_db: AsyncSession, screenshots: Path
) -> None:
    from tests.factories.records import make_customer

    customer = await make_customer(live_db, name="Kontakt Test GmbH")
    await live_db.commit()
    await log_in(page, await make_user(live_db, "Admin"))
    await page.goto(f"/customers/{customer.id}")

    await page.get_by_role("link", name="Ansprechpartner hinzufügen").click()
    await page.get_by_label("Vorname").fill("Maria")
    await page.get_by_label("Nachname").fill("Schmidt")
    await page.get_by_label("E-Mail").fill("keine-adresse")
    await page.get_by_role("button", name="Speichern").click()
    # Refused next to the field, in German.
    error = page.locator("#e-email")
    await error.wait_for()
    assert "gültige E-Mail-Adresse" in await error.inner_text()
    await page.get_by_label("E-Mail").fill("maria.schmidt@example.de")
    await page.get_by_label("Hauptansprechpartner").check()
    await page.get_by_role("button", name="Speichern").click()
    row = page.get_by_role("row", name="Maria Schmidt")
    await row.wait_for()
    await page.screenshot(path=str(screenshots / "contacts.png"), full_page=True)

    await page.get_by_role("link", name="Maria Schmidt bearbeiten").click()
    await page.get_by_label("Position").fill("Einkauf")
    await page.get_by_role("button", name="Speichern").click()
    await page.get_by_role("cell", name="Einkauf").wait_for()

    await page.get_by_role("button", name="Maria Schmidt entfernen").click()
    await page.get_by_role("dialog").get_by_role("button", name="Maria Schmidt entfernen").click()
    await page.get_by_text("Entfernt.").wait_for()
    assert await page.get_by_role("row", name="Maria Schmidt").count() == 0


async def test_new_project_is_invoiced_from_hours_and_expenses_are_corrected(
    page: Any, live_db: AsyncSession, screenshots: Path
) -> None:
    from datetime import UTC, datetime, timedelta

    from tests.factories.invoicing import make_company_settings
    from tests.factories.records import make_customer, make_project
    from workmate.models import Expense, TimeEntry

    await make_company_settings(live_db)
    customer = await make_customer(live_db, name="Neukunde Stunden GmbH")
    project = await make_project(live_db, customer, title="Frisch geplant", status="planned")
    user = await make_user(live_db, "Admin")
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3)
    live_db.add(
        TimeEntry(
            employee_id=user.id,
            project_id=project.id,
            start_time=start,
            end_time=start + timedelta(hours=2),
        )
    )
    live_db.add(Expense(category="material", amount=Decimal("12.50"), note="Kabel"))
    await live_db.commit()
    await log_in(page, user)

    # The project can be edited and moved on; a planned one is offered for invoicing anyway.
    await page.goto(f"/projects/{project.id}")
    await page.get_by_role("link", name="Bearbeiten").click()
    await page.get_by_label("Stundensatz (netto, EUR)").fill("120,00")
    await page.get_by_role("button", name="Speichern").click()
    await page.get_by_text("Gespeichert.").wait_for()
    await page.goto("/invoices")
    await page.get_by_text("Neue Rechnung aus erfassten Zeiten").click()
    await page.get_by_label("Projekt", exact=True).last.select_option(
        label="Neukunde Stunden GmbH · Frisch geplant"
    )
    await page.get_by_role("button", name="Entwurf anlegen").click()
    await page.get_by_role("button", name="Ausstellen").wait_for()
    assert "240,00" in await page.content()  # 2 h × 120,00
    await page.screenshot(path=str(screenshots / "invoice-from-planned-project.png"))

    # Expenses: edit with a confirmation, then delete after asking.
    await page.goto("/expenses")
    await page.get_by_role("link", name="Bearbeiten").first.click()
    await page.get_by_label("Betrag").fill("13,75")
    await page.get_by_role("button", name="Speichern").click()
    await page.get_by_text("Ausgabe gespeichert.").wait_for()
    assert "13,75" in await page.content()
    await page.get_by_role("link", name="Bearbeiten").first.click()
    await page.get_by_role("button", name="Ausgabe löschen").click()
    await page.get_by_role("dialog").get_by_role("button", name="Ausgabe löschen").click()
    await page.get_by_text("Ausgabe gelöscht.").wait_for()


async def test_exports_page_downloads_datev_archive_and_time_csv(
    page: Any, live_db: AsyncSession
) -> None:
    await log_in(page, await make_user(live_db, "Admin"))
    await page.get_by_role("link", name="Exporte").click()
    await page.get_by_role("heading", name="DATEV-Buchungsstapel").wait_for()
    for button, suffix in (
        ("DATEV-Datei herunterladen", ".csv"),
        ("ZIP herunterladen", ".zip"),
        ("CSV herunterladen", ".csv"),
    ):
        async with page.expect_download() as info:
            await page.get_by_role("button", name=button).click()
        download = await info.value
        assert download.suggested_filename.endswith(suffix), download.suggested_filename

"""Day one in Chromium, in German: the dead ends a new firm used to hit."""

from __future__ import annotations

import re
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
    await page.get_by_label(re.compile(r"^Betrag")).fill("13,75")
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


async def test_invoice_page_dead_ends_and_the_dashboard(
    page: Any, live_db: AsyncSession, screenshots: Path
) -> None:
    from datetime import date

    from tests.factories.crm import new_reminder
    from tests.factories.invoicing import make_company_settings
    from tests.factories.records import make_customer
    from workmate.models import Invoice, InvoiceLine

    await make_company_settings(live_db)
    customer = await make_customer(live_db, name="Rabatt Suche AG")
    draft = Invoice(
        customer_id=customer.id,
        service_start=date(2026, 3, 1),
        service_end=date(2026, 3, 31),
        net_total=Decimal("90.00"),
        tax_total=Decimal("17.10"),
        total=Decimal("107.10"),
    )
    live_db.add(draft)
    await live_db.flush()
    live_db.add(
        InvoiceLine(
            invoice_id=draft.id,
            position=1,
            description="Beratung mit Rabatt",
            quantity=Decimal("1"),
            unit_price=Decimal("100.00"),
            vat_rate=Decimal("19"),
            discount_percent=Decimal("10"),
            net_amount=Decimal("90.00"),
        )
    )
    other = await make_user(live_db, "Employee")
    await new_reminder(live_db, other.id, title="Erinnerung der Kollegin")
    await live_db.commit()
    await log_in(page, await make_user(live_db, "Admin"))

    # A draft shows its discount and can be previewed as PDF, then issued.
    await page.goto(f"/invoices/{draft.id}")
    await page.get_by_role("columnheader", name="Rabatt").wait_for()
    async with page.expect_popup() as popup:
        await page.get_by_role("link", name="PDF-Vorschau").click()
    preview = await popup.value
    assert "preview.pdf" in preview.url
    await preview.close()
    await page.get_by_role("button", name="Ausstellen").click()
    await page.get_by_role("dialog").get_by_role("button", name="Ausstellen").click()
    await page.get_by_text("ausgestellt", exact=False).first.wait_for()

    # A payment booked by mistake is removed again.
    await page.get_by_label(re.compile(r"^Betrag")).fill("50,00")
    await page.get_by_role("button", name="Zahlung erfassen").click()
    await page.get_by_role("button", name="Zahlung über 50,00 € entfernen").click()
    await (
        page.get_by_role("dialog")
        .get_by_role("button", name="Zahlung über 50,00 € entfernen")
        .click()
    )
    await page.get_by_text("Zahlung entfernt").wait_for()

    # The credit note reads negative and offers no payment.
    await page.get_by_role("button", name="Mit Gutschrift stornieren").click()
    await page.get_by_role("dialog").get_by_role("button", name="Mit Gutschrift stornieren").click()
    await page.get_by_role("heading", name="Gutschrift", exact=False).wait_for()
    content = await page.content()
    assert "-107,10" in content or "−107,10" in content
    assert "Zahlung erfassen" not in content
    await page.screenshot(path=str(screenshots / "credit-note.png"), full_page=True)

    # The list finds it by customer and sums what it finds.
    await page.goto("/invoices")
    await page.get_by_label("Nummer oder Kunde").fill("Rabatt Suche")
    await page.get_by_role("button", name="Suchen").click()
    await page.get_by_text("2 Rechnungen").wait_for()

    # Reminders of others carry their owner; saving says so.
    await page.goto("/reminders?view=all")
    row = page.get_by_role("row", name="Erinnerung der Kollegin")
    assert "Erika Muster" in await row.inner_text()
    await page.get_by_label("Titel").fill("Steuerberater anrufen")
    await page.get_by_role("button", name="Speichern").click()
    await page.get_by_text("Erinnerung gespeichert.").wait_for()

    # The dashboard drops a widget and takes it back.
    await page.goto("/")
    await page.get_by_text("Widgets auswählen").click()
    await page.get_by_role("checkbox", name="Offene Posten").uncheck()
    await page.get_by_role("button", name="Speichern").click()
    await page.get_by_text("Übersicht gespeichert.").wait_for()
    assert await page.locator('[data-widget="receivables"]').count() == 0
    await page.get_by_text("Widgets auswählen").click()
    await page.get_by_role("checkbox", name="Offene Posten").check()
    await page.get_by_role("button", name="Speichern").click()
    await page.locator('[data-widget="receivables"]').wait_for()


async def test_a_new_expense_gets_its_receipt_from_the_form(
    page: Any, live_db: AsyncSession, tmp_path: Path
) -> None:
    receipt = tmp_path / "beleg.pdf"
    receipt.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    await log_in(page, await make_user(live_db, "Admin"))
    await page.goto("/expenses")
    await page.get_by_label(re.compile(r"^Betrag")).fill("42,00")
    await page.get_by_label("Hinweis").fill("Druckerpapier")
    await page.get_by_role("button", name="Speichern").click()
    await page.get_by_text("Ausgabe gespeichert. Den Beleg unten anhängen.").wait_for()
    await page.locator("input[data-file-input]").set_input_files(str(receipt))
    await page.get_by_role("link", name="beleg.pdf", exact=False).first.wait_for()

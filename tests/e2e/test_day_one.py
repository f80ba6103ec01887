"""Day one in Chromium, in German: the dead ends a new firm used to hit."""

from __future__ import annotations

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

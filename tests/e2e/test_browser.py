"""End to end in Chromium: log in, dashboard, create a customer, timer, languages, roles."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.e2e.conftest import log_in, make_user

pytestmark = pytest.mark.e2e


async def test_login_dashboard_and_new_customer(
    page: Any, live_db: AsyncSession, screenshots: Path
) -> None:
    user = await make_user(live_db, "Admin")
    await page.goto("/")
    assert "/login" in page.url  # anonymous visitors land on the login page
    await page.screenshot(path=str(screenshots / "login.png"), full_page=True)

    await log_in(page, user)
    await page.get_by_role("heading", name="Übersicht").wait_for()
    await page.screenshot(path=str(screenshots / "dashboard.png"), full_page=True)

    await page.get_by_role("link", name="Kunden", exact=True).click()
    await page.get_by_role("link", name="Neuer Kunde").click()
    # An empty name is refused next to the field, and what was typed stays.
    await page.get_by_label("E-Mail").fill("kein-email")
    await page.get_by_role("button", name="Speichern").click()
    await page.locator("#e-name").wait_for()
    assert await page.get_by_label("E-Mail").input_value() == "kein-email"
    await page.screenshot(path=str(screenshots / "customer-form-errors.png"), full_page=True)

    await page.get_by_label("Name").fill("Müller & Söhne GmbH")
    await page.get_by_label("E-Mail").fill("info@mueller-soehne.de")
    await page.get_by_label("Ort").fill("Köln")
    await page.get_by_role("button", name="Speichern").click()
    await page.get_by_role("heading", name="Müller & Söhne GmbH").wait_for()
    assert "Gespeichert." in await page.content()
    await page.screenshot(path=str(screenshots / "customer-detail.png"), full_page=True)

    await page.get_by_role("link", name="Kunden", exact=True).click()
    await page.get_by_label("Suchen").fill("Müller")
    await page.keyboard.press("Enter")
    await page.get_by_role("link", name="Müller & Söhne GmbH").wait_for()
    await page.screenshot(path=str(screenshots / "customers.png"), full_page=True)


async def test_wrong_password_is_explained(page: Any, live_db: AsyncSession) -> None:
    user = await make_user(live_db, "Employee")
    await page.goto("/login")
    await page.get_by_label("E-Mail").fill(user.email)
    await page.get_by_label("Passwort").fill("falsch")
    await page.get_by_role("button", name="Anmelden").click()
    await page.get_by_role("alert").wait_for()
    assert "Passwort ist falsch" in await page.get_by_role("alert").inner_text()


async def test_english_and_german_pages(
    page: Any, live_db: AsyncSession, screenshots: Path
) -> None:
    user = await make_user(live_db, "Manager")
    await log_in(page, user)
    await page.get_by_role("link", name="Rechnungen", exact=True).click()
    await page.get_by_role("heading", name="Rechnungen").wait_for()
    await page.get_by_role("button", name="EN", exact=True).click()
    await page.get_by_role("heading", name="Invoices").wait_for()
    assert await page.locator("html").get_attribute("lang") == "en"
    await page.screenshot(path=str(screenshots / "invoices-en.png"), full_page=True)
    await page.get_by_role("button", name="DE", exact=True).click()
    await page.get_by_role("heading", name="Rechnungen").wait_for()


async def test_manager_does_not_see_admin(page: Any, live_db: AsyncSession) -> None:
    user = await make_user(live_db, "Manager")
    await log_in(page, user)
    assert await page.get_by_role("link", name="Verwaltung").count() == 0
    response = await page.goto("/admin")
    assert response is not None
    assert response.status == 403
    await page.get_by_role("heading", name="Zugriff verweigert").wait_for()


async def test_theme_toggle_is_remembered(
    page: Any, live_db: AsyncSession, screenshots: Path
) -> None:
    user = await make_user(live_db, "Employee")
    await log_in(page, user)
    await page.get_by_role("button", name="Zwischen hellem und dunklem Design wechseln").click()
    first = await page.locator("html").get_attribute("data-theme")
    assert first in ("dark", "light")
    await page.reload()
    assert await page.locator("html").get_attribute("data-theme") == first
    await page.screenshot(path=str(screenshots / f"dashboard-{first}.png"), full_page=True)


async def test_timer_in_the_header_and_week_view(
    page: Any, live_db: AsyncSession, screenshots: Path
) -> None:
    from tests.factories.records import make_project

    project = await make_project(live_db, title="E2E Website-Relaunch")
    await live_db.commit()
    user = await make_user(live_db, "Employee")
    await log_in(page, user)
    timer = page.get_by_role("group", name="Zeiterfassung")
    await timer.get_by_label("Projekt").select_option(str(project.id))
    await timer.get_by_role("button", name="Start").click()
    await timer.get_by_role("button", name="Stopp").wait_for()
    # The elapsed time runs in the page without reload.
    from playwright.async_api import expect

    await expect(timer.locator("[data-elapsed]")).not_to_have_text("0:00:00", timeout=5000)
    await page.screenshot(path=str(screenshots / "timer-running.png"))
    # Another page still shows the running timer (it comes from the server).
    await page.get_by_role("link", name="Zeiten").click()
    await page.get_by_role("heading", name="Meine Woche", exact=False).wait_for()
    assert await timer.get_by_role("button", name="Stopp").count() == 1
    await timer.get_by_role("button", name="Stopp").click()
    await timer.get_by_role("button", name="Start").wait_for()
    await page.reload()
    assert project.title in await page.locator(".week").inner_text()
    await page.screenshot(path=str(screenshots / "time-week.png"), full_page=True)


async def test_dashboard_widgets_resize_and_move_and_stay(
    page: Any, live_db: AsyncSession, screenshots: Path
) -> None:
    user = await make_user(live_db, "Admin")
    await log_in(page, user)
    board = page.locator("[data-board]")
    await board.wait_for()
    last = page.locator("[data-widget]").last
    widget_id = await last.get_attribute("data-widget")
    height = int(await last.get_attribute("data-h") or 0)
    # Keyboard: taller by one row (nothing is below the last widget).
    await last.locator("[data-resize]").focus()
    await page.keyboard.press("ArrowDown")
    await expect_saved(page)
    # Mouse: drag it one row further down by its move handle.
    handle = last.locator("[data-move]")
    box = await handle.bounding_box()
    assert box is not None
    y = int(await last.get_attribute("data-y") or 0)
    await page.mouse.move(box["x"] + 5, box["y"] + 5)
    await page.mouse.down()
    await page.mouse.move(box["x"] + 5, box["y"] + 5 + 90, steps=5)
    await page.mouse.up()
    await expect_saved(page)
    await page.reload()
    again = page.locator(f'[data-widget="{widget_id}"]')
    assert int(await again.get_attribute("data-h") or 0) == height + 1
    assert int(await again.get_attribute("data-y") or 0) > y
    await page.screenshot(path=str(screenshots / "dashboard.png"), full_page=True)


async def expect_saved(page: Any) -> None:
    from playwright.async_api import expect

    status = page.locator("[data-board-status]")
    await expect(status).to_have_text("Anordnung gespeichert.")
    # Clear it so the next save is observed anew.
    await status.evaluate("el => { el.textContent = '' }")


async def test_phone_layout_has_a_menu(
    browser: Any, live_server: str, live_db: AsyncSession, screenshots: Path
) -> None:
    context = await browser.new_context(
        base_url=live_server, viewport={"width": 390, "height": 844}, locale="de-DE"
    )
    page = await context.new_page()
    try:
        user = await make_user(live_db, "Manager")
        await log_in(page, user)
        nav = page.get_by_role("navigation", name="Hauptnavigation")
        assert not await nav.is_visible()
        menu = page.get_by_role("button", name="Menü")
        await menu.click()
        assert await menu.get_attribute("aria-expanded") == "true"
        await nav.get_by_role("link", name="Kunden").click()
        await page.get_by_role("heading", name="Kunden").wait_for()
        # Nothing wider than the screen: no sideways scrolling of the whole page.
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390
        await page.screenshot(path=str(screenshots / "phone-customers.png"), full_page=True)
    finally:
        await context.close()


async def test_keyboard_reaches_the_login_form(page: Any, live_db: AsyncSession) -> None:
    user = await make_user(live_db, "Employee")
    await page.goto("/login")
    # The email field has focus on arrival; Tab moves on to the password and the button.
    await page.keyboard.type(user.email)
    await page.keyboard.press("Tab")
    await page.keyboard.type(user.password)
    await page.keyboard.press("Tab")
    await page.keyboard.press("Enter")
    await page.wait_for_url(lambda url: "/login" not in url)


async def test_upload_a_document_to_a_customer(
    page: Any, live_db: AsyncSession, screenshots: Path, tmp_path: Path
) -> None:
    from tests.factories.records import make_customer

    customer = await make_customer(live_db, name="Dokumente GmbH")
    await live_db.commit()
    await log_in(page, await make_user(live_db, "Admin"))
    await page.goto(f"/customers/{customer.id}")
    pdf = tmp_path / "vertrag.pdf"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
    await page.get_by_label("Datei auswählen").set_input_files(str(pdf))
    await page.get_by_role("link", name="vertrag.pdf").wait_for()
    await page.screenshot(path=str(screenshots / "customer-documents.png"), full_page=True)


async def test_admin_manages_departments_and_deactivates(
    page: Any, live_db: AsyncSession, screenshots: Path
) -> None:
    from playwright.async_api import expect

    admin = await make_user(live_db, "Admin")
    colleague = await make_user(live_db, "Employee")
    await log_in(page, admin)
    await page.goto("/admin")
    await page.get_by_role("link", name="Abteilungen").click()
    await page.get_by_label("Name").fill("Werkstatt")
    await page.get_by_role("button", name="Abteilung anlegen").click()
    await page.get_by_text("Gespeichert.").wait_for()
    await page.get_by_role("link", name="Werkstatt", exact=True).click()
    await page.get_by_label("Name").fill("Werkstatt Süd")
    await page.get_by_label("Leitung").select_option(str(admin.id))
    await page.get_by_role("button", name="Speichern").click()
    row = page.get_by_role("row", name="Werkstatt Süd")
    await expect(row).to_contain_text("Erika Muster")
    await page.screenshot(path=str(screenshots / "admin-departments.png"), full_page=True)
    # Deleting asks in the page's dialog; "Abbrechen" keeps it.
    await row.get_by_role("link", name="Bearbeiten").click()
    await page.get_by_role("button", name="Abteilung löschen").click()
    dialog = page.get_by_role("dialog")
    await expect(dialog).to_contain_text("Werkstatt Süd")
    await dialog.get_by_role("button", name="Abteilung löschen").click()
    await page.get_by_text("Die Abteilung wurde gelöscht.").wait_for()
    await expect(page.get_by_role("row", name="Werkstatt Süd")).to_have_count(0)

    # Deactivating a colleague is its own confirmed action.
    await page.goto(f"/admin/employees/{colleague.id}")
    deactivate = "Mitarbeiter/in deaktivieren"
    await page.get_by_role("button", name=deactivate).click()
    await page.get_by_role("dialog").get_by_role("button", name=deactivate).click()
    await page.get_by_text("Gespeichert.").wait_for()
    await page.goto(f"/admin/employees/{colleague.id}")
    await page.get_by_role("button", name="Mitarbeiter/in wieder aktivieren").wait_for()


async def test_phone_lists_fit_the_screen(
    browser: Any, live_server: str, live_db: AsyncSession, screenshots: Path
) -> None:
    """Lists become one card per row on a phone: nothing needs sideways scrolling."""
    context = await browser.new_context(
        base_url=live_server, viewport={"width": 390, "height": 844}, locale="de-DE"
    )
    page = await context.new_page()
    try:
        await page.goto("/login")
        user = await make_user(live_db, "Admin")
        await log_in(page, user)
        await page.goto("/expenses")
        await page.get_by_label(re.compile(r"^Betrag")).fill("1.234,56")
        await page.get_by_role("button", name="Speichern").click()
        # Saving opens the expense's own page (for the receipt); the list shows the amount.
        await page.get_by_text("Ausgabe gespeichert").wait_for()
        await page.goto("/expenses")
        await page.get_by_text("1.234,56").first.wait_for()
        for path in ("/expenses", "/invoices", "/customers", "/admin", "/"):
            await page.goto(path)
            overflow = await page.evaluate(
                # The permission matrix is a grid by nature: it scrolls inside its box.
                "Array.from(document.querySelectorAll('.table-wrap:not(:has(.matrix))'))"
                ".some(w => w.scrollWidth > w.clientWidth + 1)"
            )
            assert not overflow, path
            assert await page.evaluate("document.documentElement.scrollWidth") <= 390, path
        await page.goto("/expenses")
        await page.screenshot(path=str(screenshots / "phone-expenses.png"), full_page=True)
    finally:
        await context.close()

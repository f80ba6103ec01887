"""Day one in Chromium, in German, for the people and their time: the admin invites a new
employee who sets a password through the link, a role is created, a night shift is booked
and edited, a far-off date is flagged, and an approved (locked) month refuses entries."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.e2e.conftest import log_in, make_user
from tests.factories.records import make_project
from workmate import clock
from workmate.models import Employee, Role, TimeEntry

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "Mein-neues-Passwort-2026"


async def test_admin_invites_a_new_employee_who_sets_a_password_and_logs_in(
    page: Any, browser: Any, live_server: str, live_db: AsyncSession, screenshots: Path
) -> None:
    await log_in(page, await make_user(live_db, "Admin"))
    await page.goto("/admin")
    await page.get_by_role("link", name="Neue/r Mitarbeiter/in").click()
    # The least privileged role is chosen for a new employee, never Admin.
    role = page.get_by_label("Rolle")
    assert (await role.locator("option:checked").inner_text()).strip() == "Mitarbeiter/in"
    await page.get_by_label("Vorname").fill("Jonas")
    await page.get_by_label("Nachname").fill("Neumann")
    email = f"jonas.neumann-{clock.now():%H%M%S%f}@example.de"
    await page.get_by_label("E-Mail").fill(email)
    await page.screenshot(path=str(screenshots / "employee-new.png"), full_page=True)
    await page.get_by_role("button", name="Speichern").click()

    # Saving leads to the new employee's page, pointing at the invitation link.
    await page.get_by_text("Erstellen Sie unten einen Einladungslink").wait_for()
    await page.get_by_role("button", name="Einladungslink erstellen").click()
    link = await page.locator("#invitation-url").input_value()
    assert re.fullmatch(re.escape(live_server) + r"/invitation/[\w-]{40,}", link), link
    await page.get_by_text(f"Eine E-Mail mit dem Link an {email} wartet im Postausgang").wait_for()
    # The test server listens on 127.0.0.1: the admin is told the link works only here.
    await page.get_by_text("Dieser Link zeigt nur auf diesen Rechner").wait_for()
    await page.screenshot(path=str(screenshots / "employee-invitation.png"), full_page=True)

    # The new employee, in a browser of their own.
    context = await browser.new_context(
        base_url=live_server, viewport={"width": 1280, "height": 800}, locale="de-DE"
    )
    try:
        newcomer = await context.new_page()
        newcomer.set_default_timeout(10_000)
        await newcomer.goto(link)
        await newcomer.get_by_role("heading", name="Passwort festlegen").wait_for()
        await newcomer.get_by_label("Neues Passwort").fill(NEW_PASSWORD)
        await newcomer.get_by_label("Passwort wiederholen").fill(NEW_PASSWORD)
        await newcomer.screenshot(path=str(screenshots / "invitation-set-password.png"))
        await newcomer.get_by_role("button", name="Passwort speichern").click()
        await newcomer.wait_for_url(re.compile(r"/login"))
        await newcomer.get_by_text("Ihr Passwort ist gespeichert.").wait_for()
        await newcomer.screenshot(path=str(screenshots / "invitation-done-login.png"))
        await newcomer.get_by_label("E-Mail").fill(email)
        await newcomer.get_by_label("Passwort").fill(NEW_PASSWORD)
        await newcomer.get_by_role("button", name="Anmelden").click()
        await newcomer.wait_for_url(lambda url: "/login" not in url)
        await newcomer.get_by_role("link", name="Zeiten").first.wait_for()
        await newcomer.screenshot(path=str(screenshots / "invited-first-login.png"))
        # The link worked once.
        await newcomer.goto(link)
        await newcomer.get_by_text("Dieser Einladungslink ist ungültig", exact=False).wait_for()
    finally:
        await context.close()

    employee = await live_db.scalar(select(Employee).where(Employee.email == email))
    assert employee is not None
    role_name = await live_db.scalar(select(Role.name).where(Role.id == employee.role_id))
    assert role_name == "Employee"


async def test_the_create_role_button_makes_a_role(
    page: Any, live_db: AsyncSession, screenshots: Path
) -> None:
    await log_in(page, await make_user(live_db, "Admin"))
    await page.goto("/admin")
    await page.get_by_role("link", name="Neue Rolle").click()
    name = f"Werkstudent {clock.now():%H%M%S%f}"
    await page.get_by_label("Name").fill(name)
    await page.get_by_label("Zeiteinträge: lesen").check()
    await page.get_by_label("Zeiteinträge: schreiben").check()
    await page.screenshot(path=str(screenshots / "role-new.png"), full_page=True)
    await page.get_by_role("button", name="Speichern").click()
    await page.get_by_role("heading", name=name).wait_for()
    role = await live_db.scalar(select(Role).where(Role.name == name))
    assert role is not None
    assert role.permissions == {"time_entries": ["read", "write"]}


async def _book(page: Any, project: Any, day: date, start: str, end: str, note: str) -> None:
    await page.goto(f"/time/new?day={day.isoformat()}")
    form = page.locator("main")  # the header's timer has a project picker too
    await form.get_by_label("Projekt").select_option(str(project.id))
    await form.get_by_label("Von").fill(start)
    await form.get_by_label("Bis").fill(end)
    await form.get_by_label("Hinweis").fill(note)
    await form.get_by_role("button", name="Speichern").click()


async def test_a_night_shift_is_booked_and_edited_and_far_dates_are_flagged(
    page: Any, live_db: AsyncSession, screenshots: Path
) -> None:
    project = await make_project(live_db, title="Nachtschicht Server")
    user = await make_user(live_db, "Employee")
    await live_db.commit()
    await log_in(page, user)
    day = clock.today() - timedelta(days=2)

    await _book(page, project, day, "22:00", "02:00", "Umzug der Datenbank")
    await page.wait_for_url(re.compile(r"/time\?week="))
    entry = page.get_by_role("listitem").filter(has_text="Umzug der Datenbank")
    assert "22:00–02:00" in await entry.inner_text()
    await page.screenshot(path=str(screenshots / "time-night-shift.png"), full_page=True)

    # Edited again: the form shows 22:00 to 02:00, and saving keeps the next morning.
    await entry.get_by_role("link").click()
    assert await page.get_by_label("Von").input_value() == "22:00"
    assert await page.get_by_label("Bis").input_value() == "02:00"
    await page.get_by_label("Bis").fill("03:30")
    await page.get_by_role("button", name="Speichern").click()
    await page.wait_for_url(re.compile(r"/time\?week="))
    entry = page.get_by_role("listitem").filter(has_text="Umzug der Datenbank")
    assert "22:00–03:30" in await entry.inner_text()
    saved = await live_db.scalar(
        select(TimeEntry).where(TimeEntry.employee_id == user.id).order_by(TimeEntry.start_time)
    )
    assert saved is not None
    assert saved.end_time is not None
    assert saved.end_time - saved.start_time == timedelta(hours=5, minutes=30)

    # A booking far in the future is kept, with a warning to check the date.
    await _book(page, project, clock.today() + timedelta(days=400), "09:00", "10:00", "Vertippt")
    await page.get_by_text("mehr als einen Tag in der Zukunft", exact=False).wait_for()
    await page.screenshot(path=str(screenshots / "time-far-future.png"), full_page=True)


async def test_an_approved_month_refuses_a_new_entry(
    page: Any, browser: Any, live_server: str, live_db: AsyncSession, screenshots: Path
) -> None:
    from tests.factories.worktime import make_contract

    project = await make_project(live_db, title="Abgeschlossener Monat")
    user = await make_user(live_db, "Employee")
    admin = await make_user(live_db, "Admin")
    await make_contract(live_db, user.id, date(2025, 1, 1))
    await live_db.commit()
    last_month = (clock.today().replace(day=1) - timedelta(days=1)).replace(day=1)
    month = f"{last_month:%Y-%m}"

    # The employee hands in last month ...
    await log_in(page, user)
    await page.goto(f"/worktime?month={month}")
    await page.get_by_role("button", name="Monat einreichen").click()
    await page.wait_for_url(re.compile(r"done=submitted"))

    # ... an admin approves it in a browser of their own, which locks it ...
    context = await browser.new_context(
        base_url=live_server, viewport={"width": 1280, "height": 800}, locale="de-DE"
    )
    try:
        manager = await context.new_page()
        manager.set_default_timeout(10_000)
        await log_in(manager, admin)
        await manager.goto(f"/worktime?month={month}&employee_id={user.id}")
        await manager.get_by_role("button", name="Monat genehmigen").click()
        await manager.wait_for_url(re.compile(r"done=approve"))
        # Closing months for everyone at once is offered on the team page (not used here:
        # the live database is shared by the browser tests, and the lock only moves forward).
        await manager.goto("/worktime/team")
        await manager.get_by_role("heading", name="Monate für alle abschließen").wait_for()
        await manager.screenshot(path=str(screenshots / "worktime-lock.png"), full_page=True)
    finally:
        await context.close()

    # ... and a booking in it is refused on the form, in German, not on an error page.
    await _book(page, project, last_month + timedelta(days=9), "09:00", "11:00", "Nachtrag")
    alert = page.get_by_role("alert")
    await alert.wait_for()
    assert "ist abgeschlossen" in await alert.inner_text()
    assert "/time/new" in page.url
    await page.screenshot(path=str(screenshots / "time-locked-month.png"), full_page=True)
    booked = await live_db.scalar(select(TimeEntry.id).where(TimeEntry.employee_id == user.id))
    assert booked is None

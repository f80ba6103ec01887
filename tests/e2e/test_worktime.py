"""Working time in Chromium: the timer's pause, the week's ArbZG warnings, my month, the
absence request form and the team calendar."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.e2e.conftest import log_in, make_user
from tests.factories.records import make_project
from tests.factories.time import make_day
from tests.factories.worktime import make_contract
from workmate import clock

pytestmark = pytest.mark.e2e


async def test_pause_resume_and_the_week_warnings(
    page: Any, live_db: AsyncSession, screenshots: Path
) -> None:
    from playwright.async_api import expect

    project = await make_project(live_db, title="E2E Pausenprojekt")
    user = await make_user(live_db, "Employee")
    await make_contract(live_db, user.id, date(2025, 1, 1))
    # Last week's Monday: 11 hours with a 10 minute gap (§3 and §4 broken).
    monday = clock.today() - timedelta(days=clock.today().weekday() + 7)
    await make_day(live_db, user.id, project, monday, ((7, 0), (12, 0)), ((12, 10), (18, 10)))
    await live_db.commit()
    await log_in(page, user)
    timer = page.get_by_role("group", name="Zeiterfassung")
    await timer.get_by_label("Projekt").select_option(str(project.id))
    await timer.get_by_role("button", name="Start").click()
    await timer.get_by_role("button", name="Pause").click()
    await timer.get_by_role("button", name="Weiter").wait_for()
    await expect(timer.locator("[data-elapsed]")).to_have_text("Pause")
    await page.screenshot(path=str(screenshots / "timer-paused.png"))
    # The pause survives a reload (it is a record on the server).
    await page.reload()
    await timer.get_by_role("button", name="Weiter").click()
    await timer.get_by_role("button", name="Stopp").wait_for()
    await timer.get_by_role("button", name="Stopp").click()
    await timer.get_by_role("button", name="Start").wait_for()
    year, week, _ = monday.isocalendar()
    await page.goto(f"/time?week={year}-W{week:02d}")
    warnings = page.locator(".arbzg")
    await expect(warnings.first).to_contain_text("§3 ArbZG")
    await expect(warnings.first).to_contain_text("§4 ArbZG")
    await page.screenshot(path=str(screenshots / "time-week-arbzg.png"), full_page=True)


async def test_month_absences_and_team_pages(
    page: Any, live_db: AsyncSession, screenshots: Path
) -> None:
    user = await make_user(live_db, "Employee")
    await make_contract(live_db, user.id, date(2025, 1, 1))
    await live_db.commit()
    await log_in(page, user)
    await page.get_by_role("link", name="Arbeitszeit").first.click()
    await page.get_by_role("heading", name="Meine Arbeitszeit", exact=False).wait_for()
    await page.screenshot(path=str(screenshots / "worktime-month.png"), full_page=True)
    await page.get_by_role("link", name="Abwesenheiten und Urlaub").click()
    start = clock.today() + timedelta(days=40)
    start -= timedelta(days=start.weekday())
    await page.get_by_label("Von").fill(start.isoformat())
    await page.get_by_label("Bis").fill((start + timedelta(days=2)).isoformat())
    await page.get_by_role("button", name="Antrag senden").click()
    await page.get_by_text("beantragt").first.wait_for()
    await page.screenshot(path=str(screenshots / "worktime-absences.png"), full_page=True)
    await page.get_by_role("link", name="Team").click()
    await page.get_by_role("heading", name="Wer ist abwesend").wait_for()
    await page.screenshot(path=str(screenshots / "worktime-team.png"), full_page=True)

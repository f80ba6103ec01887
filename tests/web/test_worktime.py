"""Working time pages: the week view's ArbZG warnings and figures, my month with submit, the
manager's approval, absences requested and decided through forms, the team page."""

from __future__ import annotations

from datetime import date, timedelta

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.records import make_project, make_time_entry
from tests.factories.time import berlin, make_day
from tests.factories.worktime import lead, make_absence, make_contract
from workmate import clock
from workmate.models import Absence, Employee, MonthClosing
from workmate.worktime.breaks import break_service


async def test_week_view_shows_arbzg_warnings_and_figures(
    web_employee: httpx.AsyncClient, db: AsyncSession, employee: Employee
) -> None:
    await make_contract(db, employee.id, date(2026, 1, 1))
    project = await make_project(db)
    # Mon 2 March 2026: 11 h with a 10 min gap: max daily hours and break broken.
    await make_day(
        db, employee.id, project, date(2026, 3, 2), ((7, 0), (12, 0)), ((12, 10), (18, 10))
    )
    # Tue 3 March: starts at 01:00, 6 h 50 min after Monday's end: rest period broken.
    await make_day(db, employee.id, project, date(2026, 3, 3), ((1, 0), (3, 0)))
    # Rows written directly: what the time service does after a write, done here by hand.
    await break_service.sync(db, employee.id, [date(2026, 3, 2)])
    text = (await web_employee.get("/time?week=2026-W10")).text
    assert "§3 ArbZG" in text
    # A 10-minute gap is no break under §4 (at least 15 minutes count).
    assert "0 Minuten Pause nach 11,00 Stunden Arbeit; mindestens 45 sind vorgeschrieben" in text
    assert "Ruhezeit vor diesem Tag" in text
    assert "Überstundenkonto" in text
    assert "Pause fehlt (§4 ArbZG)" in text  # the automatic deduction, with its reason


async def test_my_month_submit_and_manager_approves(
    app: object, web_employee: httpx.AsyncClient, web_manager: httpx.AsyncClient,
    db: AsyncSession, employee: Employee, manager: Employee,
) -> None:  # fmt: skip
    emp = employee.id
    await lead(db, manager.id, emp)
    month = (clock.today().replace(day=1) - timedelta(days=1)).replace(day=1)
    label = month.strftime("%Y-%m")
    await make_contract(db, emp, month.replace(year=month.year - 1))
    project = await make_project(db)
    await make_time_entry(db, emp, project, start_time=berlin(month, 9), end_time=berlin(month, 13))
    page = await web_employee.get(f"/worktime?month={label}")
    assert page.status_code == 200
    assert "Monat einreichen" in page.text
    done = await web_employee.post(f"/worktime/months/{label}/submit", data={})
    assert done.status_code == 303, done.text
    seen = await web_manager.get(f"/worktime?month={label}&employee_id={emp}")
    assert "Monat genehmigen" in seen.text
    approved = await web_manager.post(
        f"/worktime/months/{label}/approve", data={"employee_id": str(emp)}
    )
    assert approved.status_code == 303, approved.text
    status = await db.scalar(select(MonthClosing.status).where(MonthClosing.employee_id == emp))
    assert status == "approved"
    again = await web_employee.get(f"/worktime?month={label}")
    assert "genehmigt" in again.text
    assert "Monat einreichen" not in again.text
    team = await web_manager.get(f"/worktime/team?month={label}")
    assert team.status_code == 200
    assert "Monate zur Genehmigung" in team.text


async def test_absence_request_and_decision_through_forms(
    web_employee: httpx.AsyncClient, web_manager: httpx.AsyncClient, db: AsyncSession,
    employee: Employee, manager: Employee,
) -> None:  # fmt: skip
    emp = employee.id
    await lead(db, manager.id, emp)
    await make_contract(db, emp, date(2020, 1, 1))
    start = clock.today() + timedelta(days=30)
    start -= timedelta(days=start.weekday())
    r = await web_employee.post(
        "/worktime/absences",
        data={
            "kind": "vacation",
            "start_date": str(start),
            "end_date": str(start),
            "note": "Umzug",
        },
    )
    assert r.status_code == 303, r.text
    page = await web_manager.get("/worktime/absences")
    assert "Offene Anträge" in page.text
    assert "Umzug" in page.text
    absence_id = await db.scalar(select(Absence.id).where(Absence.employee_id == emp))
    decided = await web_manager.post(f"/worktime/absences/{absence_id}/approve", data={})
    assert decided.status_code == 303
    assert await db.scalar(select(Absence.status).where(Absence.id == absence_id)) == "approved"
    # A bad request comes back with the reason, in German.
    weekend = start - timedelta(days=2)
    bad = await web_employee.post(
        "/worktime/absences",
        data={"kind": "vacation", "start_date": str(weekend), "end_date": str(weekend)},
    )
    assert bad.status_code == 409
    assert "keinen Arbeitstag" in bad.text


async def test_team_calendar_page(
    web_employee: httpx.AsyncClient, db: AsyncSession, employee: Employee, manager: Employee
) -> None:
    await lead(db, manager.id, employee.id)
    await make_contract(db, employee.id, date(2020, 1, 1))
    await make_absence(db, employee.id, date(2026, 3, 2), kind="sick")
    page = await web_employee.get("/worktime/team?month=2026-03")
    assert page.status_code == 200
    assert "Wer ist abwesend" in page.text


async def test_admin_adds_a_contract_on_the_month_page(
    web_admin: httpx.AsyncClient, db: AsyncSession, employee: Employee
) -> None:
    emp = employee.id
    page = await web_admin.get(f"/worktime?month=2026-03&employee_id={emp}")
    assert "Noch kein Arbeitsvertrag" in page.text
    # The contract form is in the page, once, and not in its <title>.
    title = page.text.split("<title>", 1)[1].split("</title>", 1)[0]
    assert "<form" not in title
    assert page.text.count('action="/worktime/contracts"') == 1
    r = await web_admin.post(
        "/worktime/contracts",
        data={
            "employee_id": str(emp),
            "month": "2026-03",
            "valid_from": "2026-01-01",
            "weekly_hours": "32",
            "mon": "1",
            "tue": "1",
            "wed": "1",
            "thu": "1",
            "vacation_days": "24",
            "federal_state": "BY",
        },
    )
    assert r.status_code == 303, r.text
    page = await web_admin.get(f"/worktime?month=2026-03&employee_id={emp}")
    assert "32,00 h/Woche" in page.text
    bad = await web_admin.post(
        "/worktime/contracts",
        data={
            "employee_id": str(emp),
            "month": "2026-03",
            "valid_from": "2026-02-01",
            "weekly_hours": "viel",
            "vacation_days": "24",
            "federal_state": "BY",
        },
    )
    assert bad.status_code == 422
    assert "weekly_hours" in bad.text


async def test_admin_sets_the_working_time_rules_on_a_form_in_german(
    web_admin: httpx.AsyncClient, web_manager: httpx.AsyncClient
) -> None:
    page = await web_admin.get("/worktime/settings")
    assert page.status_code == 200
    assert "Arbeitszeitregeln" in page.text
    assert "überwiegend katholischen Gemeinde" in page.text
    bad = await web_admin.post(
        "/worktime/settings",
        data={"break_mode": "warn", "half_days": "12-24, 13-01", "carry_over_expiry": "03-31"},
    )
    assert bad.status_code == 422
    assert 'aria-invalid="true" aria-describedby="e-half_days"' in bad.text
    assert "pattern" not in bad.text
    ok = await web_admin.post(
        "/worktime/settings",
        data={
            "break_mode": "warn",
            "half_days": "12-24, 12-31",
            "carry_over_expiry": "",
            "catholic_holidays": "true",
        },
    )
    assert ok.status_code == 303, ok.text
    saved = (await web_admin.get("/api/v1/worktime/settings")).json()
    assert saved["break_mode"] == "warn"
    assert saved["catholic_holidays"] is True
    assert saved["carry_over_expiry"] is None
    assert saved["half_days"] == ["12-24", "12-31"]
    shown = await web_admin.get("/worktime/settings?saved=1")
    assert "Gespeichert" in shown.text
    assert 'name="catholic_holidays" value="true" checked' in shown.text
    # Only who configures working time sees and changes the rules.
    assert (await web_manager.get("/worktime/settings")).status_code == 403
    assert (await web_manager.post("/worktime/settings", data={})).status_code == 403


async def test_an_admin_locks_closed_months_for_everyone_on_the_team_page(
    web_admin: httpx.AsyncClient,
    web_manager: httpx.AsyncClient,
    web_employee: httpx.AsyncClient,
    db: AsyncSession,
    employee: Employee,
) -> None:
    """Issue 14: an admin locks closed months in the browser; a booking in one is refused."""
    project_id = str((await make_project(db)).id)  # a refusal below expires the test's rows
    page = await web_admin.get("/worktime/team")
    assert "Bisher ist kein Monat für alle gesperrt." in page.text
    last = (clock.today().replace(day=1) - timedelta(days=1)).replace(day=1)
    assert f'name="through" type="month" value="{last:%Y-%m}"' in page.text
    # Only who configures working time sees and may use it (managers approve, not lock).
    assert 'action="/worktime/lock"' not in (await web_manager.get("/worktime/team")).text
    denied = await web_manager.post("/worktime/lock", data={"through": "2026-01"})
    assert denied.status_code == 403

    this_month = f"{clock.today():%Y-%m}"
    early = await web_admin.post("/worktime/lock", data={"through": this_month})
    assert early.status_code == 422, early.text
    assert "ist noch nicht vorbei" in early.text

    done = await web_admin.post("/worktime/lock", data={"through": f"{last:%Y-%m}"})
    assert done.status_code == 303, done.text
    locked = await web_admin.get(done.headers["location"])
    assert "Monate gesperrt." in locked.text
    assert "bis einschließlich" in locked.text

    booking = {
        "project_id": project_id,
        "date": (last + timedelta(days=2)).isoformat(),
        "start": "08:00",
        "end": "09:00",
    }
    refused = await web_employee.post("/time/new", data=booking)
    assert refused.status_code == 422, refused.text
    assert "dieser Person ist abgeschlossen" in refused.text
    assert f"Der Monat {last:%Y-%m}" not in refused.text  # the month in words, not 2026-10

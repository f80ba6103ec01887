"""Time pages: the week view and booking, editing, deleting entries through the time service."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.records import at, make_project, make_time_entry
from workmate import clock
from workmate.models import Employee, TimeEntry


async def test_week_shows_own_entries(
    web_employee: httpx.AsyncClient, db: AsyncSession, employee: Employee
) -> None:
    project = await make_project(db, title="Wochenprojekt")
    await make_time_entry(db, employee.id, project)  # Monday 2026-03-02, 08:00-12:00 UTC
    text = (await web_employee.get("/time?week=2026-W10")).text
    assert "Wochenprojekt" in text
    assert "09:00–13:00" in text  # shown in German time
    assert "4:00 h" in text


async def test_book_an_entry(
    web_employee: httpx.AsyncClient, db: AsyncSession, employee: Employee
) -> None:
    project = await make_project(db)
    form = await web_employee.get("/time/new?day=2026-03-03")
    assert form.status_code == 200
    response = await web_employee.post(
        "/time/new",
        data={
            "project_id": str(project.id),
            "date": "2026-03-03",
            "start": "08:00",
            "end": "09:30",
            "billable": "true",
        },
    )
    assert response.status_code == 303, response.text
    # Booked long before today: kept, and the week page warns (see the far-off test).
    assert response.headers["location"].startswith("/time?week=2026-W10")
    entry = await db.scalar(select(TimeEntry).where(TimeEntry.employee_id == employee.id))
    assert entry is not None
    assert entry.end_time is not None
    assert entry.end_time - entry.start_time == timedelta(minutes=90)


async def test_an_entry_over_midnight_ends_the_next_day_and_can_be_saved_again(
    web_employee: httpx.AsyncClient, db: AsyncSession, employee: Employee
) -> None:
    """Issue 14: 22:00–02:00 is four hours into the next day, not an error."""
    project = await make_project(db)
    night = {"project_id": str(project.id), "date": "2026-03-03", "start": "22:00", "end": "02:00"}
    response = await web_employee.post("/time/new", data=night)
    assert response.status_code == 303, response.text
    entry = await db.scalar(select(TimeEntry).where(TimeEntry.employee_id == employee.id))
    assert entry is not None
    assert entry.end_time is not None
    assert entry.end_time - entry.start_time == timedelta(hours=4)
    assert clock.local(entry.end_time).date().isoformat() == "2026-03-04"
    # The edit form shows the start's day and both times; saving it unchanged keeps 4 h.
    form = await web_employee.get(f"/time/{entry.id}/edit")
    assert form.status_code == 200
    assert 'value="02:00"' in form.text
    again = await web_employee.post(f"/time/{entry.id}/edit", data={**night, "note": "Nacht"})
    assert again.status_code == 303, again.text
    await db.refresh(entry)
    assert entry.end_time - entry.start_time == timedelta(hours=4)


async def test_booking_errors_inline(
    web_employee: httpx.AsyncClient, db: AsyncSession, employee: Employee
) -> None:
    project = await make_project(db)
    await make_time_entry(db, employee.id, project)  # 09:00-13:00 German time
    await db.commit()  # the refusal rolls its request back; the fixtures must survive it
    bad_time = await web_employee.post(
        "/time/new",
        data={"project_id": str(project.id), "date": "2026-03-02", "start": "8 Uhr", "end": ""},
    )
    assert bad_time.status_code == 422
    assert 'id="e-start"' in bad_time.text
    overlap = await web_employee.post(
        "/time/new",
        data={
            "project_id": str(project.id),
            "date": "2026-03-02",
            "start": "10:00",
            "end": "11:00",
        },
    )
    assert overlap.status_code == 422
    assert "überschneidet sich" in overlap.text


async def test_no_project_is_a_field_error_in_the_readers_words(
    web_employee: httpx.AsyncClient, db: AsyncSession, employee: Employee
) -> None:
    data = {"project_id": "", "date": "2026-03-03", "start": "08:00", "end": "09:00"}
    response = await web_employee.post("/time/new", data=data)
    assert response.status_code == 422
    assert 'id="e-project_id"' in response.text
    assert "Bitte ein Projekt wählen." in response.text
    assert "UUID" not in response.text
    assert await db.scalar(select(TimeEntry).where(TimeEntry.employee_id == employee.id)) is None


async def test_booking_far_from_today_is_kept_with_a_warning(
    web_employee: httpx.AsyncClient, db: AsyncSession, employee: Employee
) -> None:
    project = await make_project(db)
    cases = (
        (clock.today() + timedelta(days=3), "ahead", "mehr als einen Tag in der Zukunft"),
        (clock.today() - timedelta(days=61), "back", "mehr als 60 Tage in der Vergangenheit"),
    )
    for day, far, words in cases:
        data = {"project_id": str(project.id), "date": day.isoformat()}
        response = await web_employee.post(
            "/time/new", data={**data, "start": "08:00", "end": "09:00"}
        )
        assert response.status_code == 303, response.text
        assert response.headers["location"].endswith(f"&far={far}")
        page = await web_employee.get(response.headers["location"])
        assert words in page.text
    near = {"project_id": str(project.id), "date": clock.today().isoformat()}
    response = await web_employee.post("/time/new", data={**near, "start": "00:00", "end": "00:01"})
    assert response.status_code == 303, response.text
    assert "far=" not in response.headers["location"]
    assert await db.scalar(select(func.count()).select_from(TimeEntry)) == 3


async def test_edit_and_delete(
    web_employee: httpx.AsyncClient, db: AsyncSession, employee: Employee
) -> None:
    project = await make_project(db)
    entry = await make_time_entry(db, employee.id, project)
    form = await web_employee.get(f"/time/{entry.id}/edit")
    assert 'value="09:00"' in form.text
    response = await web_employee.post(
        f"/time/{entry.id}/edit",
        data={
            "project_id": str(project.id),
            "date": "2026-03-02",
            "start": "09:00",
            "end": "10:00",
            "note": "Kürzer",
        },
    )
    assert response.status_code == 303, response.text
    await db.refresh(entry)
    assert entry.note == "Kürzer"
    assert entry.billable is False
    deleted = await web_employee.post(f"/time/{entry.id}/delete")
    assert deleted.status_code == 303
    assert await db.get(TimeEntry, entry.id) is None


async def test_others_entries_are_not_found(
    web_employee: httpx.AsyncClient, db: AsyncSession, manager: Employee
) -> None:
    project = await make_project(db)
    theirs = await make_time_entry(db, manager.id, project)
    assert (await web_employee.get(f"/time/{theirs.id}/edit")).status_code == 404


async def test_report_with_chart(
    web_employee: httpx.AsyncClient, db: AsyncSession, employee: Employee
) -> None:
    project = await make_project(db, title="Auswertungsprojekt")
    await make_time_entry(db, employee.id, project)
    page = await web_employee.get("/time/report?from=2026-03-01&to=2026-03-31&group_by=project")
    assert page.status_code == 200, page.text
    assert "<svg" in page.text
    assert "Auswertungsprojekt" in page.text
    assert "4,00 h" in page.text
    backwards = await web_employee.get("/time/report?from=2026-03-31&to=2026-03-01")
    assert backwards.status_code == 200
    assert 'class="field-error"' in backwards.text


async def test_time_page_refuses_editing_an_entry_on_a_draft(
    web_employee: httpx.AsyncClient,
    as_manager: httpx.AsyncClient,
    db: AsyncSession,
    employee: Employee,
) -> None:
    project = await make_project(db, hourly_rate=Decimal("100.00"))
    entry = await make_time_entry(db, employee.id, project, start_time=at(0, 8), end_time=at(0, 9))
    entry_id = entry.id
    inv = (
        await as_manager.post(
            "/api/v1/invoices/from-time-entries",
            json={"project_id": str(project.id), "from": "2026-03-01", "to": "2026-03-31"},
        )
    ).json()
    response = await web_employee.post(
        f"/time/{entry_id}/edit",
        data={
            "project_id": str(project.id),
            "date": "2026-03-02",
            "start": "09:00",
            "end": "12:00",
            "billable": "true",
        },
    )
    assert response.status_code == 422
    assert inv["id"] in response.text
    deleted = await web_employee.post(f"/time/{entry_id}/delete")
    assert deleted.status_code == 409
    end = await db.scalar(select(TimeEntry.end_time).where(TimeEntry.id == entry_id))
    assert end == at(0, 9)


async def test_a_locked_month_refuses_a_booking_in_the_readers_language(
    web_employee: httpx.AsyncClient,
    as_employee: httpx.AsyncClient,
    db: AsyncSession,
    employee: Employee,
    admin: Employee,
) -> None:
    """The database is the only check here (its trigger); its refusal still reads German on
    the page, and the API keeps its English detail."""
    from datetime import date

    from tests.factories.worktime import approve_month

    project_id = str((await make_project(db)).id)  # the refusal expires the test's rows
    await approve_month(db, employee.id, date(2026, 3, 1), admin.id)
    entry = {"project_id": project_id, "date": "2026-03-10", "start": "08:00", "end": "09:00"}
    response = await web_employee.post("/time/new", data=entry)
    assert response.status_code == 422, response.text
    assert "Der Monat März 2026 dieser Person ist abgeschlossen" in response.text
    api = await as_employee.post(
        "/api/v1/time-entries",
        json={
            "project_id": project_id,
            "start_time": "2026-03-10T08:00:00+01:00",
            "end_time": "2026-03-10T09:00:00+01:00",
        },
    )
    assert api.status_code == 409, api.text
    assert api.json()["detail"] == (
        "month 2026-03 of this employee is closed; a manager must reopen it first"
    )

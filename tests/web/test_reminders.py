"""Reminders through the reminder service: own only, create, done."""

from __future__ import annotations

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from workmate.models import Employee, Reminder


async def test_create_and_mark_done(
    web_employee: httpx.AsyncClient, db: AsyncSession, employee: Employee
) -> None:
    response = await web_employee.post(
        "/reminders", data={"title": "Angebot nachfassen", "due_date": "2026-03-01"}
    )
    assert response.status_code == 303, response.text
    page = (await web_employee.get("/reminders?view=overdue")).text
    assert "Angebot nachfassen" in page
    assert 'class="overdue"' in page
    reminder = await db.scalar(select(Reminder).where(Reminder.owner_id == employee.id))
    assert reminder is not None
    done = await web_employee.post(f"/reminders/{reminder.id}/done", data={"done": "true"})
    assert done.status_code == 303
    await db.refresh(reminder)
    assert reminder.is_done
    assert "Angebot nachfassen" in (await web_employee.get("/reminders?view=done")).text


async def test_reminder_errors_inline(web_employee: httpx.AsyncClient) -> None:
    response = await web_employee.post("/reminders", data={"title": "", "due_date": "morgen"})
    assert response.status_code == 422
    assert 'id="e-title"' in response.text
    assert 'id="e-due_date"' in response.text


async def test_others_reminders_stay_hidden(
    web_employee: httpx.AsyncClient, web_manager: httpx.AsyncClient
) -> None:
    await web_manager.post("/reminders", data={"title": "Chefsache", "due_date": "2026-03-01"})
    assert "Chefsache" not in (await web_employee.get("/reminders?view=open")).text

"""HTTP routes for reminders (thin: validate, call the service, shape the answer)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from workmate import clock
from workmate.db import SessionDep
from workmate.models import Reminder
from workmate.pagination import Page, Paging
from workmate.reminders.auth import RemindersDelete, RemindersRead, RemindersWrite
from workmate.reminders.schemas import ReminderCreate, ReminderRead, ReminderUpdate, View
from workmate.reminders.service import reminder_service

router = APIRouter(prefix="/reminders", tags=["reminders"])


@router.get("", response_model=Page[ReminderRead])
async def list_reminders(
    who: RemindersRead,
    db: SessionDep,
    paging: Paging,
    view: Annotated[View, Query(description="due_today, overdue, upcoming, open, done, all")] = (
        "open"
    ),
    owner_id: Annotated[
        uuid.UUID | None, Query(description="Another owner's (reminders.manage).")
    ] = None,
    today: Annotated[date | None, Query(description="Reference day; default today.")] = None,
) -> dict[str, Any]:
    """Your reminders by view; others' only with reminders.manage."""
    items, total = await reminder_service.list(
        db,
        who,
        view=view,
        today=today or clock.today(),
        owner_id=owner_id,
        limit=paging.limit,
        offset=paging.offset,
    )
    return {"items": items, "total": total, "limit": paging.limit, "offset": paging.offset}


@router.post("", response_model=ReminderRead, status_code=201)
async def create_reminder(data: ReminderCreate, who: RemindersWrite, db: SessionDep) -> Reminder:
    """Create a reminder; a linked customer, project or invoice must exist."""
    return await reminder_service.create(db, who, data)


@router.get("/{reminder_id}", response_model=ReminderRead)
async def get_reminder(reminder_id: uuid.UUID, who: RemindersRead, db: SessionDep) -> Reminder:
    """One of your reminders (404 for someone else's without reminders.manage)."""
    return await reminder_service.get(db, who, reminder_id)


@router.patch("/{reminder_id}", response_model=ReminderRead)
async def update_reminder(
    reminder_id: uuid.UUID, data: ReminderUpdate, who: RemindersWrite, db: SessionDep
) -> Reminder:
    """Change one of your reminders."""
    return await reminder_service.update(db, who, reminder_id, data)


@router.post("/{reminder_id}/done", response_model=ReminderRead)
async def mark_done(reminder_id: uuid.UUID, who: RemindersWrite, db: SessionDep) -> Reminder:
    """Mark a reminder done."""
    return await reminder_service.set_done(db, who, reminder_id, True)


@router.post("/{reminder_id}/undone", response_model=ReminderRead)
async def mark_undone(reminder_id: uuid.UUID, who: RemindersWrite, db: SessionDep) -> Reminder:
    """Reopen a reminder marked done."""
    return await reminder_service.set_done(db, who, reminder_id, False)


@router.delete("/{reminder_id}", status_code=204)
async def delete_reminder(reminder_id: uuid.UUID, who: RemindersDelete, db: SessionDep) -> Response:
    """Delete one of your reminders."""
    await reminder_service.delete(db, who, reminder_id)
    return Response(status_code=204)

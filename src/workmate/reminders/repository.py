"""SQL for reminders. Rows of other owners are filtered out here unless the caller may manage."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, case, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from workmate.models import Customer, Employee, Invoice, Project, Reminder

URGENCY = case({"high": 0, "medium": 1, "low": 2}, value=Reminder.priority, else_=3)
LINK_TABLES: dict[str, Any] = {"customer": Customer, "project": Project, "invoice": Invoice}


def visible(owner: uuid.UUID | None) -> list[ColumnElement[bool]]:
    """None means every owner (reminders.manage)."""
    return [] if owner is None else [Reminder.owner_id == owner]


def in_view(view: str, today: date) -> list[ColumnElement[bool]]:
    open_ = Reminder.is_done.is_(False)
    views: dict[str, list[ColumnElement[bool]]] = {
        "due_today": [open_, Reminder.due_date == today],
        "overdue": [open_, Reminder.due_date < today],
        "upcoming": [open_, Reminder.due_date > today],
        "open": [open_],
        "done": [Reminder.is_done.is_(True)],
        "all": [],
    }
    return views[view]


async def list_reminders(
    db: AsyncSession, where: list[ColumnElement[bool]], limit: int, offset: int
) -> tuple[Sequence[Reminder], int]:
    stmt = (
        select(Reminder)
        .where(*where)
        .order_by(Reminder.due_date, URGENCY, Reminder.title, Reminder.id)
        .limit(limit)
        .offset(offset)
    )
    items = (await db.scalars(stmt)).all()
    total = await db.scalar(select(func.count()).select_from(Reminder).where(*where))
    return items, int(total or 0)


async def get(
    db: AsyncSession, reminder_id: uuid.UUID, owner: uuid.UUID | None, *, lock: bool = False
) -> Reminder | None:
    stmt = select(Reminder).where(Reminder.id == reminder_id, *visible(owner))
    if lock:
        stmt = stmt.with_for_update()
    return (await db.scalars(stmt)).one_or_none()


async def link_exists(db: AsyncSession, kind: str, target: uuid.UUID) -> bool:
    table = LINK_TABLES[kind]
    return bool(await db.scalar(select(exists().where(table.id == target))))


async def employee_exists(db: AsyncSession, employee_id: uuid.UUID) -> bool:
    return bool(await db.scalar(select(exists().where(Employee.id == employee_id))))


async def due(db: AsyncSession, today: date) -> Sequence[Any]:
    """Open reminders due today or earlier, with the owner's e-mail, for `reminders due`."""
    stmt = (
        select(Reminder, Employee.email)
        .join(Employee, Employee.id == Reminder.owner_id)
        .where(Reminder.is_done.is_(False), Reminder.due_date <= today)
        .order_by(Employee.email, Reminder.due_date, Reminder.id)
    )
    return (await db.execute(stmt)).all()

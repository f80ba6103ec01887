"""Reminder rules: personal by default, links must exist, done/undone keeps done_at true."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from workmate import clock
from workmate.audit.service import audit_service, diff
from workmate.auth.principal import Principal
from workmate.errors import Invalid, NotFound
from workmate.models import Reminder
from workmate.reminders import repository as repo
from workmate.reminders.auth import sees_all
from workmate.reminders.schemas import ReminderCreate, ReminderUpdate


def _scope(who: Principal) -> uuid.UUID | None:
    # Other owners' reminders do not exist for a caller without reminders.manage (404, not 403).
    return None if sees_all(who) else who.employee_id


class ReminderService:
    async def list(
        self,
        db: AsyncSession,
        who: Principal,
        *,
        view: str = "open",
        today: date,
        owner_id: uuid.UUID | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[Sequence[Reminder], int]:
        """The caller's reminders in a view (due_today, overdue, upcoming, open, done, all)."""
        scope = _scope(who)
        where = repo.visible(scope) + repo.in_view(view, today)
        if owner_id is not None:
            if scope is not None and owner_id != scope:
                return [], 0
            where += repo.visible(owner_id)
        return await repo.list_reminders(db, where, limit, offset)

    async def get(self, db: AsyncSession, who: Principal, reminder_id: uuid.UUID) -> Reminder:
        """One of the caller's reminders (any owner's with reminders.manage) or 404."""
        reminder = await repo.get(db, reminder_id, _scope(who))
        if reminder is None:
            raise NotFound("reminder")
        return reminder

    async def _check_link(
        self, db: AsyncSession, kind: str | None, target: uuid.UUID | None
    ) -> None:
        if (kind is None) != (target is None):
            raise Invalid(
                "linked_to and linked_id go together: give both or neither", field="linked_id"
            )
        if kind is not None and target is not None and not await repo.link_exists(db, kind, target):
            raise Invalid(f"linked {kind} does not exist", field="linked_id")

    async def create(self, db: AsyncSession, who: Principal, data: ReminderCreate) -> Reminder:
        """Create a reminder for the caller (for another owner only with reminders.manage)."""
        owner = data.owner_id or who.employee_id
        if owner != who.employee_id:
            if not sees_all(who):
                raise Invalid("you may only create reminders for yourself", field="owner_id")
            if not await repo.employee_exists(db, owner):
                raise Invalid("owner does not exist", field="owner_id")
        await self._check_link(db, data.linked_to, data.linked_id)
        reminder = Reminder(
            id=uuid.uuid4(), owner_id=owner, **data.model_dump(exclude={"owner_id"})
        )
        db.add(reminder)
        await db.flush()
        await audit_service.record(
            db, who, "create", "reminder", reminder.id, diff(None, audit_service.snapshot(reminder))
        )
        return reminder

    async def update(
        self, db: AsyncSession, who: Principal, reminder_id: uuid.UUID, data: ReminderUpdate
    ) -> Reminder:
        """Change a visible reminder; a new link must exist."""
        reminder = await repo.get(db, reminder_id, _scope(who), lock=True)
        if reminder is None:
            raise NotFound("reminder")
        changes: dict[str, Any] = data.model_dump(exclude_unset=True)
        for key in ("title", "due_date", "priority"):
            if key in changes and changes[key] is None:
                raise Invalid("{field} cannot be empty", field=key, params={"field": key})
        if "linked_to" in changes or "linked_id" in changes:
            await self._check_link(
                db,
                changes.get("linked_to", reminder.linked_to),
                changes.get("linked_id", reminder.linked_id),
            )
        return await self._apply(db, who, reminder, changes)

    async def set_done(
        self, db: AsyncSession, who: Principal, reminder_id: uuid.UUID, done: bool
    ) -> Reminder:
        """Mark done (stamps done_at) or undone (clears it)."""
        reminder = await repo.get(db, reminder_id, _scope(who), lock=True)
        if reminder is None:
            raise NotFound("reminder")
        if reminder.is_done == done:
            return reminder
        return await self._apply(
            db, who, reminder, {"is_done": done, "done_at": clock.now() if done else None}
        )

    async def _apply(
        self, db: AsyncSession, who: Principal, reminder: Reminder, changes: dict[str, Any]
    ) -> Reminder:
        before = audit_service.snapshot(reminder)
        for key, value in changes.items():
            setattr(reminder, key, value)
        await db.flush()
        await audit_service.record(
            db,
            who,
            "update",
            "reminder",
            reminder.id,
            diff(before, audit_service.snapshot(reminder)),
        )
        return reminder

    async def delete(self, db: AsyncSession, who: Principal, reminder_id: uuid.UUID) -> None:
        """Delete a visible reminder."""
        reminder = await repo.get(db, reminder_id, _scope(who), lock=True)
        if reminder is None:
            raise NotFound("reminder")
        before = audit_service.snapshot(reminder)
        await db.delete(reminder)
        await db.flush()
        await audit_service.record(db, who, "delete", "reminder", reminder_id, diff(before, None))

    async def due(self, db: AsyncSession, today: date) -> Sequence[Any]:
        """Every owner's open reminders due today or overdue (for `workmate reminders due`)."""
        return await repo.due(db, today)


reminder_service = ReminderService()

"""Breaks (§4 ArbZG): the timer's pause, recorded breaks, and the automatic deduction.

A day's break time is what lies between its work spans in gaps of at least 15 minutes
(recorded breaks are such gaps, documented). When a day's records change, its deduction is
recomputed and stored: with the company setting `deduct`, a day short of its break loses the
smallest number of minutes that makes it comply (see calc.deduction_minutes), with the reason;
with `warn` nothing is deducted and the ArbZG warning remains. A manager may reverse a
deduction (the row stays, with who, when and why).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Table, Update, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from workmate import clock
from workmate.audit.service import audit_service, diff
from workmate.auth.principal import Principal
from workmate.errors import Conflict, Invalid, NotFound, from_database
from workmate.models import BreakDeduction, TimeEntry, WorkBreak
from workmate.worktime import calc, scope
from workmate.worktime.repository import day_spans, worked_seconds, worktime_repository

ENTITY = "break"
DEDUCTION = "break_deduction"
# The rule a deduction applied: the threshold the day's worked time crossed.
RULES = {30: "break_6h", 45: "break_9h"}


class PauseNotRunning(Conflict):
    """Resume without a running pause."""


class NothingToPause(Conflict):
    """Pause without a running timer."""


async def flush(db: AsyncSession) -> None:
    """Flush; a constraint or trigger refusal becomes our domain error, never driver text."""
    try:
        await db.flush()
    except DBAPIError as exc:
        error = from_database(exc)
        if error is None:
            raise
        raise error from None


def snapshot(obj: Any, fields: Iterable[str]) -> dict[str, Any]:
    return audit_service.snapshot(obj, tuple(fields))


async def locked_months(
    db: AsyncSession, employee_id: uuid.UUID, first: date, last: date
) -> set[date]:
    """First days of the employee's locked months between two days (the database's rule)."""
    rows = await db.execute(
        text(
            "SELECT g::date FROM generate_series(date_trunc('month', CAST(:f AS date)), "
            "CAST(:l AS date), interval '1 month') g "
            "WHERE wm_locked_month(:e, g::date, g::date) IS NOT NULL"
        ),
        {"e": employee_id, "f": first, "l": last},
    )
    return {r[0] for r in rows}


class BreakService:
    # ---- deductions ----

    async def sync(self, db: AsyncSession, employee_id: uuid.UUID, days: Iterable[date]) -> None:
        """Recompute and store the break deductions of the given days (locked months stay)."""
        wanted = sorted(set(days))
        if not wanted:
            return
        first, last = wanted[0], wanted[-1]
        locked = await locked_months(db, employee_id, first, last)
        wanted = [d for d in wanted if d.replace(day=1) not in locked]
        if not wanted:
            return
        settings = await worktime_repository.settings(db)
        spans = day_spans(await worktime_repository.spans(db, [employee_id], first, last))
        existing = {
            d.day: d for d in await worktime_repository.deductions(db, [employee_id], first, last)
        }
        for day in wanted:
            work = spans.get((employee_id, day), [])
            worked = worked_seconds(work)
            breaks = calc.recognised_breaks(work)
            minutes = (
                calc.deduction_minutes(worked, breaks) if settings.break_mode == "deduct" else 0
            )
            row = existing.get(day)
            if minutes == 0:
                if row is not None:
                    await db.delete(row)
                continue
            values = {
                "minutes": minutes,
                "worked_minutes": int(worked // 60),
                "break_minutes": int(breaks // 60),
                "rule": RULES[calc.break_needed(worked)],
            }
            if row is None:
                db.add(BreakDeduction(employee_id=employee_id, day=day, **values))
            else:
                for name, value in values.items():
                    setattr(row, name, value)
        await flush(db)

    async def entries_changed(
        self, db: AsyncSession, employee_id: uuid.UUID, instants: Iterable[datetime | None]
    ) -> None:
        """Called by the time entries after a write: the days the changed entries lie on get
        their deductions recomputed."""
        await self.sync(db, employee_id, {clock.day_of(i) for i in instants if i is not None})

    @staticmethod
    def end_pause(employee_id: uuid.UUID, started: datetime) -> Update:
        """A started timer ends the employee's running pause at its start: the UPDATE that the
        timer's INSERT carries (a CTE of the same statement, so no round trip of its own)."""
        breaks: Table = WorkBreak.__table__  # type: ignore[assignment]
        return (
            update(breaks)
            .where(
                breaks.c.employee_id == employee_id,
                breaks.c.end_time.is_(None),
                breaks.c.start_time < started,
            )
            .values(end_time=started)
        )

    async def reverse(
        self, db: AsyncSession, who: Principal, deduction_id: uuid.UUID, reason: str
    ) -> BreakDeduction:
        """Take back a deduction (the day's time counts in full again); audited with the
        reason. A deduction in a closed month needs the month reopened first."""
        row = await worktime_repository.deduction(db, deduction_id)
        if row is None or not await scope.in_scope(db, who, row.employee_id):
            raise NotFound("break deduction")
        await scope.decider(db, who, row.employee_id)
        await worktime_repository.lock_employee(db, row.employee_id)
        row = await worktime_repository.deduction(db, deduction_id, for_update=True)
        if row is None:
            raise NotFound("break deduction")
        if row.reversed_at is not None:
            raise Conflict("the deduction is reversed already")
        before = snapshot(row, ("reversed_at", "reversed_by", "reversal_reason"))
        row.reversed_at = clock.now()
        row.reversed_by = who.employee_id
        row.reversal_reason = reason
        await flush(db)
        after = snapshot(row, ("reversed_at", "reversed_by", "reversal_reason"))
        await audit_service.record(db, who, "reverse", DEDUCTION, row.id, diff(before, after))
        return row

    async def restore(
        self, db: AsyncSession, who: Principal, deduction_id: uuid.UUID
    ) -> BreakDeduction:
        """Apply a reversed deduction again; audited."""
        row = await worktime_repository.deduction(db, deduction_id)
        if row is None or not await scope.in_scope(db, who, row.employee_id):
            raise NotFound("break deduction")
        await scope.decider(db, who, row.employee_id)
        await worktime_repository.lock_employee(db, row.employee_id)
        row = await worktime_repository.deduction(db, deduction_id, for_update=True)
        if row is None:
            raise NotFound("break deduction")
        if row.reversed_at is None:
            raise Conflict("the deduction is in force already")
        before = snapshot(row, ("reversed_at", "reversed_by", "reversal_reason"))
        row.reversed_at = None
        row.reversed_by = None
        row.reversal_reason = None
        await flush(db)
        after = snapshot(row, ("reversed_at", "reversed_by", "reversal_reason"))
        await audit_service.record(db, who, "restore", DEDUCTION, row.id, diff(before, after))
        return row

    async def deductions(
        self,
        db: AsyncSession,
        who: Principal,
        employee_id: uuid.UUID | None,
        first: date,
        last: date,
    ) -> list[BreakDeduction]:
        """The deductions of an employee in a period (own, or in the caller's scope)."""
        owner = await scope.subject(db, who, employee_id)
        return await worktime_repository.deductions(db, [owner], first, last)

    # ---- pause and resume ----

    async def pause(self, db: AsyncSession, who: Principal) -> WorkBreak:
        """Stop the running timer and start a break at the same instant."""
        from workmate.time_entries.service import time_entry_service

        await worktime_repository.lock_employee(db, who.employee_id)
        if await worktime_repository.running_break(db, who.employee_id) is not None:
            raise Conflict("a pause is already running; resume work first")
        if await time_entry_service.running(db, who) is None:
            raise NothingToPause("no timer is running; start one before pausing")
        entry = await time_entry_service.stop_timer(db, who)
        assert entry.end_time is not None
        pause = WorkBreak(
            employee_id=who.employee_id, start_time=entry.end_time, paused_entry_id=entry.id
        )
        db.add(pause)
        await flush(db)
        await audit_service.record(
            db, who, "pause", ENTITY, pause.id, diff(None, _break_snapshot(pause))
        )
        return pause

    async def resume(
        self, db: AsyncSession, who: Principal, project_id: uuid.UUID | None = None
    ) -> TimeEntry:
        """End the running pause and start the timer again on the paused entry's project
        (or `project_id`) at the same instant."""
        from workmate.time_entries.service import time_entry_service

        await worktime_repository.lock_employee(db, who.employee_id)
        pause = await worktime_repository.running_break(db, who.employee_id, for_update=True)
        if pause is None:
            raise PauseNotRunning("no pause is running")
        paused = None
        if pause.paused_entry_id is not None:
            try:
                paused = await time_entry_service.get(db, who, pause.paused_entry_id)
            except NotFound:
                paused = None
        if project_id is None and paused is None:
            raise Invalid("name the project to resume on", field="project_id")
        entry = await time_entry_service.start_timer(
            db,
            who,
            project_id=project_id or (paused.project_id if paused else project_id),  # type: ignore[arg-type]
            note=paused.note if paused and project_id is None else None,
            billable=paused.billable if paused else True,
            hourly_rate=paused.hourly_rate if paused and project_id is None else None,
            switch=False,
        )
        # start_timer already ended the pause at the timer's start (entries_changed).
        await db.refresh(pause)
        await audit_service.record(
            db, who, "resume", ENTITY, pause.id, {"end_time": [None, _iso(pause.end_time)]}
        )
        return entry

    async def running(self, db: AsyncSession, who: Principal) -> WorkBreak | None:
        """The caller's running pause, if any."""
        return await worktime_repository.running_break(db, who.employee_id)

    # ---- recorded breaks ----

    async def list(
        self,
        db: AsyncSession,
        who: Principal,
        employee_id: uuid.UUID | None,
        first: date,
        last: date,
    ) -> list[WorkBreak]:
        """Recorded breaks of an employee in a period (own, or in the caller's scope)."""
        owner = await scope.subject(db, who, employee_id)
        return await worktime_repository.breaks(db, [owner], first, last)

    async def record(
        self,
        db: AsyncSession,
        who: Principal,
        *,
        start_time: datetime,
        end_time: datetime,
        note: str | None,
        employee_id: uuid.UUID | None = None,
    ) -> WorkBreak:
        """Record a finished break between work spans; it may not overlap a time entry
        (shorten or split the entry first)."""
        owner = await self._writer(db, who, employee_id)
        if end_time <= start_time:
            raise Invalid("end_time must be after start_time", field="end_time")
        if end_time - start_time > timedelta(hours=24):
            raise Invalid("a break lasts at most 24 hours", field="end_time")
        await worktime_repository.lock_employee(db, owner)
        if await worktime_repository.entries_overlapping(db, owner, start_time, end_time):
            raise Conflict(
                "the break overlaps a time entry; shorten or split the entry first",
                field="start_time",
            )
        pause = WorkBreak(employee_id=owner, start_time=start_time, end_time=end_time, note=note)
        db.add(pause)
        await flush(db)
        await audit_service.record(
            db, who, "create", ENTITY, pause.id, diff(None, _break_snapshot(pause))
        )
        await self.sync(db, owner, {clock.day_of(start_time)})
        return pause

    async def delete(self, db: AsyncSession, who: Principal, break_id: uuid.UUID) -> None:
        """Delete a recorded break (own, or one in the caller's scope with approve)."""
        row = await worktime_repository.work_break(db, break_id)
        if row is None or not await scope.in_scope(db, who, row.employee_id):
            raise NotFound("break")
        await self._writer(db, who, row.employee_id)
        await worktime_repository.lock_employee(db, row.employee_id)
        row = await worktime_repository.work_break(db, break_id, for_update=True)
        if row is None:
            raise NotFound("break")
        before = _break_snapshot(row)
        day = clock.day_of(row.start_time)
        await db.delete(row)
        await flush(db)
        await audit_service.record(db, who, "delete", ENTITY, break_id, diff(before, None))
        await self.sync(db, row.employee_id, {day})

    async def _writer(
        self, db: AsyncSession, who: Principal, employee_id: uuid.UUID | None
    ) -> uuid.UUID:
        if employee_id is None or employee_id == who.employee_id:
            return who.employee_id
        await scope.decider(db, who, employee_id)
        return employee_id


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _break_snapshot(row: WorkBreak) -> dict[str, Any]:
    return snapshot(row, ("employee_id", "start_time", "end_time", "paused_entry_id", "note"))


break_service = BreakService()

"""Month close: the employee submits a month that is over, a manager approves it or sends it
back with a comment, an approved month is locked in the database, and only a manager's
reopening (with its reason, audited) unlocks it. An admin can lock every month up to a date.

Every step takes the employee's queue (the advisory lock time entries use), so a submission,
an approval and an edit of the month's entries happen one after the other: an edit that
loses the race meets the lock trigger, a second approval finds the month approved.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from workmate import clock
from workmate.audit.service import audit_service, diff
from workmate.auth.principal import Principal
from workmate.db import for_delete
from workmate.errors import Conflict, Invalid, NotFound
from workmate.models import AccountBooking, MonthClosing, WorktimeSettings
from workmate.worktime import calc, scope
from workmate.worktime.accounts import account_service
from workmate.worktime.breaks import break_service, flush
from workmate.worktime.notices import worktime_notices
from workmate.worktime.repository import worktime_repository
from workmate.worktime.schemas import BookingCreate, SettingsUpdate
from workmate.worktime.sheets import month_end

ENTITY = "month_closing"
FIELDS = ("status", "submitted_at", "submitted_by", "decided_at", "decided_by", "comment")


class MonthNotOver(Invalid):
    """Only a month that has ended can be submitted or locked."""


class MonthState(Conflict):
    """The month is not in the state the step needs (e.g. approved already)."""


class TimerStillRunning(Conflict):
    """A timer started in the month still runs; stop it first."""


def _snapshot(c: MonthClosing) -> dict[str, Any]:
    return audit_service.snapshot(c, FIELDS)


def _label(month: date) -> str:
    return month.strftime("%Y-%m")


class MonthService:
    async def submit(self, db: AsyncSession, who: Principal, month: date) -> MonthClosing:
        """Hand in one's own month for approval (a month that is over, not locked)."""
        owner = who.employee_id
        if month_end(month) >= clock.today():
            raise MonthNotOver(
                "month {month} is not over yet", field="month", params={"month": _label(month)}
            )
        await worktime_repository.lock_employee(db, owner)
        await self._no_running_timer([owner], db, month_end(month))
        closing = await worktime_repository.closing(db, owner, month, for_update=True)
        if closing is not None and closing.status == "submitted":
            return closing  # submitting twice is one submission
        if closing is not None and closing.status == "approved":
            raise MonthState(
                "month {month} is approved already",
                field="month",
                params={"month": _label(month)},
            )
        if closing is None and await worktime_repository.locked_month(db, owner, month, month):
            raise MonthState(
                "month {month} is locked; a manager must reopen it first",
                field="month",
                params={"month": _label(month)},
            )
        # The month's deductions are brought up to date before anyone signs it off.
        await break_service.sync(db, owner, calc.days(month, month_end(month)))
        before = _snapshot(closing) if closing else None
        if closing is None:
            closing = MonthClosing(employee_id=owner, month=month, status="submitted")
            db.add(closing)
        closing.status = "submitted"
        closing.submitted_at = clock.now()
        closing.submitted_by = who.employee_id
        await flush(db)
        await audit_service.record(
            db, who, "submit", ENTITY, closing.id, diff(before, _snapshot(closing))
        )
        await worktime_notices.month_submitted(db, who, closing)
        return closing

    async def approve(
        self, db: AsyncSession, who: Principal, employee_id: uuid.UUID, month: date
    ) -> MonthClosing:
        """Approve a submitted month: it is locked from now on, its figures signed."""
        await scope.decider(db, who, employee_id)
        await worktime_repository.lock_employee(db, employee_id)
        closing = await worktime_repository.closing(db, employee_id, month, for_update=True)
        if closing is None or closing.status != "submitted":
            state = closing.status if closing else "not submitted"
            raise MonthState(
                "month {month} is {state}; only a submitted month can be approved",
                field="month",
                params={"month": _label(month), "state": state},
            )
        await self._no_running_timer([employee_id], db, month_end(month))
        await break_service.sync(db, employee_id, calc.days(month, month_end(month)))
        account = await account_service.account(db, employee_id, month, month_end(month))
        target, actual, _ = account.totals()
        before = _snapshot(closing)
        closing.status = "approved"
        closing.decided_at = clock.now()
        closing.decided_by = who.employee_id
        closing.comment = None
        closing.target_hours = calc.hours(target)
        closing.actual_hours = calc.hours(actual)
        closing.balance_hours = calc.hours(account_service.balance(account, month_end(month)))
        await flush(db)
        await audit_service.record(
            db, who, "approve", ENTITY, closing.id, diff(before, _snapshot(closing))
        )
        await worktime_notices.month_decided(db, who, closing)
        return closing

    async def send_back(
        self, db: AsyncSession, who: Principal, employee_id: uuid.UUID, month: date, comment: str
    ) -> MonthClosing:
        """Return a submitted month to the employee with a comment (what to correct)."""
        await scope.decider(db, who, employee_id)
        await worktime_repository.lock_employee(db, employee_id)
        closing = await worktime_repository.closing(db, employee_id, month, for_update=True)
        if closing is None or closing.status != "submitted":
            state = closing.status if closing else "not submitted"
            raise MonthState(
                "month {month} is {state}; only a submitted month can be sent back",
                field="month",
                params={"month": _label(month), "state": state},
            )
        before = _snapshot(closing)
        closing.status = "returned"
        closing.decided_at = clock.now()
        closing.decided_by = who.employee_id
        closing.comment = comment
        await flush(db)
        await audit_service.record(
            db, who, "return", ENTITY, closing.id, diff(before, _snapshot(closing))
        )
        await worktime_notices.month_decided(db, who, closing)
        return closing

    async def reopen(
        self, db: AsyncSession, who: Principal, employee_id: uuid.UUID, month: date, reason: str
    ) -> MonthClosing:
        """Unlock an approved (or company-locked) month for a correction; audited with the
        reason. The employee submits it again afterwards."""
        await scope.decider(db, who, employee_id)
        await worktime_repository.lock_employee(db, employee_id)
        closing = await worktime_repository.closing(db, employee_id, month, for_update=True)
        locked = await worktime_repository.locked_month(db, employee_id, month, month)
        if locked is None:
            raise MonthState(
                "month {month} is not locked", field="month", params={"month": _label(month)}
            )
        before = _snapshot(closing) if closing else None
        if closing is None:
            closing = MonthClosing(employee_id=employee_id, month=month, status="reopened")
            db.add(closing)
        closing.status = "reopened"
        closing.decided_at = clock.now()
        closing.decided_by = who.employee_id
        closing.comment = reason
        await flush(db)
        await audit_service.record(
            db,
            who,
            "reopen",
            ENTITY,
            closing.id,
            {**diff(before, _snapshot(closing)), "reason": [None, reason]},
        )
        await worktime_notices.month_decided(db, who, closing)
        return closing

    async def lock_through(self, db: AsyncSession, who: Principal, month: date) -> WorktimeSettings:
        """Lock every employee's months up to and including `month` (a month that is over);
        months handed in or reopened up to then become approved by the caller."""
        last = month_end(month)
        if last >= clock.today():
            raise MonthNotOver(
                "month {month} is not over yet",
                field="through",
                params={"month": _label(month)},
            )
        settings = await worktime_repository.settings(db, for_update=True)
        if settings.locked_through is not None and last < settings.locked_through:
            raise MonthState(
                "months are locked through {month} already; the lock only moves forward",
                field="through",
                params={"month": _label(settings.locked_through)},
            )
        await self._no_running_timer([], db, last)
        before = {"locked_through": settings.locked_through}
        now = clock.now()
        changed = await db.execute(
            update(MonthClosing)
            .where(MonthClosing.month <= last, MonthClosing.status != "approved")
            .values(
                status="approved",
                decided_at=now,
                decided_by=who.employee_id,
                comment=None,
            )
            .returning(MonthClosing.id)
        )
        settings.locked_through = last
        await flush(db)
        await audit_service.record(
            db,
            who,
            "lock",
            "worktime_settings",
            1,
            {
                **diff(before, {"locked_through": last}),
                "approved_closings": [None, len(changed.all())],
            },
        )
        return settings

    async def _no_running_timer(
        self, employee_ids: list[uuid.UUID], db: AsyncSession, last: date
    ) -> None:
        _, upper = clock.period_bounds(last, last)
        running = await worktime_repository.running_timer_before(db, employee_ids, upper)
        if running:
            raise TimerStillRunning(
                "a timer started on {day} still runs; stop it before closing the month",
                field="month",
                params={"day": clock.day_of(running[0][1]).isoformat()},
            )

    async def closings(
        self, db: AsyncSession, who: Principal, employee_id: uuid.UUID | None, year: int
    ) -> list[MonthClosing]:
        """An employee's closings of a year (own, or in the caller's scope)."""
        owner = await scope.subject(db, who, employee_id)
        return await worktime_repository.closings(db, [owner], date(year, 1, 1), date(year, 12, 31))

    # ---- settings and bookings ----

    async def settings(self, db: AsyncSession) -> WorktimeSettings:
        """The company's working-time rules."""
        return await worktime_repository.settings(db)

    async def update_settings(
        self, db: AsyncSession, who: Principal, data: SettingsUpdate
    ) -> WorktimeSettings:
        """Change the rules; a new break mode is applied to the open months from the
        previous month on (older open months follow on their next change)."""
        settings = await worktime_repository.settings(db, for_update=True)
        given = data.model_dump(exclude_unset=True)
        for name in ("break_mode", "half_days", "catholic_holidays"):
            if name in given and given[name] is None:
                raise Invalid(f"{name} cannot be empty", field=name)
        if "carry_over_expiry" in given and given["carry_over_expiry"] is not None:
            try:
                date.fromisoformat(f"2024-{given['carry_over_expiry']}")
            except ValueError:
                raise Invalid(
                    "carry_over_expiry is not a day of the year", field="carry_over_expiry"
                ) from None
        if "half_days" in given:
            given["half_days"] = sorted(set(given["half_days"]))
        fields = ("break_mode", "half_days", "catholic_holidays", "carry_over_expiry")
        before = audit_service.snapshot(settings, fields)
        for name, value in given.items():
            setattr(settings, name, value)
        await flush(db)
        after = audit_service.snapshot(settings, fields)
        await audit_service.record(db, who, "update", "worktime_settings", 1, diff(before, after))
        if before["break_mode"] != after["break_mode"]:
            await self._resync_breaks(db)
        return settings

    async def _resync_breaks(self, db: AsyncSession) -> None:
        today = clock.today()
        first = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
        from workmate.models import Employee

        ids = list(await db.scalars(select(Employee.id).where(Employee.is_active.is_(True))))
        for employee_id in ids:
            await break_service.sync(db, employee_id, calc.days(first, today))

    async def bookings(
        self, db: AsyncSession, who: Principal, employee_id: uuid.UUID | None
    ) -> list[AccountBooking]:
        """An employee's account bookings (own, or in the caller's scope)."""
        owner = await scope.subject(db, who, employee_id)
        return await worktime_repository.bookings(db, [owner], date.max)

    async def book(self, db: AsyncSession, who: Principal, data: BookingCreate) -> AccountBooking:
        """Book an opening balance, a payout or a correction (a closed month refuses)."""
        if not await worktime_repository.employee_exists(db, data.employee_id):
            raise Invalid("employee not found", field="employee_id")
        if data.employee_id == who.employee_id and not who.can("worktime", "configure"):
            raise Invalid("you cannot book on your own account", field="employee_id")
        if data.quantity == 0:
            raise Invalid("quantity must not be 0", field="quantity")
        if data.kind == "payout" and data.quantity < 0:
            raise Invalid("a payout is given as a positive quantity", field="quantity")
        await worktime_repository.lock_employee(db, data.employee_id)
        booking = AccountBooking(**data.model_dump(), created_by=who.employee_id)
        db.add(booking)
        await flush(db)
        await audit_service.record(
            db,
            who,
            "create",
            "account_booking",
            booking.id,
            diff(None, audit_service.snapshot(booking, tuple(data.model_dump()))),
        )
        return booking

    async def unbook(self, db: AsyncSession, who: Principal, booking_id: uuid.UUID) -> None:
        """Delete a booking made by mistake (a closed month refuses)."""
        booking = await db.get(AccountBooking, booking_id)
        if booking is None:
            raise NotFound("booking")
        await worktime_repository.lock_employee(db, booking.employee_id)
        # Read again under the lock: of parallel deletes only the first still finds it.
        booking = await _for_delete(db, AccountBooking, booking_id, "booking")
        before = audit_service.snapshot(
            booking, ("employee_id", "account", "kind", "day", "quantity", "note")
        )
        await db.delete(booking)
        await flush(db)
        await audit_service.record(
            db, who, "delete", "account_booking", booking_id, diff(before, None)
        )


month_service = MonthService()


async def _for_delete(db: AsyncSession, model: Any, row_id: uuid.UUID, what: str) -> Any:
    row = await for_delete(db, model, row_id)
    if row is None:
        raise NotFound(what)
    return row

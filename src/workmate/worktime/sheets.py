"""Time sheets: an employee's days, week and month with target, actual, difference, breaks,
deductions and ArbZG warnings; and the team's month at a glance."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from workmate import clock
from workmate.auth.principal import Principal
from workmate.time_entries.service import arbzg_warnings
from workmate.worktime import calc, scope
from workmate.worktime.accounts import Account, Day, account_service
from workmate.worktime.calc import ZERO, hours
from workmate.worktime.repository import Person, day_spans, worktime_repository
from workmate.worktime.schemas import (
    AbsenceOnDay,
    DayRead,
    MonthRead,
    TeamRow,
    Warning,
    WeekRead,
)

LOCKED = "locked"


def month_end(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def day_read(
    d: Day,
    spans: Sequence[tuple[datetime, datetime]] = (),
    warnings: Sequence[Warning] = (),
) -> DayRead:
    plan = d.plan
    return DayRead(
        day=d.day,
        contract_hours=plan.hours,
        holiday=plan.holiday,
        holiday_name=plan.holiday_name,
        absence=(
            AbsenceOnDay(
                id=plan.absence.id,
                kind=plan.absence.kind,
                status=plan.absence.status,
                fraction=plan.absence_fraction,
            )
            if plan.absence is not None
            else None
        ),
        target_hours=hours(d.target),
        worked_hours=hours(d.worked),
        deduction_minutes=d.deduction_minutes,
        deduction_id=d.deduction_id,
        deduction_reversed=d.deduction_reversed,
        actual_hours=hours(d.actual),
        difference_hours=hours(d.difference) if d.difference is not None else None,
        in_contract=d.counted,
        first_start=min((s for s, _ in spans), default=None),
        last_end=max((e for _, e in spans), default=None),
        break_minutes=int(calc.recognised_breaks(spans) // 60),
        warnings=list(warnings),
    )


async def warnings_by_day(
    db: AsyncSession, employee_id: uuid.UUID, first: date, last: date
) -> tuple[dict[date, list[Warning]], dict[date, list[tuple[datetime, datetime]]]]:
    """ArbZG warnings per day (the day before the period gives the first rest period) and
    the day's work spans."""
    rows = await worktime_repository.spans(db, [employee_id], first - timedelta(days=1), last)
    grouped = day_spans(rows)
    spans = [(r.start_time, r.end_time) for r in rows]
    found: dict[date, list[Warning]] = {}
    for w in arbzg_warnings(spans):
        if first <= w.day <= last:
            found.setdefault(w.day, []).append(
                Warning(
                    rule=w.rule,
                    message=w.message,
                    hours_worked=w.hours_worked,
                    break_minutes=w.break_minutes,
                    rest_hours=w.rest_hours,
                )
            )
    return found, {day: s for (_, day), s in grouped.items()}


class SheetService:
    async def days(
        self,
        db: AsyncSession,
        who: Principal,
        employee_id: uuid.UUID | None,
        first: date,
        last: date,
    ) -> list[DayRead]:
        """Each day of a period (at most a year) with target, actual, difference, breaks and
        warnings; own, or an employee in the caller's scope."""
        owner = await scope.subject(db, who, employee_id)
        _period(first, last)
        account = await account_service.account(db, owner, first, last)
        warnings, spans = await warnings_by_day(db, owner, first, last)
        return [day_read(d, spans.get(d.day, []), warnings.get(d.day, [])) for d in account.days]

    async def week(
        self, db: AsyncSession, who: Principal, employee_id: uuid.UUID | None, monday: date
    ) -> WeekRead:
        """An ISO week: days, totals and the overtime balance at its end (or today)."""
        owner = await scope.subject(db, who, employee_id)
        sunday = monday + timedelta(days=6)
        account = await account_service.account(db, owner, monday, sunday)
        warnings, spans = await warnings_by_day(db, owner, monday, sunday)
        target, actual, difference = account.totals()
        year, week, _ = monday.isocalendar()
        return WeekRead(
            employee_id=owner,
            week=f"{year}-W{week:02d}",
            target_hours=hours(target),
            actual_hours=hours(actual),
            difference_hours=hours(difference),
            balance_hours=hours(
                account_service.balance(account, min(sunday, max(clock.today(), monday)))
            ),
            days=[day_read(d, spans.get(d.day, []), warnings.get(d.day, [])) for d in account.days],
        )

    async def month(
        self, db: AsyncSession, who: Principal, employee_id: uuid.UUID | None, month: date
    ) -> MonthRead:
        """A month: days, totals, balances at its start and end, and its closing status."""
        owner = await scope.subject(db, who, employee_id)
        return await self.month_of(db, owner, month)

    async def month_of(self, db: AsyncSession, owner: uuid.UUID, month: date) -> MonthRead:
        last = month_end(month)
        account = await account_service.account(db, owner, month, last)
        warnings, spans = await warnings_by_day(db, owner, month, last)
        [person] = await worktime_repository.people(db, ids=[owner])
        closing = account.records.closings.get(month) if account.records else None
        status = await self.status(db, owner, month, closing.status if closing else None)
        decider = None
        if closing is not None and closing.decided_by is not None:
            found = await worktime_repository.people(db, ids=[closing.decided_by])
            decider = found[0].name if found else None
        return self._month_read(
            account,
            person,
            month,
            last,
            status,
            closing,
            decider,
            [day_read(d, spans.get(d.day, []), warnings.get(d.day, [])) for d in account.days],
        )

    def _month_read(
        self,
        account: Account,
        person: Person,
        month: date,
        last: date,
        status: str,
        closing: object | None,
        decider: str | None,
        days: list[DayRead],
    ) -> MonthRead:
        target, actual, difference = account.totals()
        today = clock.today()
        end = min(last, max(today, month - timedelta(days=1)))
        vacation = sum(
            (
                d.plan.absence_days
                for d in account.days
                if d.plan.absence is not None and d.plan.absence.kind == "vacation"
            ),
            ZERO,
        )
        sick = sum(
            (
                d.plan.absence_days
                for d in account.days
                if d.plan.absence is not None and d.plan.absence.kind == "sick"
            ),
            ZERO,
        )
        return MonthRead(
            employee_id=account.employee_id,
            employee_name=person.name,
            month=month.strftime("%Y-%m"),
            status=status,
            locked=status in ("approved", LOCKED),
            submitted_at=getattr(closing, "submitted_at", None),
            decided_at=getattr(closing, "decided_at", None),
            decided_by=getattr(closing, "decided_by", None),
            decided_by_name=decider,
            comment=getattr(closing, "comment", None),
            target_hours=hours(target),
            actual_hours=hours(actual),
            difference_hours=hours(difference),
            balance_start_hours=hours(account.opening_balance),
            balance_end_hours=hours(account_service.balance(account, end)),
            vacation_days=vacation,
            sick_days=sick,
            deduction_minutes=sum(d.deduction_minutes for d in account.days),
            days=days,
        )

    async def status(
        self, db: AsyncSession, employee_id: uuid.UUID, month: date, stored: str | None
    ) -> str:
        """open / submitted / approved / returned / reopened, or locked by the company lock."""
        if stored is not None:
            return stored
        settings = await worktime_repository.settings(db)
        if settings.locked_through is not None and month <= settings.locked_through:
            return LOCKED
        return "open"

    async def team(
        self,
        db: AsyncSession,
        who: Principal,
        month: date,
        department_id: uuid.UUID | None,
    ) -> list[TeamRow]:
        """The month of everyone the caller decides for (or sees): status and figures."""
        people = await self.team_people(db, who, department_id)
        if not people:
            return []
        last = month_end(month)
        accounts = await account_service.accounts(db, [p.id for p in people], month, last)
        settings = await worktime_repository.settings(db)
        rows = await worktime_repository.spans(
            db, [p.id for p in people], month - timedelta(days=1), last
        )
        by_employee: dict[uuid.UUID, list[tuple[datetime, datetime]]] = {}
        for r in rows:
            by_employee.setdefault(r.employee_id, []).append((r.start_time, r.end_time))
        today = clock.today()
        end = min(last, max(today, month - timedelta(days=1)))
        result: list[TeamRow] = []
        for p in people:
            account = accounts[p.id]
            closing = account.records.closings.get(month) if account.records else None
            if closing is not None:
                status = closing.status
            elif settings.locked_through is not None and month <= settings.locked_through:
                status = LOCKED
            else:
                status = "open"
            target, actual, difference = account.totals()
            warnings = [
                w for w in arbzg_warnings(by_employee.get(p.id, [])) if month <= w.day <= last
            ]
            result.append(
                TeamRow(
                    employee_id=p.id,
                    name=p.name,
                    department=p.department,
                    status=status,
                    target_hours=hours(target),
                    actual_hours=hours(actual),
                    difference_hours=hours(difference),
                    balance_hours=hours(account_service.balance(account, end)),
                    warnings=len(warnings),
                )
            )
        return result

    async def team_people(
        self, db: AsyncSession, who: Principal, department_id: uuid.UUID | None
    ) -> list[Person]:
        """Employees the caller sees beyond themselves (led departments, or everyone)."""
        departments = await scope.visible(db, who)
        if departments is None:
            chosen = None if department_id is None else [department_id]
        else:
            if department_id is not None:
                if department_id not in departments:
                    return []
                departments = [department_id]
            if not departments:
                return []
            chosen = departments
        people = await worktime_repository.people(db, departments=chosen)
        return [p for p in people if p.is_active or p.id == who.employee_id]

    async def balance(
        self, db: AsyncSession, who: Principal, employee_id: uuid.UUID | None, at: date
    ) -> tuple[uuid.UUID, Decimal]:
        """The overtime balance (hours) at the end of a day."""
        owner = await scope.subject(db, who, employee_id)
        return owner, hours(await account_service.balance_at(db, owner, at))


def _period(first: date, last: date) -> None:
    from workmate.errors import Invalid

    if last < first:
        raise Invalid("'to' must not be before 'from'", field="to")
    if (last - first).days > 366:
        raise Invalid("a period spans at most a year", field="to")


sheet_service = SheetService()

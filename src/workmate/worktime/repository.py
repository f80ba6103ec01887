"""SQL of the working-time domain. Loaders take many employees at once, so a team view or a
payroll export costs the same few statements as one employee's month (no N+1)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, and_, cast, func, or_, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from workmate.clock import BUSINESS_ZONE_NAME, period_bounds
from workmate.models import (
    Absence,
    AccountBooking,
    BreakDeduction,
    Department,
    Employee,
    MonthClosing,
    PublicHoliday,
    TimeEntry,
    WorkBreak,
    WorkContract,
    WorktimeSettings,
)
from workmate.worktime.calc import Away, Terms, seconds


def local_day(column: Any) -> Any:
    """The business calendar day of a timestamptz column, in SQL."""
    return cast(func.timezone(BUSINESS_ZONE_NAME, column), Date)


def terms(c: WorkContract) -> Terms:
    return Terms(
        id=c.id,
        valid_from=c.valid_from,
        valid_to=c.valid_to,
        day_hours=c.day_hours(),
        vacation_days=c.vacation_days,
        federal_state=c.federal_state,
    )


def away(a: Absence) -> Away:
    return Away(a.id, a.kind, a.start_date, a.end_date, a.half_day_start, a.half_day_end, a.status)


@dataclass
class Records:
    """Everything one employee's figures are made of, over a period."""

    employee_id: uuid.UUID
    contracts: list[Terms] = field(default_factory=list)
    absences: list[Away] = field(default_factory=list)  # approved and requested
    worked: dict[date, Decimal] = field(default_factory=dict)  # seconds per day
    deductions: dict[date, BreakDeduction] = field(default_factory=dict)
    bookings: list[AccountBooking] = field(default_factory=list)
    closings: dict[date, MonthClosing] = field(default_factory=dict)

    def approved(self) -> list[Away]:
        return [a for a in self.absences if a.status == "approved"]


@dataclass(frozen=True, slots=True)
class Person:
    id: uuid.UUID
    name: str
    email: str
    department_id: uuid.UUID | None
    department: str | None
    is_active: bool


class WorktimeRepository:
    async def lock_employee(self, db: AsyncSession, employee_id: uuid.UUID) -> None:
        # The time entries' queue (same key): a pause, a break, a timer stop and the approval
        # of the employee's month run one after the other, never interleaved.
        await db.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
            {"key": f"time_entries:{employee_id}"},
        )

    async def settings(self, db: AsyncSession, *, for_update: bool = False) -> WorktimeSettings:
        query = select(WorktimeSettings).where(WorktimeSettings.id == 1)
        if for_update:
            query = query.with_for_update().execution_options(populate_existing=True)
        found = (await db.scalars(query)).first()
        if found is None:  # the migration seeds it; a hand-deleted row comes back
            await db.execute(insert(WorktimeSettings).values(id=1).on_conflict_do_nothing())
            found = (await db.scalars(query.execution_options(populate_existing=True))).one()
        return found

    # ---- people ----

    async def people(
        self,
        db: AsyncSession,
        *,
        ids: Iterable[uuid.UUID] | None = None,
        departments: Iterable[uuid.UUID] | None = None,
        active_only: bool = False,
    ) -> list[Person]:
        query = (
            select(Employee, Department.name.label("department"))
            .outerjoin(Department, Department.id == Employee.department_id)
            .order_by(Employee.lastname, Employee.firstname, Employee.id)
        )
        if ids is not None:
            query = query.where(Employee.id.in_(list(ids)))
        if departments is not None:
            query = query.where(Employee.department_id.in_(list(departments)))
        if active_only:
            query = query.where(Employee.is_active.is_(True))
        return [
            Person(
                e.id,
                f"{e.firstname} {e.lastname}",
                e.email,
                e.department_id,
                dept,
                e.is_active,
            )
            for e, dept in (await db.execute(query)).all()
        ]

    async def led_departments(self, db: AsyncSession, manager_id: uuid.UUID) -> list[uuid.UUID]:
        return list(
            await db.scalars(select(Department.id).where(Department.manager_id == manager_id))
        )

    async def departments(self, db: AsyncSession) -> list[tuple[uuid.UUID, str]]:
        rows = await db.execute(select(Department.id, Department.name).order_by(Department.name))
        return [(r.id, r.name) for r in rows]

    async def department_of(self, db: AsyncSession, employee_id: uuid.UUID) -> uuid.UUID | None:
        return await db.scalar(select(Employee.department_id).where(Employee.id == employee_id))

    async def employee_exists(self, db: AsyncSession, employee_id: uuid.UUID) -> bool:
        return (await db.scalar(select(Employee.id).where(Employee.id == employee_id))) is not None

    # ---- records ----

    async def contracts(
        self, db: AsyncSession, employee_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, list[WorkContract]]:
        rows = await db.scalars(
            select(WorkContract)
            .where(WorkContract.employee_id.in_(employee_ids))
            .order_by(WorkContract.employee_id, WorkContract.valid_from)
        )
        found: dict[uuid.UUID, list[WorkContract]] = defaultdict(list)
        for c in rows:
            found[c.employee_id].append(c)
        return found

    async def holidays(
        self, db: AsyncSession, states: Iterable[str], first: date, last: date
    ) -> list[PublicHoliday]:
        # Catholic-municipality days only when the company's settings say so; read in the
        # same statement, so no caller pays a round trip for the setting.
        catholic = (
            select(WorktimeSettings.catholic_holidays)
            .where(WorktimeSettings.id == 1)
            .scalar_subquery()
        )
        rows = await db.scalars(
            select(PublicHoliday)
            .where(
                PublicHoliday.federal_state.in_(sorted(set(states))),
                PublicHoliday.day.between(first, last),
                or_(PublicHoliday.category == "public", func.coalesce(catholic, False)),
            )
            .order_by(PublicHoliday.day, PublicHoliday.federal_state)
        )
        return list(rows)

    async def holiday_years(self, db: AsyncSession, first: int, last: int) -> set[int]:
        """Years between first and last of which holidays are stored."""
        year = func.extract("year", PublicHoliday.day)
        rows = await db.scalars(select(year).where(year.between(first, last)).group_by(year))
        return {int(y) for y in rows}

    async def add_holidays(self, db: AsyncSession, rows: list[dict[str, Any]]) -> None:
        if rows:
            await db.execute(insert(PublicHoliday).on_conflict_do_nothing(), rows)

    async def absences(
        self,
        db: AsyncSession,
        employee_ids: Sequence[uuid.UUID],
        first: date,
        last: date,
        statuses: Sequence[str] = ("approved", "requested"),
    ) -> list[Absence]:
        rows = await db.scalars(
            select(Absence)
            .where(
                Absence.employee_id.in_(employee_ids),
                Absence.status.in_(statuses),
                Absence.start_date <= last,
                Absence.end_date >= first,
            )
            .order_by(Absence.start_date, Absence.id)
        )
        return list(rows)

    async def worked(
        self, db: AsyncSession, employee_ids: Sequence[uuid.UUID], first: date, last: date
    ) -> list[Any]:
        """Seconds of finished time entries per employee and day they started on."""
        lower, upper = period_bounds(first, last)
        day = local_day(TimeEntry.start_time)
        query = (
            select(
                TimeEntry.employee_id,
                day.label("day"),
                func.sum(func.extract("epoch", TimeEntry.duration)).label("seconds"),
            )
            .where(
                TimeEntry.employee_id.in_(employee_ids),
                TimeEntry.end_time.is_not(None),
                TimeEntry.start_time >= lower,
                TimeEntry.start_time < upper,
            )
            .group_by(TimeEntry.employee_id, day)
        )
        return list((await db.execute(query)).all())

    async def spans(
        self, db: AsyncSession, employee_ids: Sequence[uuid.UUID], first: date, last: date
    ) -> list[Any]:
        """Finished entries (employee, start, end) started in the period, in order."""
        lower, upper = period_bounds(first, last)
        query = (
            select(TimeEntry.employee_id, TimeEntry.start_time, TimeEntry.end_time)
            .where(
                TimeEntry.employee_id.in_(employee_ids),
                TimeEntry.end_time.is_not(None),
                TimeEntry.start_time >= lower,
                TimeEntry.start_time < upper,
            )
            .order_by(TimeEntry.employee_id, TimeEntry.start_time)
        )
        return list((await db.execute(query)).all())

    async def breaks(
        self, db: AsyncSession, employee_ids: Sequence[uuid.UUID], first: date, last: date
    ) -> list[WorkBreak]:
        lower, upper = period_bounds(first, last)
        rows = await db.scalars(
            select(WorkBreak)
            .where(
                WorkBreak.employee_id.in_(employee_ids),
                WorkBreak.start_time >= lower,
                WorkBreak.start_time < upper,
            )
            .order_by(WorkBreak.employee_id, WorkBreak.start_time)
        )
        return list(rows)

    async def deductions(
        self, db: AsyncSession, employee_ids: Sequence[uuid.UUID], first: date, last: date
    ) -> list[BreakDeduction]:
        rows = await db.scalars(
            select(BreakDeduction)
            .where(
                BreakDeduction.employee_id.in_(employee_ids),
                BreakDeduction.day.between(first, last),
            )
            .order_by(BreakDeduction.employee_id, BreakDeduction.day)
        )
        return list(rows)

    async def bookings(
        self, db: AsyncSession, employee_ids: Sequence[uuid.UUID], last: date
    ) -> list[AccountBooking]:
        rows = await db.scalars(
            select(AccountBooking)
            .where(AccountBooking.employee_id.in_(employee_ids), AccountBooking.day <= last)
            .order_by(AccountBooking.day, AccountBooking.created_at, AccountBooking.id)
        )
        return list(rows)

    async def closings(
        self, db: AsyncSession, employee_ids: Sequence[uuid.UUID], first: date, last: date
    ) -> list[MonthClosing]:
        rows = await db.scalars(
            select(MonthClosing)
            .where(
                MonthClosing.employee_id.in_(employee_ids),
                MonthClosing.month.between(first.replace(day=1), last),
            )
            .order_by(MonthClosing.month)
        )
        return list(rows)

    async def closing(
        self, db: AsyncSession, employee_id: uuid.UUID, month: date, *, for_update: bool = False
    ) -> MonthClosing | None:
        query = select(MonthClosing).where(
            MonthClosing.employee_id == employee_id, MonthClosing.month == month
        )
        if for_update:
            query = query.with_for_update().execution_options(populate_existing=True)
        return (await db.scalars(query)).first()

    async def locked_month(
        self, db: AsyncSession, employee_id: uuid.UUID, first: date, last: date | None
    ) -> date | None:
        """The first locked month between the days (the database's own rule), or None."""
        found = await db.scalar(
            text("SELECT wm_locked_month(:e, :f, :l)"), {"e": employee_id, "f": first, "l": last}
        )
        return found if isinstance(found, date) else None

    async def running_timer_before(
        self, db: AsyncSession, employee_ids: Sequence[uuid.UUID], before: datetime
    ) -> list[tuple[uuid.UUID, datetime]]:
        rows = await db.execute(
            select(TimeEntry.employee_id, TimeEntry.start_time).where(
                TimeEntry.employee_id.in_(employee_ids) if employee_ids else text("true"),
                TimeEntry.end_time.is_(None),
                TimeEntry.start_time < before,
            )
        )
        return [(r.employee_id, r.start_time) for r in rows]

    async def load(
        self,
        db: AsyncSession,
        employee_ids: Sequence[uuid.UUID],
        first: date,
        last: date,
        *,
        with_bookings: bool = True,
    ) -> dict[uuid.UUID, Records]:
        """The records of each employee between first and last (contracts: all of them)."""
        records = {e: Records(e) for e in employee_ids}
        ids = list(employee_ids)
        for e, contracts in (await self.contracts(db, ids)).items():
            records[e].contracts = [terms(c) for c in contracts]
        for a in await self.absences(db, ids, first, last):
            records[a.employee_id].absences.append(away(a))
        for row in await self.worked(db, ids, first, last):
            records[row.employee_id].worked[row.day] = Decimal(row.seconds)
        for d in await self.deductions(db, ids, first, last):
            records[d.employee_id].deductions[d.day] = d
        if with_bookings:
            for b in await self.bookings(db, ids, last):
                records[b.employee_id].bookings.append(b)
        for c in await self.closings(db, ids, first, last):
            records[c.employee_id].closings[c.month] = c
        return records

    async def first_contract_day(
        self, db: AsyncSession, employee_ids: Sequence[uuid.UUID]
    ) -> date | None:
        return await db.scalar(
            select(func.min(WorkContract.valid_from)).where(
                WorkContract.employee_id.in_(employee_ids)
            )
        )

    async def absence(
        self, db: AsyncSession, absence_id: uuid.UUID, *, for_update: bool = False
    ) -> Absence | None:
        query = select(Absence).where(Absence.id == absence_id)
        if for_update:
            query = query.with_for_update().execution_options(populate_existing=True)
        return (await db.scalars(query)).first()

    async def absence_list(
        self,
        db: AsyncSession,
        *,
        employee_ids: Sequence[uuid.UUID] | None,
        first: date | None,
        last: date | None,
        status: str | None,
        kind: str | None,
        limit: int,
        offset: int,
    ) -> tuple[list[Absence], int]:
        conditions: list[Any] = []
        if employee_ids is not None:
            conditions.append(Absence.employee_id.in_(employee_ids))
        if first is not None:
            conditions.append(Absence.end_date >= first)
        if last is not None:
            conditions.append(Absence.start_date <= last)
        if status is not None:
            conditions.append(Absence.status == status)
        if kind is not None:
            conditions.append(Absence.kind == kind)
        where = and_(*conditions) if conditions else text("true")
        total = await db.scalar(select(func.count()).select_from(Absence).where(where))
        items = await db.scalars(
            select(Absence)
            .where(where)
            .order_by(Absence.start_date.desc(), Absence.id)
            .limit(limit)
            .offset(offset)
        )
        return list(items), int(total or 0)

    async def deduction(
        self, db: AsyncSession, deduction_id: uuid.UUID, *, for_update: bool = False
    ) -> BreakDeduction | None:
        query = select(BreakDeduction).where(BreakDeduction.id == deduction_id)
        if for_update:
            query = query.with_for_update().execution_options(populate_existing=True)
        return (await db.scalars(query)).first()

    async def work_break(
        self, db: AsyncSession, break_id: uuid.UUID, *, for_update: bool = False
    ) -> WorkBreak | None:
        query = select(WorkBreak).where(WorkBreak.id == break_id)
        if for_update:
            query = query.with_for_update().execution_options(populate_existing=True)
        return (await db.scalars(query)).first()

    async def running_break(
        self, db: AsyncSession, employee_id: uuid.UUID, *, for_update: bool = False
    ) -> WorkBreak | None:
        query = select(WorkBreak).where(
            WorkBreak.employee_id == employee_id, WorkBreak.end_time.is_(None)
        )
        if for_update:
            query = query.with_for_update().execution_options(populate_existing=True)
        return (await db.scalars(query)).first()

    async def entries_overlapping(
        self, db: AsyncSession, employee_id: uuid.UUID, start: datetime, end: datetime
    ) -> int:
        """Time entries of the employee that overlap [start, end) (running ones reach on)."""
        found = await db.scalar(
            select(func.count())
            .select_from(TimeEntry)
            .where(
                TimeEntry.employee_id == employee_id,
                TimeEntry.start_time < end,
                or_(TimeEntry.end_time.is_(None), TimeEntry.end_time > start),
            )
        )
        return int(found or 0)

    async def breaks_overlapping(
        self, db: AsyncSession, employee_id: uuid.UUID, start: datetime, end: datetime | None
    ) -> int:
        query = (
            select(func.count())
            .select_from(WorkBreak)
            .where(
                WorkBreak.employee_id == employee_id,
                or_(WorkBreak.end_time.is_(None), WorkBreak.end_time > start),
            )
        )
        if end is not None:
            query = query.where(WorkBreak.start_time < end)
        return int(await db.scalar(query) or 0)


def day_spans(rows: Iterable[Any]) -> dict[tuple[uuid.UUID, date], list[tuple[datetime, datetime]]]:
    """Finished entries grouped by employee and the business day they started on."""
    from workmate.clock import day_of

    grouped: dict[tuple[uuid.UUID, date], list[tuple[datetime, datetime]]] = defaultdict(list)
    for r in rows:
        grouped[(r.employee_id, day_of(r.start_time))].append((r.start_time, r.end_time))
    return grouped


def worked_seconds(spans: Iterable[tuple[datetime, datetime]]) -> Decimal:
    return sum((seconds(end - start) for start, end in spans), Decimal(0))


worktime_repository = WorktimeRepository()

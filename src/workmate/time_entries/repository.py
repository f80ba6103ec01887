"""SQL for time entries. Object-level visibility is applied here, never in the routes."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Insert,
    Select,
    Table,
    Update,
    case,
    cast,
    extract,
    func,
    literal,
    select,
    text,
)
from sqlalchemy import Date as SqlDate
from sqlalchemy import Numeric as SqlNumeric
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.selectable import CTE

from workmate import clock
from workmate.auth.principal import Principal
from workmate.db import written_with
from workmate.models import Customer, Employee, Invoice, Project, TimeEntry
from workmate.reads import Reader, json_column, json_object, read_sql
from workmate.time_entries.schemas import TimeEntryRead

# The table itself, for the timer's one-statement writes (Core INSERT/UPDATE ... RETURNING).
TIME_ENTRIES: Table = TimeEntry.__table__  # type: ignore[assignment]

# Days, weeks and months are the company's calendar, not UTC's.
BERLIN = clock.BUSINESS_ZONE
BERLIN_NAME = "Europe/Berlin"


def day_start(day: date) -> datetime:
    """The instant a Berlin calendar day begins (DST-aware)."""
    return datetime.combine(day, time.min, tzinfo=BERLIN)


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[first instant of `start`, first instant after `end`) in Berlin time."""
    return day_start(start), day_start(end + timedelta(days=1))


def can_manage(who: Principal) -> bool:
    return who.can("time_entries", "manage")


def visible_to(who: Principal) -> ColumnElement[bool]:
    """Without `manage` an employee sees only their own entries."""
    if can_manage(who):
        return literal(True)
    return TimeEntry.employee_id == who.employee_id


def hours_of(duration: Any) -> ColumnElement[Any]:
    """An interval as hours (numeric, unrounded)."""
    return cast(extract("epoch", duration), SqlNumeric) / 3600


def employee_name() -> ColumnElement[str]:
    return Employee.firstname + " " + Employee.lastname


# One entry by id ($1), visible as visible_to() rules: everyone's with manage ($2), else only
# the caller's own ($3).
_ENTRY_JSON = read_sql(
    f"SELECT ({json_object(TimeEntryRead, 't')})::text FROM time_entries t "  # noqa: S608
    "WHERE t.id = $1 AND ($2 OR t.employee_id = $3)"
)


class TimeEntryRepository:
    async def lock_employee(self, db: AsyncSession, employee_id: uuid.UUID) -> None:
        # Serialises an employee's timer starts/stops and entry writes: concurrent requests
        # queue here instead of racing into the constraints (where two inserts can deadlock
        # on the exclusion check). The constraints stay the last line of defence.
        await db.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
            {"key": f"time_entries:{employee_id}"},
        )

    async def write(
        self,
        db: AsyncSession,
        write: Insert | Update,
        beside: Callable[[CTE], list[Insert | Update]],
    ) -> TimeEntry | None:
        """`write` (an INSERT or UPDATE of time_entries RETURNING every column) and the
        statements `beside` builds over its RETURNING (the audit row, a pause it ends) as one
        statement (workmate.db.written_with); the entry, fresh in the session, or None."""
        return await written_with(db, TimeEntry, write, beside)

    async def get(
        self, db: AsyncSession, who: Principal, entry_id: uuid.UUID, *, for_update: bool = False
    ) -> TimeEntry | None:
        query = select(TimeEntry).where(TimeEntry.id == entry_id, visible_to(who))
        if for_update:
            # Re-read under the lock: what another transaction committed meanwhile counts.
            query = query.with_for_update().execution_options(populate_existing=True)
        return (await db.scalars(query)).first()

    async def get_json(self, reader: Reader, who: Principal, entry_id: uuid.UUID) -> str | None:
        """The entry as TimeEntryRead's JSON text (built by PostgreSQL) if `who` may see it."""
        body: str | None = await reader.fetchval(
            _ENTRY_JSON, entry_id, can_manage(who), who.employee_id
        )
        return body

    async def running(
        self, db: AsyncSession, employee_id: uuid.UUID, *, for_update: bool = False
    ) -> TimeEntry | None:
        query = select(TimeEntry).where(
            TimeEntry.employee_id == employee_id, TimeEntry.end_time.is_(None)
        )
        if for_update:
            query = query.with_for_update().execution_options(populate_existing=True)
        return (await db.scalars(query)).first()

    async def last_stopped(self, db: AsyncSession, employee_id: uuid.UUID) -> TimeEntry | None:
        query = (
            select(TimeEntry)
            .where(TimeEntry.employee_id == employee_id, TimeEntry.end_time.is_not(None))
            .order_by(TimeEntry.updated_at.desc())
            .limit(1)
        )
        return (await db.scalars(query)).first()

    async def project(self, db: AsyncSession, project_id: uuid.UUID) -> Project | None:
        return await db.get(Project, project_id)

    async def employee_exists(self, db: AsyncSession, employee_id: uuid.UUID) -> bool:
        found = await db.scalar(select(Employee.id).where(Employee.id == employee_id))
        return found is not None

    async def billing_invoice(
        self, db: AsyncSession, invoice_id: uuid.UUID
    ) -> tuple[str, str | None] | None:
        """(status, number) of the invoice an entry is billed on, None if it is gone."""
        row = (
            await db.execute(select(Invoice.status, Invoice.number).where(Invoice.id == invoice_id))
        ).first()
        return None if row is None else (str(row.status), row.number)

    def _filtered(
        self,
        who: Principal,
        *,
        employee_id: uuid.UUID | None,
        project_id: uuid.UUID | None,
        start: date | None,
        end: date | None,
        billable: bool | None,
    ) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = [visible_to(who)]
        if employee_id is not None:
            conditions.append(TimeEntry.employee_id == employee_id)
        if project_id is not None:
            conditions.append(TimeEntry.project_id == project_id)
        if start is not None:
            conditions.append(TimeEntry.start_time >= day_start(start))
        if end is not None:
            conditions.append(TimeEntry.start_time < day_start(end + timedelta(days=1)))
        if billable is not None:
            conditions.append(TimeEntry.billable.is_(billable))
        return conditions

    async def search(
        self,
        db: AsyncSession,
        who: Principal,
        *,
        employee_id: uuid.UUID | None = None,
        project_id: uuid.UUID | None = None,
        start: date | None = None,
        end: date | None = None,
        billable: bool | None = None,
        limit: int,
        offset: int,
        as_json: bool = False,
    ) -> tuple[Sequence[Any], int]:
        # One condition list for the items and their count, so the total never disagrees.
        # as_json: the items as TimeEntryRead's JSON text, built by PostgreSQL (bytes path).
        conditions = self._filtered(
            who,
            employee_id=employee_id,
            project_id=project_id,
            start=start,
            end=end,
            billable=billable,
        )
        total = await db.scalar(select(func.count()).select_from(TimeEntry).where(*conditions))
        items = await db.scalars(
            select(json_column(TimeEntryRead, "time_entries") if as_json else TimeEntry)
            .select_from(TimeEntry)
            .where(*conditions)
            .order_by(TimeEntry.start_time.desc(), TimeEntry.id)
            .limit(limit)
            .offset(offset)
        )
        return items.all(), int(total or 0)

    def uninvoiced_billable_query(
        self,
        *,
        project_id: uuid.UUID | None,
        customer_id: uuid.UUID | None,
        start: date,
        end: date,
        for_update: bool,
    ) -> Select[Any]:
        lower, upper = period_bounds(start, end)
        query = (
            select(
                TimeEntry.id,
                TimeEntry.employee_id,
                employee_name().label("employee_name"),
                TimeEntry.project_id,
                Project.title.label("project_title"),
                TimeEntry.start_time,
                TimeEntry.end_time,
                hours_of(TimeEntry.duration).label("hours"),
                func.coalesce(TimeEntry.hourly_rate, Project.hourly_rate, 0).label("rate"),
                TimeEntry.note,
            )
            .join(Project, Project.id == TimeEntry.project_id)
            .join(Employee, Employee.id == TimeEntry.employee_id)
            .where(
                TimeEntry.end_time.is_not(None),
                TimeEntry.billable.is_(True),
                TimeEntry.invoice_id.is_(None),
                TimeEntry.start_time >= lower,
                TimeEntry.start_time < upper,
            )
            .order_by(TimeEntry.start_time, TimeEntry.id)
        )
        if project_id is not None:
            query = query.where(TimeEntry.project_id == project_id)
        if customer_id is not None:
            query = query.where(Project.customer_id == customer_id)
        if for_update:
            # Only the entries are locked; a waiting second invoicing re-checks
            # `invoice_id IS NULL` on the new row version and skips what the first one took.
            query = query.with_for_update(of=TimeEntry)
        return query

    async def stale(self, db: AsyncSession, older_than: datetime) -> Sequence[Any]:
        query = (
            select(TimeEntry, employee_name().label("employee_name"))
            .join(Employee, Employee.id == TimeEntry.employee_id)
            .where(TimeEntry.end_time.is_(None), TimeEntry.start_time < older_than)
            .order_by(TimeEntry.start_time)
        )
        return (await db.execute(query)).all()

    async def stale_for_update(self, db: AsyncSession, older_than: datetime) -> Sequence[TimeEntry]:
        query = (
            select(TimeEntry)
            .where(TimeEntry.end_time.is_(None), TimeEntry.start_time < older_than)
            .order_by(TimeEntry.start_time)
            .with_for_update(skip_locked=True)
        )
        return (await db.scalars(query)).all()

    async def report(
        self,
        db: AsyncSession,
        who: Principal,
        *,
        group_by: str,
        start: date,
        end: date,
        employee_id: uuid.UUID | None = None,
        project_id: uuid.UUID | None = None,
    ) -> Sequence[Any]:
        """Hours and value per group, billable and not, summed by PostgreSQL."""
        local = func.timezone(BERLIN_NAME, TimeEntry.start_time)
        key: Any
        label: Any
        if group_by == "project":
            key, label = Project.id, Project.title
        elif group_by == "employee":
            key, label = Employee.id, employee_name()
        elif group_by == "customer":
            key, label = Customer.id, Customer.name
        else:
            fmt = {"day": "YYYY-MM-DD", "week": 'IYYY-"W"IW', "month": "YYYY-MM"}[group_by]
            key = func.to_char(local, fmt)
            label = key
        # Billing's unit is (project, employee, rate): its hours are summed exactly, rounded
        # once to hundredths, and valued at that rounded figure, as an invoice line from the
        # same entries is (quantity x price). Each group's hours are the exact sum, rounded by
        # the service once, never a sum of rounded parts.
        hours = hours_of(TimeEntry.duration)
        rate = func.coalesce(TimeEntry.hourly_rate, Project.hourly_rate, 0)
        units = (
            select(
                key.label("key"),
                label.label("label"),
                TimeEntry.billable.label("billable"),
                rate.label("rate"),
                func.sum(hours).label("hours"),
            )
            .select_from(TimeEntry)
            .join(Project, Project.id == TimeEntry.project_id)
            .join(Employee, Employee.id == TimeEntry.employee_id)
            .join(Customer, Customer.id == Project.customer_id)
            .where(
                *self._filtered(
                    who,
                    employee_id=employee_id,
                    project_id=project_id,
                    start=start,
                    end=end,
                    billable=None,
                ),
                TimeEntry.end_time.is_not(None),
            )
            .group_by(key, label, TimeEntry.billable, TimeEntry.project_id, TimeEntry.employee_id)
            .group_by(rate)
            .subquery()
        )
        billable_hours = case((units.c.billable, units.c.hours), else_=0)
        query = (
            select(
                units.c.key,
                units.c.label,
                func.sum(units.c.hours).label("hours"),
                func.sum(billable_hours).label("billable_hours"),
                func.sum(case((units.c.billable, 0), else_=units.c.hours)).label(
                    "non_billable_hours"
                ),
                func.sum(
                    case(
                        (
                            units.c.billable,
                            func.round(func.round(units.c.hours, 2) * units.c.rate, 2),
                        ),
                        else_=0,
                    )
                ).label("billable_value"),
            )
            .group_by(units.c.key, units.c.label)
            .order_by(units.c.key if group_by in ("day", "week", "month") else units.c.label)
        )
        return (await db.execute(query)).all()

    async def timesheet(
        self, db: AsyncSession, employee_id: uuid.UUID, monday: date
    ) -> Sequence[Any]:
        """Hours per Berlin day and project for the week starting `monday`."""
        lower, upper = period_bounds(monday, monday + timedelta(days=6))
        local_day = cast(func.timezone(BERLIN_NAME, TimeEntry.start_time), SqlDate)
        query = (
            select(
                local_day.label("day"),
                TimeEntry.project_id,
                Project.title.label("project_title"),
                func.round(func.sum(hours_of(TimeEntry.duration)), 2).label("hours"),
            )
            .join(Project, Project.id == TimeEntry.project_id)
            .where(
                TimeEntry.employee_id == employee_id,
                TimeEntry.end_time.is_not(None),
                TimeEntry.start_time >= lower,
                TimeEntry.start_time < upper,
            )
            .group_by(local_day, TimeEntry.project_id, Project.title)
            .order_by(Project.title, local_day)
        )
        return (await db.execute(query)).all()

    async def finished_between(
        self, db: AsyncSession, employee_id: uuid.UUID, lower: datetime, upper: datetime
    ) -> Sequence[Any]:
        """Start and end of the employee's finished entries, in order (for ArbZG checks)."""
        query = (
            select(TimeEntry.start_time, TimeEntry.end_time)
            .where(
                TimeEntry.employee_id == employee_id,
                TimeEntry.end_time.is_not(None),
                TimeEntry.start_time >= lower,
                TimeEntry.start_time < upper,
            )
            .order_by(TimeEntry.start_time)
        )
        return (await db.execute(query)).all()


time_entry_repository = TimeEntryRepository()

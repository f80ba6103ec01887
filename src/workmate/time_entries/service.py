"""Time tracking rules: timers, manual entries, reports, ArbZG checks, stale timers.

The hard rules (one running timer per employee, no overlap, end after start, duration, entries
on issued invoices frozen) live in PostgreSQL; this service checks them first to answer in our
words and maps a lost race on a constraint to the same words.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import ColumnElement, Insert, String, Update, cast, func, insert, null, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.selectable import CTE

from workmate import clock
from workmate.audit.service import audit_service, diff, iso_timestamp
from workmate.auth.principal import Principal
from workmate.errors import (
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    from_database,
)
from workmate.exports.csvfile import CsvWriter
from workmate.models import TimeEntry
from workmate.reads import Reader
from workmate.time_entries.repository import (
    BERLIN,
    TIME_ENTRIES,
    can_manage,
    period_bounds,
    time_entry_repository,
)
from workmate.time_entries.schemas import (
    ComplianceReport,
    ComplianceWarning,
    GroupBy,
    Report,
    ReportRow,
    Timesheet,
    TimesheetRow,
)

ENTITY = "time_entry"

# ArbZG §3, §4, §5.
MAX_DAILY = timedelta(hours=10)
BREAK_RULES = (
    (timedelta(hours=9), timedelta(minutes=45)),
    (timedelta(hours=6), timedelta(minutes=30)),
)
MIN_BREAK = timedelta(minutes=15)
MIN_REST = timedelta(hours=11)
# Longest period a report or check covers (a few years), so one request stays cheap.
MAX_PERIOD_DAYS = 3 * 366

# Fields an audit diff records.
AUDITED = (
    "employee_id",
    "project_id",
    "start_time",
    "end_time",
    "note",
    "billable",
    "hourly_rate",
    "invoice_id",
    "auto_stopped_at",
)


@dataclass(frozen=True, slots=True)
class BillableEntry:
    """A finished, billable, not yet invoiced entry, ready to become an invoice line."""

    id: uuid.UUID
    employee_id: uuid.UUID
    employee_name: str
    project_id: uuid.UUID
    project_title: str
    start_time: datetime
    end_time: datetime
    hours: Decimal  # exact; totals.billed_hours() after summing
    rate: Decimal
    note: str | None


@dataclass(frozen=True, slots=True)
class StaleStop:
    entry_id: uuid.UUID
    employee_id: uuid.UUID
    start_time: datetime
    end_time: datetime


def utcnow() -> datetime:
    # The server's clock is the only clock for timers; clients never send the time.
    return clock.now()


def _snapshot(entry: TimeEntry) -> dict[str, Any]:
    return audit_service.snapshot(entry, AUDITED)


async def _worktime(db: AsyncSession, employee_id: uuid.UUID, *instants: datetime | None) -> None:
    """Tell the working-time domain which days changed (break deductions follow the day's
    entries)."""
    from workmate.worktime.breaks import break_service

    await break_service.entries_changed(db, employee_id, instants)


async def _written(
    db: AsyncSession,
    write: Insert | Update,
    beside: Callable[[CTE], list[Insert | Update]],
) -> TimeEntry | None:
    """The repository's one-statement write; a constraint or trigger refusal (the project's
    foreign key, one running timer, no overlap, a closed month) becomes our domain error."""
    try:
        return await time_entry_repository.write(db, write, beside)
    except DBAPIError as exc:
        error = from_database(exc)
        if error is None:
            raise
        raise error from None


async def _flush(db: AsyncSession) -> None:
    """Flush; a constraint or trigger refusal becomes our domain error, never driver text."""
    try:
        await db.flush()
    except DBAPIError as exc:
        error = from_database(exc)
        if error is None:
            raise
        raise error from None


class TimeEntryService:
    # ---- for invoicing ----

    async def uninvoiced_billable(
        self,
        db: AsyncSession,
        *,
        project_id: uuid.UUID | None = None,
        customer_id: uuid.UUID | None = None,
        start: date,
        end: date,
        for_update: bool = False,
    ) -> list[BillableEntry]:
        """Finished billable entries on no invoice, started in [start, end] (Berlin days);
        rate = entry rate, else project rate, else 0; with for_update the rows stay locked."""
        query = time_entry_repository.uninvoiced_billable_query(
            project_id=project_id,
            customer_id=customer_id,
            start=start,
            end=end,
            for_update=for_update,
        )
        rows = (await db.execute(query)).all()
        return [
            BillableEntry(
                id=r.id,
                employee_id=r.employee_id,
                employee_name=r.employee_name,
                project_id=r.project_id,
                project_title=r.project_title,
                start_time=r.start_time,
                end_time=r.end_time,
                hours=Decimal(r.hours),
                rate=Decimal(r.rate).quantize(Decimal("0.01")),
                note=r.note,
            )
            for r in rows
        ]

    # ---- timers ----
    #
    # Statements per request (issue 19; tests/time_entries/test_endpoints.py counts them).
    # Start, 4: the caller (auth), the employee's advisory lock, the running timer FOR UPDATE
    # (the 409 names it; `switch` stops it), then one statement: INSERT of the entry with its
    # audit row and the end of a running pause as CTEs. The project's existence is the
    # foreign key's (422, same field), no SELECT of its own.
    # Stop, 7: the caller, the lock, one UPDATE ... RETURNING (finds and ends the running entry,
    # returns the trigger-set updated_at, writes the audit row), then the working-time day's
    # break deduction (breaks.sync: locked months, settings, the day's spans, its deduction;
    # a fifth statement when the deduction changes).
    # Why each stays: the lock must be its own statement, because a statement's snapshot is
    # taken before a lock inside it is granted, so a timer a concurrent start committed
    # meanwhile would stay invisible to it; the running check is what answers 409 in our words
    # before the unique index would; the deduction is the ArbZG rule computed in Python
    # (worktime.calc) over the day's entries, which must include this write.

    async def running(self, db: AsyncSession, who: Principal) -> TimeEntry | None:
        """The caller's running timer, if any."""
        return await time_entry_repository.running(db, who.employee_id)

    async def start_timer(
        self,
        db: AsyncSession,
        who: Principal,
        *,
        project_id: uuid.UUID,
        note: str | None = None,
        billable: bool = True,
        hourly_rate: Decimal | None = None,
        switch: bool = False,
    ) -> TimeEntry:
        """Start the caller's timer now; 409 naming the running one unless `switch`, which
        stops it at the same instant in the same transaction. An unknown project is the
        foreign key's 422."""
        from workmate.worktime.breaks import break_service

        await time_entry_repository.lock_employee(db, who.employee_id)
        now = utcnow()
        current = await time_entry_repository.running(db, who.employee_id, for_update=True)
        if current is not None:
            if not switch:
                raise Conflict(
                    "timer {id} is already running since {since}; "
                    "stop it or start with switch=true",
                    field="switch",
                    params={"id": str(current.id), "since": current.start_time},
                )
            await self._stop(db, who, TimeEntry.id == current.id, now)
        values: dict[str, Any] = {
            "id": uuid.uuid4(),
            "employee_id": who.employee_id,
            "project_id": project_id,
            "start_time": now,
            "note": note,
            "billable": billable,
            "hourly_rate": hourly_rate,
        }
        changes = diff(None, {k: values.get(k) for k in AUDITED})
        table = TIME_ENTRIES
        entry = await _written(
            db,
            insert(table).values(values).returning(*table.c),
            lambda _: [
                audit_service.insert(who, "timer_start", ENTITY, values["id"], changes),
                break_service.end_pause(who.employee_id, now),
            ],
        )
        assert entry is not None
        return entry

    async def stop_timer(self, db: AsyncSession, who: Principal) -> TimeEntry:
        """Stop the caller's running timer now; stopping again returns the entry last stopped."""
        await time_entry_repository.lock_employee(db, who.employee_id)
        stopped = await self._stop(db, who, TimeEntry.employee_id == who.employee_id, utcnow())
        if stopped is None:
            last = await time_entry_repository.last_stopped(db, who.employee_id)
            if last is None:
                raise NotFound("running timer")
            return last
        return stopped

    async def _stop(
        self, db: AsyncSession, who: Principal | None, which: ColumnElement[bool], at: datetime
    ) -> TimeEntry | None:
        """End the running entry `which` picks at `at`: one UPDATE returning the row with the
        trigger-set updated_at, its audit row in the same statement; then the working-time day.
        None when no entry is running there."""
        table = TIME_ENTRIES
        # A start and stop within the clock's resolution still yields end > start.
        end = func.greatest(at, table.c.start_time + timedelta(microseconds=1))
        entry = await _written(
            db,
            update(table)
            .where(which, table.c.end_time.is_(None))
            .values(end_time=end)
            .returning(*table.c),
            lambda written: [
                audit_service.insert(
                    who,
                    "timer_stop",
                    ENTITY,
                    cast(written.c.id, String),
                    func.jsonb_build_object(
                        "end_time",
                        func.jsonb_build_array(null(), iso_timestamp(written.c.end_time)),
                    ),
                )
            ],
        )
        if entry is not None:
            await _worktime(db, entry.employee_id, entry.start_time)
        return entry

    # ---- manual entries ----

    async def get(self, db: AsyncSession, who: Principal, entry_id: uuid.UUID) -> TimeEntry:
        """One entry; others' entries exist only for `manage` (404 otherwise)."""
        entry = await time_entry_repository.get(db, who, entry_id)
        if entry is None:
            raise NotFound("time entry")
        return entry

    async def get_json(self, reader: Reader, who: Principal, entry_id: uuid.UUID) -> str:
        """One entry as JSON built by PostgreSQL (the API's bytes path); 404 as `get`."""
        body = await time_entry_repository.get_json(reader, who, entry_id)
        if body is None:
            raise NotFound("time entry")
        return body

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
        limit: int = 50,
        offset: int = 0,
        as_json: bool = False,
    ) -> tuple[Sequence[Any], int]:
        """Entries the caller may see (own, or all with `manage`), newest first (`as_json`:
        as TimeEntryRead's JSON text, for the API's bytes path)."""
        return await time_entry_repository.search(
            db,
            who,
            employee_id=employee_id,
            project_id=project_id,
            start=start,
            end=end,
            billable=billable,
            limit=limit,
            offset=offset,
            as_json=as_json,
        )

    async def create(
        self,
        db: AsyncSession,
        who: Principal,
        *,
        project_id: uuid.UUID,
        start_time: datetime,
        end_time: datetime,
        note: str | None = None,
        billable: bool = True,
        hourly_rate: Decimal | None = None,
        employee_id: uuid.UUID | None = None,
    ) -> TimeEntry:
        """Book a finished entry for the caller (for another employee only with `manage`)."""
        owner = self._owner(who, employee_id)
        if owner != who.employee_id and not await time_entry_repository.employee_exists(db, owner):
            raise Invalid("employee not found", field="employee_id")
        await self._require_project(db, project_id)
        _check_times(start_time, end_time)
        # Same per-employee queue as the timers: concurrent overlapping writes then meet the
        # exclusion constraint one after the other instead of deadlocking inside it.
        await time_entry_repository.lock_employee(db, owner)
        entry = TimeEntry(
            employee_id=owner,
            project_id=project_id,
            start_time=start_time,
            end_time=end_time,
            note=note,
            billable=billable,
            hourly_rate=hourly_rate,
        )
        db.add(entry)
        await _flush(db)
        await _worktime(db, owner, entry.start_time)
        await audit_service.record(
            db, who, "create", ENTITY, entry.id, diff(None, _snapshot(entry))
        )
        return entry

    async def update(
        self, db: AsyncSession, who: Principal, entry_id: uuid.UUID, changes: dict[str, Any]
    ) -> TimeEntry:
        """Change an entry the caller may see; 409 naming the invoice if it is billed on
        one, draft or issued."""
        entry = await self._locked(db, who, entry_id)
        await self._not_frozen(db, entry)
        for name in ("project_id", "start_time", "end_time", "billable"):
            if name in changes and changes[name] is None:
                raise Invalid("{field} cannot be empty", field=name, params={"field": name})
        if "project_id" in changes:
            await self._require_project(db, changes["project_id"])
        start = changes.get("start_time", entry.start_time)
        end = changes.get("end_time", entry.end_time)
        if entry.end_time is None and "end_time" in changes:
            raise Invalid("a running timer is ended with timer/stop", field="end_time")
        if end is not None:
            _check_times(start, end)
        before = _snapshot(entry)
        for name, value in changes.items():
            setattr(entry, name, value)
        await _flush(db)
        await db.refresh(entry)
        await _worktime(db, entry.employee_id, before["start_time"], entry.start_time)
        after = _snapshot(entry)
        await audit_service.record(db, who, "update", ENTITY, entry.id, diff(before, after))
        return entry

    async def delete(self, db: AsyncSession, who: Principal, entry_id: uuid.UUID) -> None:
        """Delete an entry the caller may see; 409 naming the invoice if it is billed on
        one, draft or issued."""
        entry = await self._locked(db, who, entry_id)
        await self._not_frozen(db, entry)
        before = _snapshot(entry)
        await db.delete(entry)
        await _flush(db)
        await _worktime(db, entry.employee_id, before["start_time"])
        await audit_service.record(db, who, "delete", ENTITY, entry_id, diff(before, None))

    # ---- stale timers ----

    async def stale(
        self, db: AsyncSession, *, limit_hours: int, now: datetime | None = None
    ) -> list[tuple[TimeEntry, str]]:
        """Timers running longer than `limit_hours`."""
        older_than = (now or utcnow()) - timedelta(hours=limit_hours)
        rows = await time_entry_repository.stale(db, older_than)
        return [(r[0], str(r.employee_name)) for r in rows]

    async def stop_stale(
        self,
        db: AsyncSession,
        who: Principal | None,
        *,
        limit_hours: int,
        now: datetime | None = None,
    ) -> list[StaleStop]:
        """End every timer running longer than the limit at start + limit; mark and audit it."""
        now = now or utcnow()
        limit = timedelta(hours=limit_hours)
        stopped: list[StaleStop] = []
        for entry in await time_entry_repository.stale_for_update(db, now - limit):
            before = _snapshot(entry)
            entry.end_time = entry.start_time + limit
            entry.auto_stopped_at = now
            await _flush(db)
            await _worktime(db, entry.employee_id, entry.start_time)
            await audit_service.record(
                db, who, "timer_auto_stop", ENTITY, entry.id, diff(before, _snapshot(entry))
            )
            stopped.append(StaleStop(entry.id, entry.employee_id, entry.start_time, entry.end_time))
        return stopped

    # ---- reports ----

    async def report(
        self,
        db: AsyncSession,
        who: Principal,
        *,
        group_by: GroupBy,
        start: date,
        end: date,
        employee_id: uuid.UUID | None = None,
        project_id: uuid.UUID | None = None,
    ) -> Report:
        """Finished hours per group in [start, end] (Berlin days), billable vs not, with the
        billable value; summed by PostgreSQL over the entries the caller may see."""
        _check_period(start, end)
        rows = await time_entry_repository.report(
            db,
            who,
            group_by=group_by,
            start=start,
            end=end,
            employee_id=employee_id,
            project_id=project_id,
        )
        items = [
            ReportRow(
                key=str(r.key),
                label=str(r.label),
                hours=_money(r.hours),
                billable_hours=_money(r.billable_hours),
                non_billable_hours=_money(r.non_billable_hours),
                billable_value=_money(r.billable_value),
            )
            for r in rows
        ]
        return Report(
            group_by=group_by,
            start=start,
            end=end,
            rows=items,
            hours=_money(sum((Decimal(r.hours) for r in rows), Decimal(0))),
            billable_hours=_money(sum((Decimal(r.billable_hours) for r in rows), Decimal(0))),
            non_billable_hours=_money(
                sum((Decimal(r.non_billable_hours) for r in rows), Decimal(0))
            ),
            billable_value=sum((r.billable_value for r in items), Decimal("0.00")),
        )

    def report_csv(self, report: Report) -> str:
        """The report as CSV, one row per group and a total row."""
        writer = CsvWriter(delimiter=",")
        writer.row(
            [
                report.group_by,
                "label",
                "hours",
                "billable_hours",
                "non_billable_hours",
                "billable_value",
            ]
        )
        for r in report.rows:
            writer.row(
                [
                    r.key,
                    r.label,
                    r.hours,
                    r.billable_hours,
                    r.non_billable_hours,
                    r.billable_value,
                ]
            )
        writer.row(
            [
                "total",
                "",
                report.hours,
                report.billable_hours,
                report.non_billable_hours,
                report.billable_value,
            ]
        )
        return writer.text()

    async def timesheet(
        self, db: AsyncSession, who: Principal, *, employee_id: uuid.UUID | None, monday: date
    ) -> Timesheet:
        """Hours per project and Berlin day of one ISO week; others' sheets only with manage."""
        owner = await self._subject(db, who, employee_id)
        rows = await time_entry_repository.timesheet(db, owner, monday)
        days = [monday + timedelta(days=i) for i in range(7)]
        by_project: dict[uuid.UUID, TimesheetRow] = {}
        for r in rows:
            row = by_project.setdefault(
                r.project_id,
                TimesheetRow(
                    project_id=r.project_id,
                    project_title=r.project_title,
                    days=[Decimal("0.00")] * 7,
                    total=Decimal("0.00"),
                ),
            )
            hours = _money(r.hours)
            row.days[(r.day - monday).days] += hours
            row.total += hours
        sheet_rows = list(by_project.values())
        day_totals = [sum((row.days[i] for row in sheet_rows), Decimal("0.00")) for i in range(7)]
        year, week, _ = monday.isocalendar()
        return Timesheet(
            employee_id=owner,
            week=f"{year}-W{week:02d}",
            days=days,
            rows=sheet_rows,
            day_totals=day_totals,
            total=sum(day_totals, Decimal("0.00")),
        )

    async def compliance(
        self,
        db: AsyncSession,
        who: Principal,
        *,
        employee_id: uuid.UUID | None,
        start: date,
        end: date,
    ) -> ComplianceReport:
        """ArbZG warnings (reported, never fixed): > 10 h a day; < 30 min break after 6 h or
        < 45 min after 9 h; < 11 h rest between working days."""
        _check_period(start, end)
        owner = await self._subject(db, who, employee_id)
        # The day before the period gives the rest period before its first day.
        lower, upper = period_bounds(start - timedelta(days=1), end)
        spans = await time_entry_repository.finished_between(db, owner, lower, upper)
        return ComplianceReport(
            employee_id=owner,
            start=start,
            end=end,
            warnings=[
                w
                for w in arbzg_warnings([(s.start_time, s.end_time) for s in spans])
                if start <= w.day <= end
            ],
        )

    # ---- helpers ----

    async def _locked(self, db: AsyncSession, who: Principal, entry_id: uuid.UUID) -> TimeEntry:
        """The entry, locked; the employee's queue is joined first, in the same order as the
        timers take their locks, so the two cannot deadlock."""
        entry = await time_entry_repository.get(db, who, entry_id)
        if entry is None:
            raise NotFound("time entry")
        await time_entry_repository.lock_employee(db, entry.employee_id)
        entry = await time_entry_repository.get(db, who, entry_id, for_update=True)
        if entry is None:
            raise NotFound("time entry")
        return entry

    async def _subject(
        self, db: AsyncSession, who: Principal, employee_id: uuid.UUID | None
    ) -> uuid.UUID:
        """Whose data a personal report shows: the caller's, another's only with manage."""
        if employee_id is None or employee_id == who.employee_id:
            return who.employee_id
        # Without manage another employee's data does not exist for the caller.
        if not can_manage(who) or not await time_entry_repository.employee_exists(db, employee_id):
            raise NotFound("employee", field="employee_id")
        return employee_id

    def _owner(self, who: Principal, employee_id: uuid.UUID | None) -> uuid.UUID:
        if employee_id is None or employee_id == who.employee_id:
            return who.employee_id
        if not can_manage(who):
            raise Forbidden(
                "booking time for another employee needs time_entries.manage", field="employee_id"
            )
        return employee_id

    async def _require_project(self, db: AsyncSession, project_id: uuid.UUID) -> None:
        if await time_entry_repository.project(db, project_id) is None:
            raise Invalid("project not found", field="project_id")

    async def _not_frozen(self, db: AsyncSession, entry: TimeEntry) -> None:
        # An entry on a draft must not change either: the draft's lines were computed from
        # it and would be issued with the old hours (the database refuses it as well).
        if entry.invoice_id is None:
            return
        billed = await time_entry_repository.billing_invoice(db, entry.invoice_id)
        if billed is None:
            return
        status, number = billed
        if status == "draft":
            raise Conflict(
                "time entry is billed on draft invoice {invoice}; delete that draft "
                "to change the entry, then bill it again",
                field="invoice_id",
                params={"invoice": str(entry.invoice_id)},
            )
        raise Conflict(
            "time entry is billed on issued invoice {number} and cannot change",
            field="invoice_id",
            params={"number": number},
        )


def arbzg_warnings(spans: Sequence[tuple[datetime, datetime]]) -> list[ComplianceWarning]:
    """Warnings for finished work spans (ordered, non-overlapping), by Berlin day of start."""
    days: dict[date, list[tuple[datetime, datetime]]] = {}
    for begin, finish in spans:
        days.setdefault(begin.astimezone(BERLIN).date(), []).append((begin, finish))
    warnings: list[ComplianceWarning] = []
    previous_end: datetime | None = None
    for day in sorted(days):
        work = days[day]
        worked = sum((f - b for b, f in work), timedelta())
        # §4 ArbZG counts only breaks of at least 15 minutes.
        breaks = sum(
            (gap for (_, f), (b, _) in itertools.pairwise(work) if (gap := b - f) >= MIN_BREAK),
            timedelta(),
        )
        hours = _money(Decimal(worked.total_seconds()) / 3600)
        if worked > MAX_DAILY:
            warnings.append(
                ComplianceWarning(
                    day=day,
                    rule="max_daily_hours",
                    message=f"{hours} hours worked, more than the 10 hours allowed a day",
                    hours_worked=hours,
                )
            )
        needed = next((b for limit, b in BREAK_RULES if worked > limit), None)
        if needed is not None and breaks < needed:
            warnings.append(
                ComplianceWarning(
                    day=day,
                    rule="break",
                    message=(
                        f"{int(breaks.total_seconds() // 60)} minutes break after {hours} hours "
                        f"of work; at least {int(needed.total_seconds() // 60)} are required"
                    ),
                    hours_worked=hours,
                    break_minutes=int(breaks.total_seconds() // 60),
                )
            )
        if previous_end is not None:
            rest = work[0][0] - previous_end
            if rest < MIN_REST:
                rest_hours = _money(Decimal(rest.total_seconds()) / 3600)
                warnings.append(
                    ComplianceWarning(
                        day=day,
                        rule="rest_period",
                        message=(
                            f"{rest_hours} hours rest before this day; at least 11 are required"
                        ),
                        rest_hours=rest_hours,
                    )
                )
        previous_end = max(f for _, f in work)
    return warnings


def _money(value: Any) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _check_period(start: date, end: date) -> None:
    if end < start:
        raise Invalid("'to' must not be before 'from'", field="to")
    if (end - start).days > MAX_PERIOD_DAYS:
        raise Invalid(f"a period may span at most {MAX_PERIOD_DAYS} days", field="to")


def _check_times(start: datetime, end: datetime) -> None:
    if end <= start:
        raise Invalid("end_time must be after start_time", field="end_time")


time_entry_service = TimeEntryService()

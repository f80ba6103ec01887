"""The demo company's working time: contracts (Hamburg and a Munich team in Bavaria, a
part-timer, a change of hours mid-year), holidays, a summer of vacations, a few sick days,
non-project work on an internal project, break deductions, bookings and approved months.

Runs after the rest of the generator with its own random stream, so the other demo data stay
as they were. It removes project time booked on days an employee was away (holidays, absences,
days off under the contract) and tops the remaining days up with internal work, so targets and
actuals look like a real firm's.
"""

from __future__ import annotations

import itertools
import random
import uuid
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import holidays as holiday_library
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from workmate.demo.generate import (
    BERLIN,
    HISTORY_DAYS,
    Context,
    DemoCompany,
    Row,
    _workdays,
    strip_private,
)
from workmate.models import (
    Absence,
    AccountBooking,
    BreakDeduction,
    MonthClosing,
    WorkContract,
)
from workmate.worktime import calc

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
FULL = (8, 8, 8, 8, 8, 0, 0)
FOUR_DAYS = (8, 8, 8, 8, 0, 0, 0)
SIX_HOURS = (6, 6, 6, 6, 6, 0, 0)
HALF_DAYS = frozenset({"12-24", "12-31"})
INTERNAL_NOTES = ("Teammeeting", "Organisation", "Weiterbildung", "Dokumentation", "Einarbeitung")


def _at(day: date, clock: time) -> datetime:
    return datetime.combine(day, clock, tzinfo=BERLIN)


def _hours(pattern: tuple[int, ...]) -> dict[str, Decimal]:
    return {f"hours_{d}": Decimal(h) for d, h in zip(WEEKDAYS, pattern, strict=True)}


def add(seed: int, ctx: Context, employees: list[Row], demo: DemoCompany) -> None:
    """Add the working-time rows to `demo` (see the module doc)."""
    rng = random.Random(seed * 7919 + 20)  # noqa: S311 (demo data)
    today = ctx.today
    workdays = _workdays(today)
    # The company's time recording starts with the demo's history.
    start = today - timedelta(days=HISTORY_DAYS)
    project = _internal_project(ctx, demo)
    contracts = _contracts(rng, employees, workdays, start, today, demo)
    holidays = _holidays(start.year, today.year + 1)
    absences = _absences(rng, employees, contracts, holidays, today, demo)
    _reshape_time(rng, employees, contracts, holidays, absences, project, today, demo)
    _deductions(rng, employees, today, demo)
    _bookings(rng, employees, start, workdays, demo)
    _closings(rng, employees, workdays, today, demo)


# ---- contracts and holidays ----------------------------------------------------------------


def _contracts(
    rng: random.Random,
    employees: list[Row],
    workdays: list[date],
    start: date,
    today: date,
    demo: DemoCompany,
) -> dict[uuid.UUID, list[calc.Terms]]:
    """One contract per employee; the Munich developers work under Bavarian holidays."""
    found: dict[uuid.UUID, list[calc.Terms]] = {}
    developers = [e for e in employees if e["_dept"] == "Development" and e["_role"] == "Employee"]
    munich = {e["id"] for e in developers[1::3]}
    part_timer = developers[2]["id"] if len(developers) > 2 else None
    changer = developers[3]["id"] if len(developers) > 3 else None
    change_day = (today.replace(day=1) - timedelta(days=100)).replace(day=1)
    for emp in employees:
        if not emp["_new"]:
            continue  # a reused employee has contracts from the earlier run
        state = "BY" if emp["id"] in munich else "HH"
        last = None if emp["is_active"] else workdays[len(workdays) // 2]
        terms: list[tuple[date, date | None, tuple[int, ...], int]]
        if emp["id"] == part_timer:
            terms = [(start, last, FOUR_DAYS, 24)]
        elif emp["id"] == changer:
            terms = [
                (start, change_day - timedelta(days=1), FULL, 30),
                (change_day, last, SIX_HOURS, 30),
            ]
        else:
            terms = [(start, last, FULL, rng.choice((28, 30, 30, 30)))]
        mine: list[calc.Terms] = []
        for begin, end, hours, vacation in terms:
            row = {
                "id": uuid.uuid4(),
                "employee_id": emp["id"],
                "valid_from": begin,
                "valid_to": end,
                "vacation_days": Decimal(vacation),
                "federal_state": state,
                "note": "Teilzeit (4 Tage)" if hours == FOUR_DAYS else None,
                **_hours(hours),
            }
            demo.worktime.setdefault("contracts", []).append(row)
            day_hours = tuple(Decimal(h) for h in hours)
            mine.append(calc.Terms(row["id"], begin, end, day_hours, Decimal(vacation), state))
        found[emp["id"]] = mine
    return found


def _holidays(first_year: int, last_year: int) -> dict[tuple[str, date], str]:
    found: dict[tuple[str, date], str] = {}
    for state in ("HH", "BY"):
        table = holiday_library.country_holidays(
            "DE", subdiv=state, years=range(first_year, last_year + 1), language="de"
        )
        for day, name in table.items():
            found[(state, day)] = name
    return found


# ---- absences ------------------------------------------------------------------------------


def _absence(
    emp: Row, kind: str, first: date, last: date, status: str, decided: datetime, **extra: Any
) -> Row:
    return {
        "id": uuid.uuid4(),
        "employee_id": emp["id"],
        "kind": kind,
        "start_date": first,
        "end_date": last,
        "half_day_start": extra.pop("half_day_start", False),
        "half_day_end": extra.pop("half_day_end", False),
        "certificate": extra.pop("certificate", False),
        "status": status,
        "note": extra.pop("note", None),
        "requested_by": emp["id"],
        "decided_by": extra.pop("decided_by", None),
        "decided_at": decided if status != "requested" else None,
        "decision_comment": None,
    }


def _absences(
    rng: random.Random,
    employees: list[Row],
    contracts: dict[uuid.UUID, list[calc.Terms]],
    holidays: dict[tuple[str, date], str],
    today: date,
    demo: DemoCompany,
) -> dict[uuid.UUID, list[calc.Away]]:
    """A summer of vacations, a few sick days, one training, one compensation day, and
    requests for the coming weeks."""
    history_start = today - timedelta(days=HISTORY_DAYS)
    # The latest summer the history covers, else the coming one (planned vacations).
    summer = today.year - 1 if date(today.year - 1, 7, 1) >= history_start else today.year
    found: dict[uuid.UUID, list[calc.Away]] = defaultdict(list)
    rows = demo.worktime.setdefault("absences", [])
    for i, emp in enumerate(employees):
        if emp["id"] not in contracts:
            continue
        book = _Booker(emp, today, rows, found[emp["id"]])
        # Two or three weeks in July or August, Monday to Friday.
        monday = date(summer, 7, 1) + timedelta(days=rng.randint(0, 50))
        monday -= timedelta(days=monday.weekday())
        length = rng.choice((1, 2, 2))
        if emp["is_active"]:
            book("vacation", monday, monday + timedelta(days=7 * length - 3))
        # A few sick days in the past months, some with a certificate.
        for _ in range(rng.choice((0, 1, 1, 2))):
            first = history_start + timedelta(days=rng.randint(0, HISTORY_DAYS - 10))
            while first.weekday() >= 5:
                first += timedelta(days=1)
            days = rng.choice((1, 1, 2, 3))
            book("sick", first, first + timedelta(days=days - 1), certificate=days > 2)
        if not emp["is_active"]:
            continue
        if i % 4 == 1:
            day = _weekday(history_start + timedelta(days=rng.randint(10, HISTORY_DAYS - 20)))
            book("training", day, day, note="Schulung Barrierefreiheit")
        if i % 5 == 2:
            day = _weekday(history_start + timedelta(days=rng.randint(10, HISTORY_DAYS - 20)))
            book("overtime_compensation", day, day, half_day_end=rng.random() < 0.5)
        # The weeks ahead: approved, awaiting a decision, or a half day.
        ahead = _weekday(today + timedelta(days=rng.randint(14, 60)))
        if i % 3 == 0:
            book("vacation", ahead, ahead + timedelta(days=rng.choice((0, 1, 4))))
        elif i % 3 == 1:
            book(
                "vacation",
                ahead,
                ahead + timedelta(days=rng.choice((1, 2))),
                status="requested",
                note="Familienfeier",
            )
        else:
            book("vacation", ahead, ahead, half_day_start=True)
    return found


class _Booker:
    """Adds one employee's absences, skipping any that would overlap an earlier one."""

    def __init__(self, emp: Row, today: date, rows: list[Row], found: list[calc.Away]) -> None:
        self.emp, self.today, self.rows, self.found = emp, today, rows, found
        self.taken: list[tuple[date, date]] = []

    def __call__(
        self, kind: str, first: date, last: date, status: str = "approved", **extra: Any
    ) -> None:
        if not all(last < a or first > b for a, b in self.taken):
            return
        decided = datetime.combine(min(first, self.today) - timedelta(days=14), time(10), UTC)
        row = _absence(self.emp, kind, first, last, status, decided, **extra)
        self.rows.append(row)
        self.taken.append((first, last))
        self.found.append(
            calc.Away(
                row["id"], kind, first, last, row["half_day_start"], row["half_day_end"], status
            )
        )


def _weekday(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


# ---- time: project time on days off removed, the rest topped up with internal work -------


def _internal_project(ctx: Context, demo: DemoCompany) -> Row:
    """Non-project work (meetings, organisation, training) is booked on the company's own
    internal project, non-billable."""
    number = f"K-{ctx.customer_start + len(demo.customers):05d}"
    customer: Row = {
        "id": uuid.uuid4(),
        "number": number,
        "name": "Nordlicht Software GmbH (intern)",
        "type": "B2B",
        "email": "intern@demo.workmate.de",
        "phone": None,
        "tax_id": None,
        "address": "Am Sandtorkai 54\n20457 Hamburg",
        "street": "Am Sandtorkai 54",
        "postal_code": "20457",
        "city": "Hamburg",
        "country": "DE",
        "buyer_reference": None,
        "archived_at": None,
        "created_at": datetime.combine(ctx.today, time(7), tzinfo=UTC) - timedelta(days=900),
        "updated_at": datetime.combine(ctx.today, time(7), tzinfo=UTC) - timedelta(days=900),
    }
    demo.customers.append(customer)
    for counter in demo.counters:
        if counter["scope"] == "customer":
            counter["next_value"] = max(
                counter["next_value"], ctx.customer_start + len(demo.customers)
            )
    project: Row = {
        "id": uuid.uuid4(),
        "customer_id": customer["id"],
        "department_id": ctx.department_ids["Management"],
        "title": "Intern: Organisation und Weiterbildung",
        "status": "in_progress",
        "start_date": date(ctx.today.year - 3, 1, 1),
        "end_date": None,
        "description": "Arbeitszeit ohne Kundenprojekt: Meetings, Organisation, Weiterbildung.",
        "hourly_rate": None,
    }
    demo.projects.append(project)
    return project


def _reshape_time(
    rng: random.Random,
    employees: list[Row],
    contracts: dict[uuid.UUID, list[calc.Terms]],
    holidays: dict[tuple[str, date], str],
    absences: dict[uuid.UUID, list[calc.Away]],
    project: Row,
    today: date,
    demo: DemoCompany,
) -> None:
    by_day: dict[tuple[uuid.UUID, date], list[Row]] = defaultdict(list)
    kept: list[Row] = []
    for entry in demo.time_entries:
        emp_id = entry["employee_id"]
        if entry["end_time"] is None or emp_id not in contracts:
            kept.append(entry)
            continue
        day = entry["start_time"].astimezone(BERLIN).date()
        approved = [a for a in absences.get(emp_id, []) if a.status == "approved"]
        plan = calc.plan(day, contracts[emp_id], holidays, HALF_DAYS, approved)
        if plan.target == 0 and plan.contract is not None:
            continue  # a day off: the generator's project time goes
        by_day[(emp_id, day)].append(entry)
    # Each active employee's contract days up to yesterday: project time plus internal work
    # to about the day's target (a little more or less, as in real life).
    for emp in employees:
        if emp["id"] not in contracts:
            continue
        lean = rng.choice((-0.2, 0.0, 0.1, 0.25))
        approved = [a for a in absences.get(emp["id"], []) if a.status == "approved"]
        last_day = today - timedelta(days=1)
        for day in calc.days(today - timedelta(days=HISTORY_DAYS), last_day):
            plan = calc.plan(day, contracts[emp["id"]], holidays, HALF_DAYS, approved)
            entries = sorted(by_day.get((emp["id"], day), []), key=lambda e: e["start_time"])
            if plan.target == 0 or plan.contract is None:
                kept.extend(entries)
                continue
            worked = sum(((e["end_time"] - e["start_time"]) for e in entries), timedelta())
            noise = rng.gauss(lean, 0.6)
            wanted = timedelta(seconds=int(plan.target) + int(noise * 3600) // 300 * 300)
            missing = wanted - worked
            if entries:
                kept.extend(entries)
                begin = entries[-1]["end_time"]
                breaks = _longest_gap(entries)
                gap = 30 if worked >= timedelta(hours=4) and breaks < 30 else 5
                if rng.random() < 0.04:
                    gap = 5  # now and then someone forgets the lunch break
                begin += timedelta(minutes=gap)
            else:
                begin = _at(day, time(8, 30)) + timedelta(minutes=15 * rng.randint(0, 4))
            if missing < timedelta(minutes=20):
                continue
            # Up to 3 h before a pause and the rest after it, never past 20:00.
            limit = _at(day, time(20)) - begin
            chunks = [min(missing, timedelta(hours=3)), missing - min(missing, timedelta(hours=3))]
            for k, length in enumerate(chunks):
                length = min(length, limit)
                if length < timedelta(minutes=15):
                    break
                kept.append(
                    {
                        "id": uuid.uuid4(),
                        "employee_id": emp["id"],
                        "project_id": project["id"],
                        "start_time": begin,
                        "end_time": begin + length,
                        "note": rng.choice(INTERNAL_NOTES),
                        "billable": False,
                        "hourly_rate": None,
                    }
                )
                limit -= length + timedelta(minutes=30)
                begin += length + timedelta(minutes=30 if k == 0 else 0)
    demo.time_entries[:] = kept


def _longest_gap(entries: list[Row]) -> int:
    gaps = [
        int((b["start_time"] - a["end_time"]).total_seconds() // 60)
        for a, b in itertools.pairwise(entries)
    ]
    return max(gaps, default=0)


# ---- deductions, bookings, closings --------------------------------------------------------


def _deductions(rng: random.Random, employees: list[Row], today: date, demo: DemoCompany) -> None:
    """§4 ArbZG: what the automatic deduction stores for days short of their break."""
    spans: dict[tuple[uuid.UUID, date], list[tuple[datetime, datetime]]] = defaultdict(list)
    for e in demo.time_entries:
        if e["end_time"] is not None:
            spans[(e["employee_id"], e["start_time"].astimezone(BERLIN).date())].append(
                (e["start_time"], e["end_time"])
            )
    managers = {e["_dept"]: e["id"] for e in employees if e["_role"] in ("Manager", "Admin")}
    rows = demo.worktime.setdefault("deductions", [])
    for (emp_id, day), work in sorted(spans.items(), key=lambda kv: (str(kv[0][0]), kv[0][1])):
        worked = sum((calc.seconds(b - a) for a, b in work), calc.ZERO)
        breaks = calc.recognised_breaks(work)
        minutes = calc.deduction_minutes(worked, breaks)
        if minutes == 0:
            continue
        row: Row = {
            "id": uuid.uuid4(),
            "employee_id": emp_id,
            "day": day,
            "minutes": minutes,
            "worked_minutes": int(worked // 60),
            "break_minutes": int(breaks // 60),
            "rule": "break_9h" if calc.break_needed(worked) == 45 else "break_6h",
            "reversed_at": None,
            "reversed_by": None,
            "reversal_reason": None,
        }
        if rng.random() < 0.15:
            row["reversed_at"] = datetime.combine(day + timedelta(days=2), time(9), tzinfo=UTC)
            row["reversed_by"] = managers.get("Development") or next(iter(managers.values()))
            row["reversal_reason"] = "Pause mündlich bestätigt"
        rows.append(row)


def _bookings(
    rng: random.Random, employees: list[Row], start: date, workdays: list[date], demo: DemoCompany
) -> None:
    rows = demo.worktime.setdefault("bookings", [])
    new = [e for e in employees if e["_new"]]
    for emp, amount in zip(new[3:6], ("12.50", "-3.00", "6.00"), strict=False):
        rows.append(
            {
                "id": uuid.uuid4(),
                "employee_id": emp["id"],
                "account": "overtime",
                "kind": "opening",
                "day": start,
                "quantity": Decimal(amount),
                "note": "Übertrag aus der alten Zeiterfassung",
                "created_by": new[0]["id"],
            }
        )
    if len(new) > 6:
        payday = workdays[len(workdays) // 3]
        rows.append(
            {
                "id": uuid.uuid4(),
                "employee_id": new[6]["id"],
                "account": "overtime",
                "kind": "payout",
                "day": payday,
                "quantity": Decimal("10.00"),
                "note": "Auszahlung mit der Gehaltsabrechnung",
                "created_by": new[0]["id"],
            }
        )
        rows.append(
            {
                "id": uuid.uuid4(),
                "employee_id": new[6]["id"],
                "account": "vacation",
                "kind": "opening",
                "day": start,
                "quantity": Decimal("3.00"),
                "note": "Resturlaub aus dem Vorjahr",
                "created_by": new[0]["id"],
            }
        )


def _closings(
    rng: random.Random, employees: list[Row], workdays: list[date], today: date, demo: DemoCompany
) -> None:
    """Every month of the history that is over is approved, except the last one: handed in
    by some, still open for others."""
    first_month = workdays[0].replace(day=1)
    if workdays[0] != first_month:
        first_month = (first_month + timedelta(days=32)).replace(day=1)
    current = today.replace(day=1)
    months: list[date] = []
    month = first_month
    while month < current:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    leaders = {e["department_id"]: e for e in employees[:3]}
    admin = employees[0]
    rows = demo.worktime.setdefault("closings", [])
    for emp in employees:
        if not emp["_new"]:
            continue
        manager = leaders.get(emp["department_id"])
        approver = admin if manager is None or manager["id"] == emp["id"] else manager
        for k, month in enumerate(months):
            nxt = (month + timedelta(days=32)).replace(day=1)
            last = k == len(months) - 1
            if last and rng.random() < 0.5:
                continue  # not handed in yet
            submitted = datetime.combine(nxt + timedelta(days=1), time(17), tzinfo=UTC)
            rows.append(
                {
                    "id": uuid.uuid4(),
                    "employee_id": emp["id"],
                    "month": month,
                    "status": "submitted" if last else "approved",
                    "submitted_at": submitted,
                    "submitted_by": emp["id"],
                    "decided_at": None if last else submitted + timedelta(days=2),
                    "decided_by": None if last else approver["id"],
                    "comment": None,
                }
            )


# ---- loading -------------------------------------------------------------------------------

# Closings last: an approved month refuses the rows of its days.
TABLES = (
    ("contracts", WorkContract),
    ("absences", Absence),
    ("deductions", BreakDeduction),
    ("bookings", AccountBooking),
    ("closings", MonthClosing),
)


def count(demo: DemoCompany) -> int:
    return sum(len(rows) for rows in demo.worktime.values())


async def load(conn: AsyncConnection, demo: DemoCompany, progress: Any) -> None:
    """Insert the working-time rows (after the time entries are in)."""
    for key, model in TABLES:
        rows = [strip_private(r) for r in demo.worktime.get(key, [])]
        if rows:
            await conn.execute(insert(model), rows)
        progress("working time", len(rows))

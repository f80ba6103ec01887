"""Target, actual and overtime per day, week and month, the running overtime account, and
the vacation account per year, all computed from the stored records alone.

The overtime balance at the end of a day D is
    Σ overtime bookings on or before D (opening + corrections − payouts)
  + Σ over the days d ≤ D that a work contract covers of (actual(d) − target(d)).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from workmate import clock
from workmate.worktime import calc
from workmate.worktime.calc import HOUR, ZERO, Plan, VacationYear
from workmate.worktime.holidays import holiday_service
from workmate.worktime.repository import Records, worktime_repository
from workmate.worktime.repository import terms as worktime_repository_terms


@dataclass(frozen=True, slots=True)
class Day:
    """One day of one employee; durations in seconds (Decimal, exact)."""

    plan: Plan
    worked: Decimal
    deduction_minutes: int
    deduction_id: uuid.UUID | None
    deduction_reversed: bool
    actual: Decimal
    # None for days still to come: they have a target but no result yet.
    difference: Decimal | None

    @property
    def day(self) -> date:
        return self.plan.day

    @property
    def target(self) -> Decimal:
        return self.plan.target

    @property
    def counted(self) -> bool:
        """Whether the day enters the overtime account (a contract covers it)."""
        return self.plan.contract is not None


@dataclass
class Account:
    """An employee's days over a period plus what the overtime account needs."""

    employee_id: uuid.UUID
    days: list[Day] = field(default_factory=list)
    records: Records | None = None
    opening_balance: Decimal = ZERO  # seconds, at the end of the day before the period

    def totals(self, until: date | None = None) -> tuple[Decimal, Decimal, Decimal]:
        """(target, actual, difference) in seconds over the days up to `until`."""
        chosen = [d for d in self.days if until is None or d.day <= until]
        target = sum((d.target for d in chosen if d.counted), ZERO)
        actual = sum((d.actual for d in chosen if d.counted), ZERO)
        diff = sum((d.difference for d in chosen if d.counted and d.difference is not None), ZERO)
        return target, actual, diff


def booked_hours(
    records: Records, account: str, kinds: Sequence[str], first: date, last: date
) -> Decimal:
    """Sum of bookings on an account between two days (payouts count positive)."""
    return sum(
        (
            b.quantity
            for b in records.bookings
            if b.account == account and b.kind in kinds and first <= b.day <= last
        ),
        ZERO,
    )


def overtime_bookings(records: Records, last: date, first: date = date.min) -> Decimal:
    """Seconds the bookings on the overtime account add up to between two days."""
    plus = booked_hours(records, "overtime", ("opening", "correction"), first, last)
    minus = booked_hours(records, "overtime", ("payout",), first, last)
    return (plus - minus) * HOUR


class AccountService:
    async def accounts(
        self,
        db: AsyncSession,
        employee_ids: Sequence[uuid.UUID],
        first: date,
        last: date,
        *,
        today: date | None = None,
        with_balance: bool = True,
    ) -> dict[uuid.UUID, Account]:
        """Each employee's days between first and last; with the balance before `first`."""
        today = today or clock.today()
        start = first
        if with_balance:
            earliest = await worktime_repository.first_contract_day(db, employee_ids)
            if earliest is not None and earliest < first:
                start = earliest
        settings = await worktime_repository.settings(db)
        records = await worktime_repository.load(db, employee_ids, start, last)
        states = {c.federal_state for r in records.values() for c in r.contracts}
        holidays = await holiday_service.table(db, states, start, last) if states else {}
        half_days = frozenset(settings.half_days)
        result: dict[uuid.UUID, Account] = {}
        for employee_id in employee_ids:
            r = records[employee_id]
            account = Account(employee_id, records=r)
            # One lookup per day instead of a scan of all absences (years of days).
            away = {d: a for a in r.approved() for d in calc.days(a.start, a.end)}
            before = ZERO
            for day in calc.days(start, last):
                on_day = [away[day]] if day in away else []
                figures = _day(r, calc.plan(day, r.contracts, holidays, half_days, on_day), today)
                if day < first:
                    if figures.counted and figures.difference is not None:
                        before += figures.difference
                else:
                    account.days.append(figures)
            account.opening_balance = before + overtime_bookings(r, first - timedelta(days=1))
            result[employee_id] = account
        return result

    async def account(
        self, db: AsyncSession, employee_id: uuid.UUID, first: date, last: date
    ) -> Account:
        return (await self.accounts(db, [employee_id], first, last))[employee_id]

    def balance(self, account: Account, at: date) -> Decimal:
        """Seconds on the overtime account at the end of `at` (within the account's days)."""
        records = account.records
        assert records is not None
        first = account.days[0].day if account.days else at
        _, _, diff = account.totals(until=at)
        return account.opening_balance + diff + overtime_bookings(records, at, first)

    async def balance_at(self, db: AsyncSession, employee_id: uuid.UUID, at: date) -> Decimal:
        """The overtime balance (seconds) at the end of a day."""
        account = await self.account(db, employee_id, at, at)
        return self.balance(account, at)

    # ---- vacation ----

    async def vacation(
        self, db: AsyncSession, employee_id: uuid.UUID, year: int, today: date | None = None
    ) -> VacationYear:
        """The vacation account of one year, carried over from the years before."""
        return (await self.vacations(db, [employee_id], year, today))[employee_id]

    async def vacations(
        self,
        db: AsyncSession,
        employee_ids: Sequence[uuid.UUID],
        year: int,
        today: date | None = None,
    ) -> dict[uuid.UUID, VacationYear]:
        today = today or clock.today()
        earliest = await worktime_repository.first_contract_day(db, employee_ids)
        first_year = min(earliest.year if earliest else year, year)
        first, last = date(first_year, 1, 1), date(year, 12, 31)
        settings = await worktime_repository.settings(db)
        records = await worktime_repository.load(db, employee_ids, first, last)
        states = {c.federal_state for r in records.values() for c in r.contracts}
        holidays = await holiday_service.table(db, states, first, last) if states else {}
        half_days = frozenset(settings.half_days)
        result: dict[uuid.UUID, VacationYear] = {}
        for employee_id in employee_ids:
            r = records[employee_id]
            used: dict[date, Decimal] = {}
            requested: dict[date, Decimal] = {}
            for a in r.absences:
                if a.kind != "vacation":
                    continue
                target = used if a.status == "approved" else requested
                for day in calc.days(max(a.start, first), min(a.end, last)):
                    share = calc.plan(day, r.contracts, holidays, half_days, [a]).absence_days
                    if share:
                        target[day] = target.get(day, ZERO) + share
            carried = ZERO
            account: VacationYear | None = None
            for y in range(first_year, year + 1):
                y_first, y_last = date(y, 1, 1), date(y, 12, 31)
                expiry = (
                    date.fromisoformat(f"{y}-{settings.carry_over_expiry}")
                    if settings.carry_over_expiry and _valid_day(y, settings.carry_over_expiry)
                    else None
                )
                opening = booked_hours(r, "vacation", ("opening",), y_first, y_last)
                account = calc.vacation_year(
                    year=y,
                    entitlement_days=calc.entitlement(r.contracts, y),
                    carried=carried,
                    opening=opening,
                    expiry=expiry,
                    used_by_day={d: v for d, v in used.items() if d.year == y},
                    requested_by_day={d: v for d, v in requested.items() if d.year == y},
                    corrections=booked_hours(r, "vacation", ("correction",), y_first, y_last),
                    paid_out=booked_hours(r, "vacation", ("payout",), y_first, y_last),
                    today=today if y == year else y_last,
                )
                carried = account.left
            assert account is not None
            result[employee_id] = account
        return result

    async def absence_days(
        self, db: AsyncSession, employee_id: uuid.UUID, absence: calc.Away
    ) -> dict[int, Decimal]:
        """Working days per year an absence uses under the employee's contracts (weekdays
        the contract has hours on, less public holidays; half days count ½)."""
        settings = await worktime_repository.settings(db)
        contracts = (await worktime_repository.contracts(db, [employee_id])).get(employee_id, [])
        terms = [worktime_repository_terms(c) for c in contracts]
        states = {c.federal_state for c in terms}
        holidays = (
            await holiday_service.table(db, states, absence.start, absence.end) if states else {}
        )
        half_days = frozenset(settings.half_days)
        per_year: dict[int, Decimal] = {}
        for day in calc.days(absence.start, absence.end):
            share = calc.plan(day, terms, holidays, half_days, [absence]).absence_days
            per_year[day.year] = per_year.get(day.year, ZERO) + share
        return per_year


def _valid_day(year: int, month_day: str) -> bool:
    try:
        date.fromisoformat(f"{year}-{month_day}")
    except ValueError:
        return False  # 02-29 in a common year
    return True


def _day(r: Records, plan: Plan, today: date) -> Day:
    worked = r.worked.get(plan.day, ZERO)
    deduction = r.deductions.get(plan.day)
    minutes = deduction.minutes if deduction is not None and deduction.reversed_at is None else 0
    actual = worked - minutes * 60
    return Day(
        plan=plan,
        worked=worked,
        deduction_minutes=minutes,
        deduction_id=deduction.id if deduction is not None else None,
        deduction_reversed=deduction is not None and deduction.reversed_at is not None,
        actual=actual,
        difference=actual - plan.target if plan.day <= today else None,
    )


account_service = AccountService()

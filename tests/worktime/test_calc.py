"""The arithmetic, hand-computed: targets, §4 deductions, pro-rata vacation, carry-over."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from workmate.worktime import calc
from workmate.worktime.calc import Away, Terms

FIVE_DAYS = tuple(Decimal(x) for x in ("8", "8", "8", "8", "8", "0", "0"))
FOUR_DAYS = tuple(Decimal(x) for x in ("8", "8", "8", "8", "0", "0", "0"))


def terms(
    start: date,
    end: date | None,
    days: str,
    hours: tuple[Decimal, ...] = FIVE_DAYS,
    state: str = "HH",
) -> Terms:
    return Terms(uuid.uuid4(), start, end, hours, Decimal(days), state)


def h(hours: float) -> Decimal:
    return Decimal(str(hours)) * 3600


class TestDeduction:
    @pytest.mark.parametrize(
        ("worked_h", "break_min", "deducted"),
        [
            (6, 0, 0),  # exactly six hours need no break
            (6 + 10 / 60, 0, 10),  # deducting 10 min leaves six hours: complies
            (8, 0, 30),
            (8, 20, 10),
            (8, 30, 0),
            (10, 0, 45),
            (10, 30, 15),
            (9 + 5 / 60, 30, 5),  # down to nine hours, where 30 min suffice
            (9.5, 45, 0),
            (4, 0, 0),
        ],
    )
    def test_smallest_deduction_that_complies(
        self, worked_h: float, break_min: int, deducted: int
    ) -> None:
        worked = Decimal(round(worked_h * 3600))
        assert calc.deduction_minutes(worked, Decimal(break_min * 60)) == deducted

    def test_only_gaps_of_fifteen_minutes_are_breaks(self) -> None:
        t = datetime(2026, 3, 2, 8, tzinfo=UTC)
        spans = [
            (t, t + timedelta(hours=3)),
            (t + timedelta(hours=3, minutes=10), t + timedelta(hours=5)),  # 10 min: no break
            (t + timedelta(hours=5, minutes=20), t + timedelta(hours=8)),  # 20 min: a break
        ]
        assert calc.recognised_breaks(spans) == 20 * 60


class TestTarget:
    def test_holiday_half_day_and_absences(self) -> None:
        c = [terms(date(2026, 1, 1), None, "30")]
        holidays = {("HH", date(2026, 5, 1)): "Erster Mai"}
        half = frozenset({"12-24"})
        plan = calc.plan(date(2026, 5, 1), c, holidays, half, [])
        assert (plan.target, plan.holiday_name) == (0, "Erster Mai")
        # 24 December 2026 is a Thursday: half a day's target.
        assert calc.plan(date(2026, 12, 24), c, holidays, half, []).target == h(4)
        vacation = Away(
            uuid.uuid4(),
            "vacation",
            date(2026, 12, 24),
            date(2026, 12, 24),
            False,
            False,
            "approved",
        )
        plan = calc.plan(date(2026, 12, 24), c, holidays, half, [vacation])
        assert (plan.target, plan.absence_days) == (0, Decimal("0.5"))
        # Overtime compensation keeps the target: the day comes off the overtime account.
        comp = Away(
            uuid.uuid4(),
            "overtime_compensation",
            date(2026, 3, 2),
            date(2026, 3, 2),
            False,
            False,
            "approved",
        )
        assert calc.plan(date(2026, 3, 2), c, holidays, half, [comp]).target == h(8)
        half_sick = Away(
            uuid.uuid4(), "sick", date(2026, 3, 3), date(2026, 3, 4), True, False, "approved"
        )
        assert calc.plan(date(2026, 3, 3), c, holidays, half, [half_sick]).target == h(4)
        assert calc.plan(date(2026, 3, 4), c, holidays, half, [half_sick]).target == 0
        # Weekends cost no vacation.
        weekend = Away(
            uuid.uuid4(), "vacation", date(2026, 3, 7), date(2026, 3, 8), False, False, "approved"
        )
        assert calc.plan(date(2026, 3, 7), c, holidays, half, [weekend]).absence_days == 0


class TestEntitlement:
    def test_whole_year(self) -> None:
        assert calc.entitlement([terms(date(2020, 1, 1), None, "30")], 2026) == 30

    def test_change_mid_year_splits_the_year(self) -> None:
        # 30 days × 181/365 + 24 days × 184/365 = 26.975 -> 27 (§5 (2) BUrlG rounds up).
        contracts = [
            terms(date(2020, 1, 1), date(2026, 6, 30), "30"),
            terms(date(2026, 7, 1), None, "24", FOUR_DAYS),
        ]
        assert calc.entitlement(contracts, 2026) == 27
        assert calc.entitlement(contracts, 2027) == 24
        assert calc.entitlement(contracts, 2025) == 30

    def test_joining_and_leaving(self) -> None:
        # 15 March to 31 December 2026: 292 of 365 days of 30 = 24.0.
        assert calc.entitlement([terms(date(2026, 3, 15), None, "30")], 2026) == 24
        # 1 January to 30 June 2026: 181/365 × 30 = 14.88 -> 15.
        assert calc.entitlement([terms(date(2026, 1, 1), date(2026, 6, 30), "30")], 2026) == 15
        # Leap year 2024, from 1 July: 184/366 × 30 = 15.08; below half a day stays.
        assert calc.entitlement([terms(date(2024, 7, 1), None, "30")], 2024) == Decimal("15.08")


class TestVacationYear:
    def year(self, today: date, used: dict[date, Decimal], carried: str = "5") -> calc.VacationYear:
        return calc.vacation_year(
            year=2026,
            entitlement_days=Decimal(30),
            carried=Decimal(carried),
            expiry=date(2026, 3, 31),
            used_by_day=used,
            requested_by_day={date(2026, 9, 1): Decimal(1)},
            corrections=Decimal(0),
            paid_out=Decimal(0),
            today=today,
        )

    def test_carry_over_used_first_then_expires(self) -> None:
        used = {date(2026, 2, 2): Decimal(1), date(2026, 8, 3): Decimal(10)}
        before = self.year(date(2026, 3, 1), used)
        # Before the expiry day nothing has expired; the August days are planned.
        assert (before.expired, before.taken, before.planned, before.left) == (0, 1, 10, 24)
        after = self.year(date(2026, 4, 1), used)
        # 5 carried, 1 used by 31 March: 4 expire.
        assert (after.expired, after.left, after.requested) == (4, 20, 1)

    def test_no_expiry_when_all_carried_days_were_used(self) -> None:
        used = {date(2026, 1, 5) + timedelta(days=i): Decimal(1) for i in range(5)}
        assert self.year(date(2026, 6, 1), used).expired == 0

    def test_negative_carry_never_expires(self) -> None:
        assert self.year(date(2026, 6, 1), {}, carried="-2").left == 28

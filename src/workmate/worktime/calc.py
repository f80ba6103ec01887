"""The arithmetic of working time, free of any database: targets, absences, breaks, vacation.

Everything is exact: durations are Decimal seconds (timers have microseconds), contract hours
have two decimals and every fraction of a day is 0, ½ or 1, so a target is a whole number of
seconds and no rounding happens before a figure is shown.

A day's figures:
    target = contract hours of the weekday × max(0, 1 − holiday − credited absence)
    actual = finished time entries started that day − the active break deduction
    difference = actual − target
where holiday is 1 (public holiday of the contract's federal state), ½ (a company half day
such as 24 December) or 0, and an absence of a kind other than overtime compensation
credits its fraction (1, or ½ on a half day). Overtime compensation credits nothing: the
employee stays home and the day's target comes off the overtime account.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

ZERO = Decimal(0)
HALF = Decimal("0.5")
ONE = Decimal(1)
HOUR = Decimal(3600)
# Kinds whose days count as worked for the target; overtime compensation is paid from the
# overtime account instead.
CREDITED = frozenset({"vacation", "sick", "special_leave", "training"})

# §4 ArbZG: more than six hours need 30 minutes of break, more than nine hours 45; only
# breaks of at least 15 minutes count.
SIX_HOURS = 6 * 3600
NINE_HOURS = 9 * 3600
MIN_BREAK = 15 * 60


@dataclass(frozen=True, slots=True)
class Terms:
    """A work contract's terms over its validity."""

    id: uuid.UUID
    valid_from: date
    valid_to: date | None
    day_hours: tuple[Decimal, ...]  # Monday..Sunday
    vacation_days: Decimal
    federal_state: str

    def covers(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def hours(self, day: date) -> Decimal:
        return self.day_hours[day.weekday()]


@dataclass(frozen=True, slots=True)
class Away:
    """An absence as the arithmetic needs it."""

    id: uuid.UUID
    kind: str
    start: date
    end: date
    half_day_start: bool
    half_day_end: bool
    status: str

    def fraction(self, day: date) -> Decimal:
        """How much of `day` the absence takes: 0, ½ or 1."""
        if not self.start <= day <= self.end:
            return ZERO
        if (day == self.start and self.half_day_start) or (day == self.end and self.half_day_end):
            return HALF
        return ONE


@dataclass(frozen=True, slots=True)
class Plan:
    """What a day asks of an employee before anything was worked."""

    day: date
    contract: Terms | None
    hours: Decimal  # contract hours of the weekday
    holiday: Decimal  # 0, ½ or 1
    holiday_name: str | None
    absence: Away | None
    absence_fraction: Decimal
    target: Decimal  # seconds
    # Working days the absence uses on this day (vacation is counted in these).
    absence_days: Decimal


def contract_on(contracts: Sequence[Terms], day: date) -> Terms | None:
    return next((c for c in contracts if c.covers(day)), None)


def holiday_of(
    day: date,
    state: str | None,
    holidays: dict[tuple[str, date], str],
    half_days: frozenset[str],
) -> tuple[Decimal, str | None]:
    """(fraction, name) of a public holiday (whole) or company half day on `day`."""
    if state is not None and (name := holidays.get((state, day))) is not None:
        return ONE, name
    if day.strftime("%m-%d") in half_days:
        return HALF, None
    return ZERO, None


def plan(
    day: date,
    contracts: Sequence[Terms],
    holidays: dict[tuple[str, date], str],
    half_days: frozenset[str],
    absences: Sequence[Away],
) -> Plan:
    """The day's target and the working days an absence on it uses."""
    contract = contract_on(contracts, day)
    hours = contract.hours(day) if contract else ZERO
    holiday, name = holiday_of(
        day, contract.federal_state if contract else None, holidays, half_days
    )
    away = next((a for a in absences if a.start <= day <= a.end), None)
    fraction = away.fraction(day) if away else ZERO
    credit = fraction if away is not None and away.kind in CREDITED else ZERO
    target = hours * HOUR * max(ZERO, ONE - holiday - credit)
    # A day off under the contract, or a public holiday, costs no vacation.
    used = min(fraction, ONE - holiday) if hours > 0 else ZERO
    return Plan(day, contract, hours, holiday, name, away, fraction, target, max(used, ZERO))


def days(first: date, last: date) -> Iterable[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


# ---- breaks (§4 ArbZG) ---------------------------------------------------------------------


def seconds(delta: timedelta) -> Decimal:
    """A timedelta as exact Decimal seconds."""
    return Decimal(delta // timedelta(microseconds=1)) / 1_000_000


def recognised_breaks(spans: Sequence[tuple[datetime, datetime]]) -> Decimal:
    """Seconds of the gaps of at least 15 minutes between a day's work spans (in order)."""
    ordered = sorted(spans)
    total = ZERO
    for (_, finish), (begin, _) in itertools.pairwise(ordered):
        gap = seconds(begin - finish)
        if gap >= MIN_BREAK:
            total += gap
    return total


def break_needed(worked: Decimal) -> int:
    """Minutes of break §4 ArbZG requires for `worked` seconds."""
    if worked > NINE_HOURS:
        return 45
    if worked > SIX_HOURS:
        return 30
    return 0


def deduction_minutes(worked: Decimal, breaks: Decimal) -> int:
    """The smallest whole number of minutes that, taken from the worked time and counted as
    break, makes the day comply with §4: 8 h without a break lose 30 min, 10 h lose 45, and
    6 h 10 min lose only 10 (after which the six hours are not exceeded)."""
    if breaks >= break_needed(worked) * 60:
        return 0
    candidates = {
        30 * 60 - breaks,
        45 * 60 - breaks,
        worked - NINE_HOURS,
        worked - SIX_HOURS,
    }
    for x in sorted(c for c in candidates if c > 0):
        if breaks + x >= break_needed(worked - x) * 60:
            return int(-(-x // 60))  # whole minutes, rounded up
    return 0  # unreachable: worked − 6 h always complies


# ---- vacation ------------------------------------------------------------------------------


def entitlement(contracts: Sequence[Terms], year: int) -> Decimal:
    """Vacation days of `year`: each contract's yearly days × its share of the year's calendar
    days; a fraction of at least half a day rounds up to a whole day (§5 (2) BUrlG), smaller
    fractions stay (rounded to hundredths)."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    length = Decimal((last - first).days + 1)
    total = ZERO
    for c in contracts:
        start = max(c.valid_from, first)
        end = min(c.valid_to or last, last)
        if end >= start:
            total += c.vacation_days * Decimal((end - start).days + 1) / length
    whole = total.to_integral_value(rounding=ROUND_FLOOR)
    if total - whole >= HALF:
        return whole + 1
    return total.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class VacationYear:
    year: int
    entitlement: Decimal
    carried_over: Decimal  # from the year before (or the opening balance)
    carry_over_expires: date | None
    expired: Decimal  # carried days not taken by the expiry day
    corrections: Decimal
    paid_out: Decimal
    taken: Decimal  # approved, on or before the reference day
    planned: Decimal  # approved, after the reference day
    requested: Decimal  # awaiting a decision
    left: Decimal  # entitlement + carried − expired + corrections − paid out − taken − planned


def vacation_year(
    *,
    year: int,
    entitlement_days: Decimal,
    carried: Decimal,
    expiry: date | None,
    used_by_day: dict[date, Decimal],
    requested_by_day: dict[date, Decimal],
    corrections: Decimal,
    paid_out: Decimal,
    today: date,
    opening: Decimal = ZERO,
) -> VacationYear:
    """One year of the vacation account as of `today` (for a past year: its end).

    Carried days are used first; whatever of them is not used by the expiry day expires on
    the day after (only once that day has come). An opening balance (days brought in when the
    account started) counts as carried over but does not expire."""
    reference = min(today, date(year, 12, 31))
    taken = sum((d for day, d in used_by_day.items() if day <= reference), ZERO)
    planned = sum((d for day, d in used_by_day.items() if day > reference), ZERO)
    expired = ZERO
    if expiry is not None and carried > 0 and reference > expiry:
        used_early = sum((d for day, d in used_by_day.items() if day <= expiry), ZERO)
        expired = max(ZERO, carried - used_early)
    left = entitlement_days + carried + opening - expired + corrections - paid_out - taken - planned
    return VacationYear(
        year=year,
        entitlement=entitlement_days,
        carried_over=carried + opening,
        carry_over_expires=expiry if carried > 0 and expiry is not None else None,
        expired=expired,
        corrections=corrections,
        paid_out=paid_out,
        taken=taken,
        planned=planned,
        requested=sum(requested_by_day.values(), ZERO),
        left=left,
    )


def hours(value: Decimal) -> Decimal:
    """Seconds as hours with two decimals (for showing, never for adding up)."""
    return (value / HOUR).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

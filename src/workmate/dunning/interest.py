"""Default interest by § 288 BGB: the base rate (§ 247 BGB) in force on each day plus 9
percentage points for businesses, 5 for consumers; act/365, half-up to cents."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

BUSINESS_POINTS = Decimal(9)
CONSUMER_POINTS = Decimal(5)
# § 288 Abs. 5 BGB: flat fee when a business debtor is in default (once per claim).
FLAT_FEE = Decimal("40.00")
CENT = Decimal("0.01")


def points(customer_type: str) -> Decimal:
    return CONSUMER_POINTS if customer_type == "B2C" else BUSINESS_POINTS


def default_interest(
    amount: Decimal,
    first_day: date,
    last_day: date,
    rates: Sequence[tuple[date, Decimal]],
    extra_points: Decimal,
) -> tuple[Decimal, int, Decimal]:
    """(interest, days, rate of the last day) for `amount` from first_day to last_day
    inclusive; `rates` are (valid_from, base rate) sorted by date."""
    if last_day < first_day:
        return Decimal("0.00"), 0, _rate_on(last_day, rates) + extra_points
    total = Decimal(0)
    day = first_day
    while day <= last_day:
        rate = _rate_on(day, rates) + extra_points
        following = next((d for d, _ in rates if d > day), None)
        end = min(last_day, following - timedelta(days=1)) if following else last_day
        days = (end - day).days + 1
        total += amount * max(rate, Decimal(0)) / 100 * days / 365
        day = end + timedelta(days=1)
    return (
        total.quantize(CENT, rounding=ROUND_HALF_UP),
        (last_day - first_day).days + 1,
        _rate_on(last_day, rates) + extra_points,
    )


def _rate_on(day: date, rates: Sequence[tuple[date, Decimal]]) -> Decimal:
    found = [rate for start, rate in rates if start <= day]
    if not found:
        raise LookupError(f"no base rate applies on {day:%Y-%m-%d}")
    return found[-1]

"""Billing periods of a template: counted from its first date, so a 31st stays the month's
last day instead of drifting."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

MONTHS = {"monthly": 1, "quarterly": 3, "yearly": 12}


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def period_start(first: date, interval: str, index: int) -> date:
    """Start of the period `index` (0 = the first)."""
    return add_months(first, MONTHS[interval] * index)


def index_of(first: date, interval: str, start: date) -> int:
    """Which period begins on `start` (a start produced by period_start)."""
    months = (start.year - first.year) * 12 + start.month - first.month
    return months // MONTHS[interval]


def period(first: date, interval: str, start: date, end_date: date | None) -> tuple[date, date]:
    """(start, end) of the period beginning on `start`; the end date cuts the last one short."""
    following = period_start(first, interval, index_of(first, interval, start) + 1)
    end = following - timedelta(days=1)
    if end_date is not None and end > end_date:
        end = end_date
    return start, end


def following(first: date, interval: str, start: date) -> date:
    return period_start(first, interval, index_of(first, interval, start) + 1)

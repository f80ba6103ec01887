"""The one clock: instants are UTC, calendar days are the business's (Europe/Berlin).

Every "today", every day/week/month boundary and every wall-clock time shown to a user comes
from here. The database has the same definition (the SQL function `wm_today()`, see
migrations), so a trigger and the API never disagree between midnight UTC and midnight in
Germany.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# Invoice dates, due dates, reminders, working days: German calendar dates, whatever the
# server's own time zone.
BUSINESS_ZONE_NAME = "Europe/Berlin"
BUSINESS_ZONE = ZoneInfo(BUSINESS_ZONE_NAME)


def now() -> datetime:
    """The current instant (aware, UTC)."""
    return datetime.now(UTC)


def today() -> date:
    """Today's date in the business time zone."""
    return datetime.now(BUSINESS_ZONE).date()


def local(instant: datetime) -> datetime:
    """An instant as wall-clock time in the business zone."""
    return instant.astimezone(BUSINESS_ZONE)


def day_of(instant: datetime) -> date:
    """The business calendar day an instant falls on."""
    return instant.astimezone(BUSINESS_ZONE).date()


def day_start(day: date) -> datetime:
    """The instant a business calendar day begins (DST-aware)."""
    return datetime.combine(day, time.min, tzinfo=BUSINESS_ZONE)


def period_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """[first instant of `first`, first instant after `last`) in the business zone."""
    return day_start(first), day_start(last + timedelta(days=1))

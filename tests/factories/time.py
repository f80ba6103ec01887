"""Time-entry test data: constructed working days for the ArbZG checks."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.records import make_time_entry
from workmate.models import Project, TimeEntry

BERLIN = ZoneInfo("Europe/Berlin")


def berlin(day: date, hh: int, mm: int = 0) -> datetime:
    """An aware instant at Berlin wall-clock time hh:mm on `day`."""
    return datetime.combine(day, time(hh, mm), tzinfo=BERLIN)


async def make_day(
    db: AsyncSession,
    employee_id: uuid.UUID,
    project: Project,
    day: date,
    *spans: tuple[tuple[int, int], tuple[int, int]],
) -> list[TimeEntry]:
    """Entries for `day` from ((h, m), (h, m)) Berlin wall-clock spans."""
    return [
        await make_time_entry(
            db, employee_id, project, start_time=berlin(day, *start), end_time=berlin(day, *end)
        )
        for start, end in spans
    ]

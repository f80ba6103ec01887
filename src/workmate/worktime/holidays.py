"""Public holidays per federal state, from the `holidays` library, stored once per year.

Stored rather than computed on every request: a balance that was right yesterday stays right
when the library changes, and SQL (the recomputation, reports) sees the same days.
"""

from __future__ import annotations

from datetime import date

import holidays as holiday_library
from sqlalchemy.ext.asyncio import AsyncSession

from workmate.errors import Invalid
from workmate.models import PublicHoliday
from workmate.models.public_holiday import HOLIDAY_CATEGORIES
from workmate.models.work_contract import FEDERAL_STATES
from workmate.worktime.repository import worktime_repository

# Years the library is asked about; beyond them no one plans working time.
FIRST_YEAR, LAST_YEAR = 1990, 2100


def library_rows(year: int) -> list[dict[str, object]]:
    """Every state's holidays of `year` (German and English names): the statutory ones
    (`public`) and those of predominantly Catholic municipalities (`catholic`)."""
    rows: list[dict[str, object]] = []
    for state in FEDERAL_STATES:
        for category in HOLIDAY_CATEGORIES:
            german = holiday_library.country_holidays(
                "DE", subdiv=state, years=year, language="de", categories=(category,)
            )
            english = holiday_library.country_holidays(
                "DE", subdiv=state, years=year, language="en_US", categories=(category,)
            )
            for day, name in sorted(german.items()):
                rows.append(
                    {
                        "federal_state": state,
                        "day": day,
                        "name": name[:200],
                        "name_en": str(english.get(day, name))[:200],
                        "category": category,
                    }
                )
    return rows


class HolidayService:
    async def ensure(self, db: AsyncSession, first: date, last: date) -> None:
        """Store the holidays of every year between the two days that are not stored yet."""
        low, high = max(first.year, FIRST_YEAR), min(last.year, LAST_YEAR)
        if low > high:
            return
        have = await worktime_repository.holiday_years(db, low, high)
        for year in range(low, high + 1):
            if year not in have:
                # Concurrent requests may add the same year; the primary key keeps one.
                await worktime_repository.add_holidays(db, library_rows(year))

    async def table(
        self, db: AsyncSession, states: set[str], first: date, last: date
    ) -> dict[tuple[str, date], str]:
        """(state, day) -> German name, for the states and days asked."""
        await self.ensure(db, first, last)
        rows = await worktime_repository.holidays(db, states, first, last)
        return {(h.federal_state, h.day): h.name for h in rows}

    async def list(self, db: AsyncSession, *, year: int, state: str | None) -> list[PublicHoliday]:
        """The stored holidays of a year, of one state or all."""
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise Invalid(
                "year must lie between {first} and {last}",
                field="year",
                params={"first": FIRST_YEAR, "last": LAST_YEAR},
            )
        if state is not None and state not in FEDERAL_STATES:
            raise Invalid("unknown federal state", field="state")
        first, last = date(year, 1, 1), date(year, 12, 31)
        await self.ensure(db, first, last)
        states = [state] if state else list(FEDERAL_STATES)
        return await worktime_repository.holidays(db, states, first, last)


holiday_service = HolidayService()

"""Input types shared by every domain's schemas."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime


def _in_utc_range(value: datetime) -> datetime:
    # 9999-12-31T23:59-01:00 is aware but lies past year 9999 in UTC: the driver cannot store
    # it and the request would end in a 500 instead of a 422 naming the field.
    try:
        value.astimezone(UTC)
    except OverflowError:
        raise ValueError("timestamp out of range") from None
    return value


# An instant: timezone-aware (`Z` or an offset; a naive value is a 422) and storable.
Instant = Annotated[AwareDatetime, AfterValidator(_in_utc_range)]

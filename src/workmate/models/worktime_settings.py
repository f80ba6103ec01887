from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, CheckConstraint, Integer, String, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from workmate.models.base import Base, Timestamps, enum_check

BREAK_MODES = ("deduct", "warn")
MONTH_DAY = r"^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"


class WorktimeSettings(Timestamps, Base):
    """The company's working-time rules: one row (id = 1)."""

    __tablename__ = "worktime_settings"
    __table_args__ = (
        CheckConstraint("id = 1", name="single_row"),
        CheckConstraint(enum_check("break_mode", BREAK_MODES), name="break_mode"),
        CheckConstraint(
            f"carry_over_expiry IS NULL OR carry_over_expiry ~ '{MONTH_DAY}'",
            name="carry_over_expiry",
        ),
        CheckConstraint(
            "array_to_string(half_days, ',') ~ "
            "'^((0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])(,|$))*$'",
            name="half_days",
        ),
        CheckConstraint(
            "locked_through IS NULL OR locked_through = "
            "(date_trunc('month', locked_through) + interval '1 month - 1 day')::date",
            name="locked_through_month_end",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, server_default=text("1"))
    # deduct: a day short of the §4 ArbZG break loses the missing minutes; warn: only a warning.
    break_mode: Mapped[str] = mapped_column(String(10), server_default=text("'deduct'"))
    # Days (MM-DD) the company grants as half days off, e.g. 24 and 31 December.
    half_days: Mapped[list[str]] = mapped_column(
        ARRAY(String(5)), server_default=text("'{12-24,12-31}'")
    )
    # The workplace lies in a predominantly Catholic municipality: the `catholic` public
    # holidays count (Mariä Himmelfahrt in most of Bavaria, Fronleichnam in parts of Saxony
    # and Thuringia). It applies to every day, past ones too: set it when starting.
    catholic_holidays: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    # Vacation carried into a year must be taken by this day (MM-DD) or it expires; NULL:
    # carried days never expire.
    carry_over_expiry: Mapped[str | None] = mapped_column(String(5), server_default=text("'03-31'"))
    # Every month up to this day (a month's last day) is locked for everyone, unless a
    # manager reopened one employee's month.
    locked_through: Mapped[date | None]

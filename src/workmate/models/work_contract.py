from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import CheckConstraint, Computed, ForeignKey, Index, Numeric, String, Text, text
from sqlalchemy.dialects.postgresql import ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column

from workmate.models.base import Base, Timestamps, enum_check, uuid_pk

# The sixteen German federal states (ISO 3166-2:DE without the prefix); they decide the
# public holidays of a contract's days.
FEDERAL_STATES = (
    "BW", "BY", "BE", "BB", "HB", "HH", "HE", "MV",
    "NI", "NW", "RP", "SL", "SN", "ST", "SH", "TH",
)  # fmt: skip
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# §3 ArbZG: no contract can plan more than ten hours on one day.
DAY_HOURS_MAX = 10


class WorkContract(Timestamps, Base):
    """An employee's working-time terms from valid_from to valid_to (NULL: open-ended).

    The hours per weekday are the contract's target; weekly_hours is their sum, computed by
    PostgreSQL. Contracts of one employee never overlap (exclusion constraint), so every day
    has at most one contract.
    """

    __tablename__ = "work_contracts"
    __table_args__ = (
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="dates"),
        CheckConstraint(
            " AND ".join(f"hours_{d} BETWEEN 0 AND {DAY_HOURS_MAX}" for d in WEEKDAYS),
            name="day_hours",
        ),
        CheckConstraint("weekly_hours > 0", name="weekly_hours"),
        CheckConstraint("vacation_days BETWEEN 0 AND 100", name="vacation_days"),
        CheckConstraint(enum_check("federal_state", FEDERAL_STATES), name="federal_state"),
        ExcludeConstraint(
            ("employee_id", "="),
            (text("daterange(valid_from, valid_to, '[]')"), "&&"),
            name="ex_work_contracts_no_overlap",
            using="gist",
        ),
        Index("ix_work_contracts_employee_id_valid_from", "employee_id", "valid_from"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    employee_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("employees.id", ondelete="RESTRICT"))
    valid_from: Mapped[date]
    valid_to: Mapped[date | None]
    hours_mon: Mapped[Decimal] = mapped_column(Numeric(4, 2), server_default=text("0"))
    hours_tue: Mapped[Decimal] = mapped_column(Numeric(4, 2), server_default=text("0"))
    hours_wed: Mapped[Decimal] = mapped_column(Numeric(4, 2), server_default=text("0"))
    hours_thu: Mapped[Decimal] = mapped_column(Numeric(4, 2), server_default=text("0"))
    hours_fri: Mapped[Decimal] = mapped_column(Numeric(4, 2), server_default=text("0"))
    hours_sat: Mapped[Decimal] = mapped_column(Numeric(4, 2), server_default=text("0"))
    hours_sun: Mapped[Decimal] = mapped_column(Numeric(4, 2), server_default=text("0"))
    weekly_hours: Mapped[Decimal] = mapped_column(
        Numeric(5, 2),
        Computed(" + ".join(f"hours_{d}" for d in WEEKDAYS), persisted=True),
    )
    # Days of paid vacation for a whole year under these terms; a part of a year gets its
    # share (pro rata temporis, see worktime.vacation).
    vacation_days: Mapped[Decimal] = mapped_column(Numeric(4, 1))
    federal_state: Mapped[str] = mapped_column(String(2))
    note: Mapped[str | None] = mapped_column(Text)

    def day_hours(self) -> tuple[Decimal, ...]:
        """Hours Monday..Sunday."""
        return tuple(getattr(self, f"hours_{d}") for d in WEEKDAYS)

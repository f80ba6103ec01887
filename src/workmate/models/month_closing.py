from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from workmate.models.base import Base, Timestamps, enum_check, uuid_pk

CLOSING_STATUSES = ("submitted", "approved", "returned", "reopened")


class MonthClosing(Timestamps, Base):
    """An employee's month on its way to approval. `approved` locks the month: triggers
    refuse every change to its time entries, breaks, absences, deductions and bookings."""

    __tablename__ = "month_closings"
    __table_args__ = (
        UniqueConstraint("employee_id", "month"),
        CheckConstraint("extract(day FROM month) = 1", name="first_of_month"),
        CheckConstraint(enum_check("status", CLOSING_STATUSES), name="status"),
        CheckConstraint(
            "status <> 'approved' OR (decided_at IS NOT NULL AND decided_by IS NOT NULL)",
            name="approval_signed",
        ),
        Index("ix_month_closings_month_status", "month", "status"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    employee_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("employees.id", ondelete="RESTRICT"))
    # First day of the month.
    month: Mapped[date]
    status: Mapped[str] = mapped_column(String(20))
    submitted_at: Mapped[datetime | None]
    submitted_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("employees.id", ondelete="RESTRICT")
    )
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("employees.id", ondelete="RESTRICT")
    )
    # The manager's words: why the month went back, or why it was reopened.
    comment: Mapped[str | None] = mapped_column(Text)
    # Figures as approved (hours), printed on the signed time sheet.
    target_hours: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    actual_hours: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    balance_hours: Mapped[Decimal | None] = mapped_column(Numeric(9, 2))

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from workmate.models.base import Base, Timestamps, uuid_pk


class BreakDeduction(Timestamps, Base):
    """Break time §4 ArbZG required but the day's records lack, deducted from its working
    time; a manager may reverse it (the row stays, with who, when and why)."""

    __tablename__ = "break_deductions"
    __table_args__ = (
        UniqueConstraint("employee_id", "day"),
        CheckConstraint("minutes > 0", name="minutes"),
        CheckConstraint("(reversed_at IS NULL) = (reversed_by IS NULL)", name="reversal_complete"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    employee_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("employees.id", ondelete="RESTRICT"))
    day: Mapped[date]
    minutes: Mapped[int] = mapped_column(Integer)
    # What the day had: worked minutes and recognised break minutes, and the rule applied.
    worked_minutes: Mapped[int] = mapped_column(Integer)
    break_minutes: Mapped[int] = mapped_column(Integer)
    rule: Mapped[str] = mapped_column(String(20))
    reversed_at: Mapped[datetime | None]
    reversed_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("employees.id", ondelete="RESTRICT")
    )
    reversal_reason: Mapped[str | None] = mapped_column(Text)

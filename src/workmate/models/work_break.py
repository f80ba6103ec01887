from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import CheckConstraint, Computed, ForeignKey, Index, Interval, Text, text
from sqlalchemy.dialects.postgresql import ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column

from workmate.models.base import Base, Timestamps, uuid_pk


class WorkBreak(Timestamps, Base):
    """A recorded rest break (§4 ArbZG); `end_time IS NULL` is a pause in progress."""

    __tablename__ = "breaks"
    __table_args__ = (
        CheckConstraint("end_time IS NULL OR end_time > start_time", name="end_after_start"),
        Index(
            "uq_breaks_running_per_employee",
            "employee_id",
            unique=True,
            postgresql_where=text("end_time IS NULL"),
        ),
        ExcludeConstraint(
            ("employee_id", "="),
            (text("tstzrange(start_time, COALESCE(end_time, 'infinity'), '[)')"), "&&"),
            name="ex_breaks_no_overlap",
            using="gist",
        ),
        Index("ix_breaks_employee_id_start_time", "employee_id", "start_time"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    employee_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("employees.id", ondelete="RESTRICT"))
    start_time: Mapped[datetime]
    end_time: Mapped[datetime | None]
    duration: Mapped[timedelta | None] = mapped_column(
        Interval, Computed("end_time - start_time", persisted=True)
    )
    # The timer entry the pause interrupted; resuming continues its project.
    paused_entry_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("time_entries.id", ondelete="SET NULL")
    )
    note: Mapped[str | None] = mapped_column(Text)

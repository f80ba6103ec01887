from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Computed,
    ForeignKey,
    Index,
    Interval,
    Numeric,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column

from workmate.models.base import Base, Timestamps, uuid_pk


class TimeEntry(Timestamps, Base):
    """Work time; `end_time IS NULL` is a running timer."""

    __tablename__ = "time_entries"
    __table_args__ = (
        CheckConstraint("end_time IS NULL OR end_time > start_time", name="end_after_start"),
        CheckConstraint("hourly_rate IS NULL OR hourly_rate >= 0", name="hourly_rate"),
        Index("idx_time_entries_employee_id", "employee_id"),
        Index("idx_time_entries_project_id", "project_id"),
        Index("idx_time_entries_start_time", "start_time"),
        # One running timer per employee, however many requests race to start one.
        Index(
            "uq_time_entries_running_per_employee",
            "employee_id",
            unique=True,
            postgresql_where=text("end_time IS NULL"),
        ),
        # No two entries of one employee overlap; a running timer reaches to infinity.
        ExcludeConstraint(
            ("employee_id", "="),
            (text("tstzrange(start_time, COALESCE(end_time, 'infinity'), '[)')"), "&&"),
            name="ex_time_entries_no_overlap",
            using="gist",
        ),
        Index("ix_time_entries_invoice_id", "invoice_id"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    employee_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("employees.id", ondelete="RESTRICT"))
    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("projects.id", ondelete="RESTRICT"))
    start_time: Mapped[datetime]
    end_time: Mapped[datetime | None]
    # Computed by PostgreSQL, so no writer can store a duration that disagrees with the times.
    duration: Mapped[timedelta | None] = mapped_column(
        Interval, Computed("end_time - start_time", persisted=True)
    )
    note: Mapped[str | None] = mapped_column(Text)
    billable: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    # Net EUR per hour; NULL means the project's rate.
    hourly_rate: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    # The invoice this entry was billed on. SET NULL: deleting a draft releases its entries;
    # an issued invoice cannot be deleted at all.
    invoice_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("invoices.id", ondelete="SET NULL")
    )
    # Set when `workmate timers stop-stale` ended a forgotten timer at the limit.
    auto_stopped_at: Mapped[datetime | None]

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.dialects.postgresql import ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column

from workmate.models.base import Base, Timestamps, enum_check, uuid_pk

ABSENCE_KINDS = ("vacation", "sick", "special_leave", "overtime_compensation", "training")
ABSENCE_STATUSES = ("requested", "approved", "declined", "cancelled")
# Requested and approved absences hold their days; declined and cancelled ones are history.
ACTIVE_STATUSES = ("requested", "approved")


class Absence(Timestamps, Base):
    """A day or a run of days away from work, whole or half (first and/or last day)."""

    __tablename__ = "absences"
    __table_args__ = (
        CheckConstraint(enum_check("kind", ABSENCE_KINDS), name="kind"),
        CheckConstraint(enum_check("status", ABSENCE_STATUSES), name="status"),
        CheckConstraint("end_date >= start_date", name="dates"),
        # One day that is half at its start and half at its end is a whole day: say so.
        CheckConstraint(
            "end_date > start_date OR NOT (half_day_start AND half_day_end)", name="half_days"
        ),
        CheckConstraint("kind = 'sick' OR NOT certificate", name="certificate"),
        CheckConstraint(
            "status IN ('requested', 'cancelled') OR decided_at IS NOT NULL", name="decided"
        ),
        ExcludeConstraint(
            ("employee_id", "="),
            (text("daterange(start_date, end_date, '[]')"), "&&"),
            name="ex_absences_no_overlap",
            using="gist",
            where=text("status IN ('requested', 'approved')"),
        ),
        Index("ix_absences_employee_id_start_date", "employee_id", "start_date"),
        Index("ix_absences_start_date", "start_date"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    employee_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("employees.id", ondelete="RESTRICT"))
    kind: Mapped[str] = mapped_column(String(30))
    start_date: Mapped[date]
    end_date: Mapped[date]
    # The first day counts only its afternoon, the last day only its morning.
    half_day_start: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    half_day_end: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    # Sick leave with a doctor's certificate (Arbeitsunfähigkeitsbescheinigung).
    certificate: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    status: Mapped[str] = mapped_column(String(20), server_default=text("'requested'"))
    note: Mapped[str | None] = mapped_column(Text)
    requested_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("employees.id", ondelete="RESTRICT")
    )
    decided_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("employees.id", ondelete="RESTRICT")
    )
    decided_at: Mapped[datetime | None]
    decision_comment: Mapped[str | None] = mapped_column(Text)

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from workmate.models.base import Base, Timestamps, enum_check, uuid_pk

PROJECT_STATUSES = ("planned", "in_progress", "completed", "cancelled")


class Project(Timestamps, Base):
    __tablename__ = "projects"
    __table_args__ = (
        CheckConstraint(enum_check("status", PROJECT_STATUSES), name="status"),
        CheckConstraint(
            "end_date IS NULL OR start_date IS NULL OR end_date >= start_date", name="dates"
        ),
        CheckConstraint("hourly_rate IS NULL OR hourly_rate >= 0", name="hourly_rate"),
        Index("idx_projects_customer_id", "customer_id"),
        Index("idx_projects_status", "status"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id", ondelete="RESTRICT"))
    department_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), server_default=text("'planned'"))
    start_date: Mapped[date | None]
    end_date: Mapped[date | None]
    description: Mapped[str | None] = mapped_column(Text)
    # Default rate for billable time on this project (EUR per hour, net).
    hourly_rate: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from workmate.models.base import Base, uuid_pk


class RecurringRun(Base):
    """One billed period of a template: the unique key (template, period_start) makes each
    period's invoice exist once, whatever the number of workers or catch-up runs."""

    __tablename__ = "recurring_runs"
    __table_args__ = (
        UniqueConstraint("template_id", "period_start"),
        CheckConstraint("period_end >= period_start", name="period"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    template_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("recurring_invoices.id", ondelete="CASCADE")
    )
    period_start: Mapped[date]
    period_end: Mapped[date]
    invoice_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("invoices.id", ondelete="SET NULL"), unique=True
    )
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from workmate.models.base import Base, Timestamps, enum_check, uuid_pk

INTERVALS = ("monthly", "quarterly", "yearly")
RECURRING_MODES = ("draft", "issue", "issue_and_send")
RECURRING_STATUSES = ("active", "paused", "ended")


class RecurringInvoice(Timestamps, Base):
    """A template that bills a customer each period (hosting, retainers). The job creates the
    invoice of each period once (recurring_runs has one row per template and period); a
    changed price applies from the next period created."""

    __tablename__ = "recurring_invoices"
    __table_args__ = (
        CheckConstraint(enum_check("interval", INTERVALS), name="interval"),
        CheckConstraint(enum_check("mode", RECURRING_MODES), name="mode"),
        CheckConstraint(enum_check("status", RECURRING_STATUSES), name="status"),
        CheckConstraint(
            "vat_treatment IN ('regular', 'reverse_charge', 'small_business', 'non_taxable', "
            "'intra_eu_goods')",
            name="vat_treatment",
        ),
        CheckConstraint("end_date IS NULL OR end_date >= first_date", name="end_after_first"),
        CheckConstraint("next_period_start >= first_date", name="next_after_first"),
        Index(
            "ix_recurring_invoices_due",
            "next_period_start",
            postgresql_where=text("status = 'active'"),
        ),
        Index("ix_recurring_invoices_customer_id", "customer_id"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id", ondelete="RESTRICT"))
    project_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("projects.id", ondelete="RESTRICT")
    )
    title: Mapped[str] = mapped_column(String(200))
    interval: Mapped[str] = mapped_column(String(10))
    first_date: Mapped[date]
    end_date: Mapped[date | None]
    # The start of the first period not billed yet.
    next_period_start: Mapped[date]
    mode: Mapped[str] = mapped_column(String(20), server_default=text("'draft'"))
    status: Mapped[str] = mapped_column(String(10), server_default=text("'active'"))
    vat_treatment: Mapped[str] = mapped_column(String(20), server_default=text("'regular'"))
    payment_terms_days: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("employees.id", ondelete="SET NULL")
    )

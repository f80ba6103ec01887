from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from workmate.models.base import Base, Timestamps, enum_check, uuid_pk

QUOTE_STATUSES = ("draft", "sent", "accepted", "declined", "expired")


class Quote(Timestamps, Base):
    """A quote (Angebot): lines like an invoice, its own gapless number series (AN-2026-00001)
    given when it leaves draft, valid until a date; accepted, declined or expired."""

    __tablename__ = "quotes"
    __table_args__ = (
        CheckConstraint(enum_check("status", QUOTE_STATUSES), name="status"),
        CheckConstraint(
            "vat_treatment IN ('regular', 'reverse_charge', 'small_business', 'non_taxable', "
            "'intra_eu_goods')",
            name="vat_treatment",
        ),
        CheckConstraint("status = 'draft' OR number IS NOT NULL", name="issued_has_number"),
        CheckConstraint("status = 'draft' OR issued_date IS NOT NULL", name="issued_has_date"),
        CheckConstraint(
            "valid_until IS NULL OR issued_date IS NULL OR valid_until >= issued_date",
            name="valid_after_issue",
        ),
        CheckConstraint(
            "(status IN ('accepted', 'declined')) = (decided_at IS NOT NULL)", name="decided"
        ),
        Index("ix_quotes_customer_id", "customer_id"),
        Index("ix_quotes_status_valid_until", "status", "valid_until"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    number: Mapped[str | None] = mapped_column(String(40), unique=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id", ondelete="RESTRICT"))
    project_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("projects.id", ondelete="RESTRICT")
    )
    status: Mapped[str] = mapped_column(String(20), server_default=text("'draft'"))
    title: Mapped[str | None] = mapped_column(String(200))
    issued_date: Mapped[date | None]
    valid_until: Mapped[date | None]
    vat_treatment: Mapped[str] = mapped_column(String(20), server_default=text("'regular'"))
    currency: Mapped[str] = mapped_column(String(3), server_default=text("'EUR'"))
    net_total: Mapped[Decimal] = mapped_column(Numeric(12, 2), server_default=text("0"))
    tax_total: Mapped[Decimal] = mapped_column(Numeric(12, 2), server_default=text("0"))
    total: Mapped[Decimal] = mapped_column(Numeric(12, 2), server_default=text("0"))
    note: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None]
    pdf_path: Mapped[str | None] = mapped_column(Text)

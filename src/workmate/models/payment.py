from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from workmate.models.base import Base, Timestamps, enum_check, uuid_pk

PAYMENT_METHODS = ("bank_transfer", "credit_card", "cash", "paypal")


class Payment(Timestamps, Base):
    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint(enum_check("method", PAYMENT_METHODS), name="method"),
        Index("idx_payments_invoice_id", "invoice_id"),
        # Paid sums per invoice without visiting the table (migration 0008).
        Index("ix_payments_invoice_id_amount", "invoice_id", postgresql_include=["amount"]),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    invoice_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("invoices.id", ondelete="RESTRICT"))
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    payment_date: Mapped[date]
    method: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    # A client's retry with the same Idempotency-Key books nothing twice.
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    request_hash: Mapped[str | None] = mapped_column(String(64))

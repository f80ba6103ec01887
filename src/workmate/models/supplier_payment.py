from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from workmate.models.base import Base, Timestamps, enum_check, uuid_pk
from workmate.models.payment import PAYMENT_METHODS


class SupplierPayment(Timestamps, Base):
    """Money paid on a supplier bill (or refunded on a credit note). The bill row is locked
    and the sum may never pass the amount due (trigger, migration 0014); the payments alone
    decide the bill's status."""

    __tablename__ = "supplier_payments"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint(enum_check("method", PAYMENT_METHODS), name="method"),
        Index("ix_supplier_payments_bill_id_amount", "bill_id", postgresql_include=["amount"]),
        Index("ix_supplier_payments_payment_date", "payment_date"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    bill_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("supplier_bills.id", ondelete="RESTRICT"))
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    payment_date: Mapped[date]
    method: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    # A client's (or a bank import's) retry with the same key books nothing twice.
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True)

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Numeric, String, func, text
from sqlalchemy.orm import Mapped, mapped_column

from workmate.models.base import Base, enum_check, uuid_pk

# payment: an incoming transfer booked as a payment on an invoice; refund: an outgoing
# transfer that pays out a credit note (credit notes take no payments, the link is the record);
# bill: an outgoing transfer booked as a supplier payment on a supplier bill.
MATCH_KINDS = ("payment", "refund", "bill")
# Exactly one target: an invoice or credit note, or a supplier bill with its payment.
TARGET = (
    "CASE WHEN kind = 'bill' "
    "THEN invoice_id IS NULL AND bill_id IS NOT NULL AND supplier_payment_id IS NOT NULL "
    "ELSE invoice_id IS NOT NULL AND bill_id IS NULL AND supplier_payment_id IS NULL END"
)


class BankMatch(Base):
    """A bank transaction's share booked on one invoice, credit note or supplier bill.
    Triggers (0015, 0027) keep the shares within the transaction's amount and set the
    transaction's state."""

    __tablename__ = "bank_matches"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint(enum_check("kind", MATCH_KINDS), name="kind"),
        CheckConstraint("(kind = 'payment') = (payment_id IS NOT NULL)", name="payment_link"),
        CheckConstraint(TARGET, name="target"),
        Index("uq_bank_matches_transaction_invoice", "transaction_id", "invoice_id", unique=True),
        Index("uq_bank_matches_transaction_bill", "transaction_id", "bill_id", unique=True),
        Index("ix_bank_matches_invoice_id", "invoice_id"),
        Index("ix_bank_matches_bill_id", "bill_id"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    transaction_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("bank_transactions.id", ondelete="RESTRICT")
    )
    invoice_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("invoices.id", ondelete="RESTRICT")
    )
    bill_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("supplier_bills.id", ondelete="RESTRICT")
    )
    # Deleting the payment (also through the payments API) removes the match with it, and the
    # transaction goes back to the review queue.
    payment_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("payments.id", ondelete="CASCADE"), unique=True
    )
    # The same for a supplier payment (also deleted through the purchases API).
    supplier_payment_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("supplier_payments.id", ondelete="CASCADE"), unique=True
    )
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    kind: Mapped[str] = mapped_column(String(10))
    # True when the matcher booked it without a person.
    auto: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("employees.id", ondelete="RESTRICT")
    )
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    FetchedValue,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from workmate.models.base import Base, Timestamps, uuid_pk


class InvoiceLine(Timestamps, Base):
    """A line item. Added to the spec: an invoice without lines cannot be legal (§14 UStG).
    Lines of an issued invoice cannot be inserted, changed or deleted (trigger, 0001)."""

    __tablename__ = "invoice_lines"
    __table_args__ = (
        CheckConstraint("vat_rate IN (0, 7, 19)", name="vat_rate"),
        CheckConstraint("chosen_vat_rate IN (0, 7, 19)", name="chosen_vat_rate"),
        # The effective rate is the chosen one, or 0 under reverse charge / §19 (0011).
        CheckConstraint("vat_rate = chosen_vat_rate OR vat_rate = 0", name="effective_vat_rate"),
        CheckConstraint("discount_percent >= 0 AND discount_percent <= 100", name="discount"),
        CheckConstraint("quantity <> 0", name="quantity"),
        Index(
            "ix_invoice_lines_credits_line_id",
            "credits_line_id",
            postgresql_where=text("credits_line_id IS NOT NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    invoice_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("invoices.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text)
    quantity: Mapped[Decimal] = mapped_column(Numeric(12, 3))
    # UN/ECE Rec 20 unit code: HUR (hour), C62 (piece), DAY, ...
    unit: Mapped[str] = mapped_column(String(10), server_default=text("'C62'"))
    unit_price: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    # The rate the user chose; it survives switching the invoice's VAT treatment back and
    # forth. `vat_rate` is the effective one: the chosen rate on a regular invoice, else 0.
    chosen_vat_rate: Mapped[Decimal] = mapped_column(Numeric(5, 2), server_default=FetchedValue())
    vat_rate: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    discount_percent: Mapped[Decimal] = mapped_column(Numeric(5, 2), server_default=text("0"))
    # quantity * unit_price less discount, rounded half-up to cents (EN 16931 BT-131).
    net_amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    # On a partial credit note: the invoice line it credits (0028), so the notes together
    # never credit a line beyond its quantity.
    credits_line_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("invoice_lines.id", ondelete="RESTRICT")
    )

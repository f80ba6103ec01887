from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Integer, Numeric, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from workmate.models.base import Base, uuid_pk


class RecurringInvoiceLine(Base):
    """A line billed every period; edited lines apply from the next period created."""

    __tablename__ = "recurring_invoice_lines"
    __table_args__ = (
        CheckConstraint("vat_rate IN (0, 7, 19)", name="vat_rate"),
        CheckConstraint("discount_percent >= 0 AND discount_percent <= 100", name="discount"),
        CheckConstraint("quantity <> 0", name="quantity"),
        CheckConstraint("unit_price >= 0", name="unit_price"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    template_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("recurring_invoices.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text)
    quantity: Mapped[Decimal] = mapped_column(Numeric(12, 3))
    unit: Mapped[str] = mapped_column(String(10), server_default=text("'C62'"))
    unit_price: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    vat_rate: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    discount_percent: Mapped[Decimal] = mapped_column(Numeric(5, 2), server_default=text("0"))

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from workmate.models.base import Base, uuid_pk

# UNCL 5305 VAT categories of EN 16931.
VAT_CATEGORIES = ("S", "Z", "E", "AE", "K", "G", "O", "L", "M")


class SupplierBillTax(Base):
    """Net and VAT of one rate of a supplier bill (EN 16931 BG-23): the input VAT figures."""

    __tablename__ = "supplier_bill_taxes"
    __table_args__ = (
        CheckConstraint(f"category IN {VAT_CATEGORIES!r}", name="category"),
        CheckConstraint("rate >= 0 AND rate < 100", name="rate"),
        UniqueConstraint("bill_id", "category", "rate", name="uq_supplier_bill_taxes_rate"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    bill_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("supplier_bills.id", ondelete="CASCADE"), index=True
    )
    category: Mapped[str] = mapped_column(String(2))
    rate: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    net: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    tax: Mapped[Decimal] = mapped_column(Numeric(12, 2))

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    FetchedValue,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from workmate.models.base import Base, uuid_pk


class QuoteLine(Base):
    """A line of a quote; the same arithmetic as an invoice line."""

    __tablename__ = "quote_lines"
    __table_args__ = (
        CheckConstraint("vat_rate IN (0, 7, 19)", name="vat_rate"),
        CheckConstraint("chosen_vat_rate IN (0, 7, 19)", name="chosen_vat_rate"),
        # The effective rate is the chosen one, or 0 under reverse charge / §19 (0011c).
        CheckConstraint("vat_rate = chosen_vat_rate OR vat_rate = 0", name="effective_vat_rate"),
        CheckConstraint("discount_percent >= 0 AND discount_percent <= 100", name="discount"),
        CheckConstraint("quantity <> 0", name="quantity"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    quote_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("quotes.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text)
    quantity: Mapped[Decimal] = mapped_column(Numeric(12, 3))
    unit: Mapped[str] = mapped_column(String(10), server_default=text("'C62'"))
    unit_price: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    # As on invoice lines: the rate the user chose survives treatment switches; `vat_rate`
    # is the effective one.
    chosen_vat_rate: Mapped[Decimal] = mapped_column(Numeric(5, 2), server_default=FetchedValue())
    vat_rate: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    discount_percent: Mapped[Decimal] = mapped_column(Numeric(5, 2), server_default=text("0"))
    net_amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))

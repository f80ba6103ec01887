from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from workmate.models.base import Base, enum_check, uuid_pk

LETTER_CHANNELS = ("email", "print")


class DunningLetter(Base):
    """A dunning letter (1 payment reminder, 2 first and 3 second Mahnung) with what it claims:
    the open amount, the § 288 Abs. 5 BGB flat fee (40 €, businesses, once per invoice), the
    level's fee, default interest at the base rate plus 9 (business) or 5 (consumer) points."""

    __tablename__ = "dunning_letters"
    __table_args__ = (
        UniqueConstraint("invoice_id", "level"),
        CheckConstraint("level BETWEEN 1 AND 3", name="level"),
        CheckConstraint(enum_check("channel", LETTER_CHANNELS), name="channel"),
        CheckConstraint("flat_fee IN (0, 40)", name="flat_fee"),
        CheckConstraint(
            "open_amount > 0 AND level_fee >= 0 AND interest >= 0 AND interest_days >= 0",
            name="amounts",
        ),
        # The 40 € flat fee is owed once per invoice, whatever the number of letters.
        Index(
            "uq_dunning_letters_one_flat_fee",
            "invoice_id",
            unique=True,
            postgresql_where=text("flat_fee > 0"),
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    invoice_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("invoices.id", ondelete="RESTRICT"))
    level: Mapped[int] = mapped_column(Integer)
    letter_date: Mapped[date]
    open_amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    flat_fee: Mapped[Decimal] = mapped_column(Numeric(12, 2), server_default=text("0"))
    level_fee: Mapped[Decimal] = mapped_column(Numeric(12, 2), server_default=text("0"))
    interest_rate: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    interest_days: Mapped[int] = mapped_column(Integer)
    interest: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    channel: Mapped[str] = mapped_column(String(10))
    pdf_path: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("outbox_messages.id", ondelete="SET NULL")
    )
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("employees.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())

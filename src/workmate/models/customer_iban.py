from __future__ import annotations

import uuid

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from workmate.models.bank_account import IBAN_SHAPE
from workmate.models.base import Base, Timestamps, enum_check, uuid_pk

IBAN_SOURCES = ("learned", "manual")


class CustomerIban(Timestamps, Base):
    """An account a customer pays from, so the next transfer from it matches on the IBAN."""

    __tablename__ = "customer_ibans"
    __table_args__ = (
        CheckConstraint(f"iban ~ '{IBAN_SHAPE}'", name="iban_shape"),
        CheckConstraint(enum_check("source", IBAN_SOURCES), name="source"),
        Index("uq_customer_ibans_customer_iban", "customer_id", "iban", unique=True),
        Index("ix_customer_ibans_iban", "iban"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    iban: Mapped[str] = mapped_column(String(34))
    source: Mapped[str] = mapped_column(String(10))
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("employees.id", ondelete="RESTRICT")
    )

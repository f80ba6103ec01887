from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from workmate.models.base import Base, uuid_pk


class DunningBlock(Base):
    """A stop flag: no dunning letters for this customer, or for this invoice."""

    __tablename__ = "dunning_blocks"
    __table_args__ = (
        CheckConstraint("num_nonnulls(customer_id, invoice_id) = 1", name="one_target"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    customer_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), unique=True
    )
    invoice_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("invoices.id", ondelete="CASCADE"), unique=True
    )
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())

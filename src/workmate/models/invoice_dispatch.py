from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, func
from sqlalchemy.orm import Mapped, mapped_column

from workmate.models.base import Base, enum_check, uuid_pk

DISPATCH_CHANNELS = ("email", "post")


class InvoiceDispatch(Base):
    """An invoice reached its customer: a message accepted by the mail server, or a user's
    "sent by post". Issuing alone is not sending."""

    __tablename__ = "invoice_dispatches"
    __table_args__ = (
        CheckConstraint(enum_check("channel", DISPATCH_CHANNELS), name="channel"),
        CheckConstraint("(channel = 'email') = (message_id IS NOT NULL)", name="email_message"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    invoice_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("invoices.id", ondelete="RESTRICT"), index=True
    )
    channel: Mapped[str] = mapped_column(String(10))
    message_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("outbox_messages.id", ondelete="RESTRICT"), unique=True
    )
    dispatched_at: Mapped[datetime] = mapped_column(server_default=func.now())
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("employees.id", ondelete="SET NULL")
    )

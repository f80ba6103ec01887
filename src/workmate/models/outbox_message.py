from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from workmate.models.base import Base, Timestamps, enum_check, uuid_pk

MESSAGE_STATES = ("queued", "sent", "failed", "cancelled")
# What a message carries; related_type/related_id name the object it belongs to.
MESSAGE_PURPOSES = ("invoice", "quote", "dunning", "invitation", "other", "worktime")


class OutboxMessage(Timestamps, Base):
    """An e-mail waiting for, or done with, delivery. Written in the transaction of the action
    that causes it; a job (`mail.send`) delivers it through SMTP. Its Message-ID is fixed when
    the row is written, so a delivery repeated after a crash carries the same id."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        CheckConstraint(enum_check("state", MESSAGE_STATES), name="state"),
        CheckConstraint(enum_check("purpose", MESSAGE_PURPOSES), name="purpose"),
        CheckConstraint("language IN ('de', 'en')", name="language"),
        CheckConstraint("cardinality(to_addresses) BETWEEN 1 AND 20", name="recipients"),
        CheckConstraint("attempts >= 0", name="attempts"),
        CheckConstraint("(state = 'sent') = (sent_at IS NOT NULL)", name="sent_at"),
        # A one-time link is kept only while the message waits: never after it was sent,
        # failed or was withdrawn.
        CheckConstraint("secret_link IS NULL OR state = 'queued'", name="secret_link"),
        # One open (queued) message per object and purpose: parallel "send" clicks make one.
        Index(
            "uq_outbox_messages_one_queued",
            "related_type",
            "related_id",
            "purpose",
            unique=True,
            postgresql_where=text("state = 'queued' AND related_id IS NOT NULL"),
        ),
        Index("ix_outbox_messages_related", "related_type", "related_id"),
        Index("ix_outbox_messages_state_created_at", "state", "created_at"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    purpose: Mapped[str] = mapped_column(String(20))
    related_type: Mapped[str | None] = mapped_column(String(20))
    related_id: Mapped[uuid.UUID | None]
    to_addresses: Mapped[list[str]] = mapped_column(ARRAY(String(254)))
    cc_addresses: Mapped[list[str]] = mapped_column(ARRAY(String(254)), server_default=text("'{}'"))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    # A secret link (an invitation) put in place of {link} in the body only when the e-mail
    # is built, so the stored body and every outbox view never show it; cleared on the way
    # out of `queued` (CHECK secret_link).
    secret_link: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(2), server_default=text("'de'"))
    state: Mapped[str] = mapped_column(String(10), server_default=text("'queued'"))
    attempts: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    # RFC 5322 Message-ID, fixed at creation (recorded before the message is ever sent).
    smtp_message_id: Mapped[str] = mapped_column(String(250), unique=True)
    # The server's reply to the last attempt, or why it is not sent (no server configured).
    last_error: Mapped[str | None] = mapped_column(Text)
    last_attempt_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("employees.id", ondelete="SET NULL")
    )

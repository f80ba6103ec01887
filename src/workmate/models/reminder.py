from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from workmate.models.base import Base, Timestamps, enum_check, uuid_pk

REMINDER_PRIORITIES = ("low", "medium", "high")
REMINDER_LINKS = ("customer", "project", "invoice")


class Reminder(Timestamps, Base):
    __tablename__ = "reminders"
    __table_args__ = (
        CheckConstraint(enum_check("priority", REMINDER_PRIORITIES), name="priority"),
        CheckConstraint(
            f"linked_to IS NULL OR {enum_check('linked_to', REMINDER_LINKS)}", name="linked_to"
        ),
        # The spec's linked_to names the kind of object; linked_id (added) says which one.
        CheckConstraint("(linked_to IS NULL) = (linked_id IS NULL)", name="link_complete"),
        Index("ix_reminders_owner_due", "owner_id", "is_done", "due_date"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    title: Mapped[str] = mapped_column(String(255))
    due_date: Mapped[date]
    priority: Mapped[str] = mapped_column(String(10), server_default=text("'medium'"))
    linked_to: Mapped[str | None] = mapped_column(String(20))
    linked_id: Mapped[uuid.UUID | None]
    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("employees.id", ondelete="CASCADE"))
    is_done: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    note: Mapped[str | None] = mapped_column(Text)
    done_at: Mapped[datetime | None]

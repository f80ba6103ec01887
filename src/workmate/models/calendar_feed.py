from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from workmate.models.base import Base, Timestamps


class CalendarFeed(Timestamps, Base):
    """An employee's private iCal feed of approved absences; only the token's SHA-256 is
    stored, and deleting the row revokes the URL."""

    __tablename__ = "calendar_feeds"

    employee_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("employees.id", ondelete="CASCADE"), primary_key=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from workmate.models.base import Base, uuid_pk

MAX_MESSAGE_LENGTH = 4000


class ChatMessage(Base):
    """Project chat. Append-only, so no updated_at (as in the spec)."""

    __tablename__ = "chat_messages"
    __table_args__ = (
        CheckConstraint(
            f"char_length(message) BETWEEN 1 AND {MAX_MESSAGE_LENGTH}", name="message_length"
        ),
        # Newest-first cursor pagination per project.
        Index("ix_chat_messages_project_created", "project_id", "created_at", "id"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    author_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("employees.id", ondelete="RESTRICT"), index=True
    )
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())

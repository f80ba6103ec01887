from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Identity, Index, String, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from workmate.models.base import Base


class AuditLog(Base):
    """Who did what, when. Written in the same transaction as the change; UPDATE, DELETE and
    TRUNCATE are refused by triggers (0001), so the application cannot rewrite history."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_entity", "entity", "entity_id"),
        Index("ix_audit_log_actor_at", "actor_id", "at"),
        Index("ix_audit_log_at", "at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    at: Mapped[datetime] = mapped_column(server_default=func.now())
    # No foreign key: the log outlives employees and must never block or cascade.
    actor_id: Mapped[uuid.UUID | None]
    actor_email: Mapped[str | None] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str | None] = mapped_column(String(64))
    # {"field": [before, after], ...}
    changes: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    client_addr: Mapped[str | None] = mapped_column(String(64))
    # X-Request-ID of the request that wrote the row (also in that request's log lines).
    request_id: Mapped[str | None] = mapped_column(String(64))

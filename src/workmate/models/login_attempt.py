from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Identity, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column

from workmate.models.base import Base


class LoginAttempt(Base):
    """Login attempts, for rate limiting shared by every app process (no in-process counter)."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_email_at", "email", "at"),
        Index("ix_login_attempts_addr_at", "client_addr", "at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    at: Mapped[datetime] = mapped_column(server_default=func.now())
    email: Mapped[str] = mapped_column(String(254))
    client_addr: Mapped[str] = mapped_column(String(64))
    success: Mapped[bool] = mapped_column(Boolean)

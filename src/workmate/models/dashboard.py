from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, String, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from workmate.models.base import Base, Timestamps, enum_check, uuid_pk

DASHBOARD_THEMES = ("dark", "light")


class Dashboard(Timestamps, Base):
    __tablename__ = "dashboards"
    __table_args__ = (CheckConstraint(enum_check("theme", DASHBOARD_THEMES), name="theme"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    # One dashboard per employee.
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("employees.id", ondelete="CASCADE"), unique=True
    )
    layout_json: Mapped[dict[str, Any]] = mapped_column(
        JSONB, server_default=text("'{\"widgets\": []}'::jsonb")
    )
    theme: Mapped[str] = mapped_column(String(10), server_default=text("'light'"))

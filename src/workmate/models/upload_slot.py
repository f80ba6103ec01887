from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Index
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from workmate.models.base import Base, uuid_pk


class UploadSlot(Base):
    """An upload in progress: at most `uploads_per_user` live rows per employee, shared by
    every app process (workmate.uploads). Unlogged: after a crash the table is empty, which is
    right, since no upload survives one; a row whose process died expires at `expires_at`.
    No foreign key: a slot is taken and given back in its own short transaction, next to (not
    inside) the request's."""

    __tablename__ = "upload_slots"
    __table_args__ = (
        Index("ix_upload_slots_employee_id", "employee_id"),
        {"prefixes": ["UNLOGGED"]},
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    employee_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    expires_at: Mapped[datetime]

from __future__ import annotations

import uuid

from sqlalchemy import Boolean, ForeignKey, Index, String, func, text
from sqlalchemy.orm import Mapped, mapped_column

from workmate.models.base import Base, Timestamps, uuid_pk


class Employee(Timestamps, Base):
    __tablename__ = "employees"
    __table_args__ = (
        Index("idx_employees_role_id", "role_id"),
        Index("idx_employees_department_id", "department_id"),
        # Case-insensitive uniqueness: Max@Firma.de and max@firma.de are one person.
        Index("uq_employees_email_lower", func.lower(text("email")), unique=True),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    firstname: Mapped[str] = mapped_column(String(100))
    lastname: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(254))
    role_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("roles.id", ondelete="RESTRICT"))
    department_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL")
    )
    # Added for authentication: argon2id hash, never returned by any endpoint.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # Deactivated employees keep their history (time entries, invoices) but cannot log in.
    is_active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    # UI language; German first.
    locale: Mapped[str] = mapped_column(String(5), server_default=text("'de'"))

from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from workmate.models.base import Base, Timestamps, uuid_pk


class Department(Timestamps, Base):
    __tablename__ = "departments"

    id: Mapped[uuid.UUID] = uuid_pk()
    name: Mapped[str] = mapped_column(String(200), unique=True)
    # employees.department_id -> departments and departments.manager_id -> employees form a
    # cycle; this side is added after both tables exist (use_alter). RESTRICT: a manager
    # cannot disappear without the department being reassigned first.
    manager_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("employees.id", ondelete="RESTRICT", use_alter=True), index=True
    )

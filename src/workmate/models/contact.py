from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from workmate.models.base import Base, Timestamps, uuid_pk


class Contact(Timestamps, Base):
    __tablename__ = "contacts"
    __table_args__ = (
        Index("idx_contacts_customer_id", "customer_id"),
        # At most one primary contact per customer, enforced by the database.
        Index(
            "uq_contacts_primary_per_customer",
            "customer_id",
            unique=True,
            postgresql_where=text("is_primary"),
        ),
        # Customer search finds customers by their contacts' names, typos included.
        Index(
            "ix_contacts_lastname_trgm",
            "lastname",
            postgresql_using="gin",
            postgresql_ops={"lastname": "gin_trgm_ops"},
        ),
        Index(
            "ix_contacts_firstname_trgm",
            "firstname",
            postgresql_using="gin",
            postgresql_ops={"firstname": "gin_trgm_ops"},
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    firstname: Mapped[str] = mapped_column(String(100))
    lastname: Mapped[str] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(50))
    position: Mapped[str | None] = mapped_column(String(100))
    is_primary: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    # GDPR: personal data replaced on request; the row stays so history still adds up.
    anonymized_at: Mapped[datetime | None]

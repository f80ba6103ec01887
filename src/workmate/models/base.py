"""Declarative base, naming convention and the columns every table shares.

Timestamps are `timestamptz`: Workmate stores instants, not wall-clock readings. A naive
`timestamp` silently takes whatever zone the writer happened to think in; the original system
answered a client's `...Z` with a 500 because of it. PostgreSQL stores timestamptz as UTC and
every datetime in Python is timezone-aware.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, MetaData, func, text
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Stable, predictable constraint names: migrations can refer to them and the error handler
# maps them to messages (workmate.constraints.MESSAGES).
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: DateTime(timezone=True)}  # noqa: RUF012 (SQLAlchemy API)


def uuid_pk() -> Mapped[uuid.UUID]:
    # Python-side default so bulk inserts need no RETURNING; server default for raw SQL (seeds).
    return mapped_column(
        UUID(as_uuid=True),
        primary_key=True,
        default=uuid.uuid4,
        server_default=text("gen_random_uuid()"),
    )


class Timestamps:
    """created_at on insert; updated_at kept true by a trigger (see migration 0001) on every
    UPDATE, whoever writes: the ORM, raw SQL or psql."""

    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())


def enum_check(column: str, values: tuple[str, ...]) -> str:
    """SQL for a CHECK that `column` holds one of `values` (varchar enums migrate easily)."""
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"

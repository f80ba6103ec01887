from __future__ import annotations

from sqlalchemy import CheckConstraint, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from workmate.models.base import Base


class NumberCounter(Base):
    """Gapless counters (invoice numbers per year, customer numbers). Taken with
    `UPDATE ... SET next_value = next_value + 1 RETURNING` inside the transaction that uses the
    number: a rollback gives the number back, and concurrent takers queue on the row lock.
    A sequence would leave gaps; MAX() over strings broke the original system."""

    __tablename__ = "number_counters"
    __table_args__ = (CheckConstraint("next_value >= 1", name="positive"),)

    scope: Mapped[str] = mapped_column(String(30), primary_key=True)
    # 0 for counters that do not restart each year.
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    next_value: Mapped[int] = mapped_column(Integer)

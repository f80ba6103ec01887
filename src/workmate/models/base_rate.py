from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import CheckConstraint, Numeric
from sqlalchemy.orm import Mapped, mapped_column

from workmate.models.base import Base


class BaseRate(Base):
    """The Basiszinssatz (§ 247 BGB) from the day it applies; default interest is this plus
    9 (business) or 5 (consumer) percentage points (§ 288 BGB)."""

    __tablename__ = "base_rates"
    __table_args__ = (CheckConstraint("rate BETWEEN -10 AND 20", name="rate"),)

    valid_from: Mapped[date] = mapped_column(primary_key=True)
    rate: Mapped[Decimal] = mapped_column(Numeric(5, 2))

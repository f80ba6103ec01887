from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, String, text
from sqlalchemy.orm import Mapped, mapped_column

from workmate.models.base import Base, enum_check
from workmate.models.work_contract import FEDERAL_STATES

# public: statutory in the whole state; catholic: only in predominantly Catholic municipalities
# (Mariä Himmelfahrt in Bavaria, Fronleichnam in parts of Saxony and Thuringia), counted when
# worktime_settings.catholic_holidays says the workplace lies in one.
HOLIDAY_CATEGORIES = ("public", "catholic")


class PublicHoliday(Base):
    """A statutory public holiday of one federal state, copied from the `holidays` library
    once per year, so balances already computed never move when the library changes."""

    __tablename__ = "public_holidays"
    __table_args__ = (
        CheckConstraint(enum_check("federal_state", FEDERAL_STATES), name="federal_state"),
        CheckConstraint(enum_check("category", HOLIDAY_CATEGORIES), name="category"),
    )

    federal_state: Mapped[str] = mapped_column(String(2), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(10), server_default=text("'public'"))

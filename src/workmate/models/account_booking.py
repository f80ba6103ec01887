from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from workmate.models.base import Base, Timestamps, enum_check, uuid_pk

ACCOUNTS = ("overtime", "vacation")
BOOKING_KINDS = ("opening", "payout", "correction")


class AccountBooking(Timestamps, Base):
    """A booking on an employee's overtime account (hours) or vacation account (days) that
    the records of days cannot produce: the opening balance, a payout, a correction."""

    __tablename__ = "account_bookings"
    __table_args__ = (
        CheckConstraint(enum_check("account", ACCOUNTS), name="account"),
        CheckConstraint(enum_check("kind", BOOKING_KINDS), name="kind"),
        CheckConstraint("kind <> 'payout' OR quantity > 0", name="payout_positive"),
        CheckConstraint("quantity <> 0", name="quantity"),
        # One opening balance per account; later changes are corrections.
        Index(
            "uq_account_bookings_opening",
            "employee_id",
            "account",
            unique=True,
            postgresql_where=text("kind = 'opening'"),
        ),
        Index("ix_account_bookings_employee_id_day", "employee_id", "day"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    employee_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("employees.id", ondelete="RESTRICT"))
    account: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20))
    day: Mapped[date]
    # Hours (overtime) or days (vacation); payouts are positive and reduce the balance.
    quantity: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("employees.id", ondelete="RESTRICT")
    )

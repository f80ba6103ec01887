from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from workmate.models.base import Base, Timestamps, enum_check, uuid_pk

EXPENSE_CATEGORIES = ("material", "personnel", "service", "other")


class Expense(Timestamps, Base):
    __tablename__ = "expenses"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint(enum_check("category", EXPENSE_CATEGORIES), name="category"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    project_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("projects.id", ondelete="SET NULL"), index=True
    )
    invoice_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("invoices.id", ondelete="SET NULL"), index=True
    )
    category: Mapped[str] = mapped_column(String(20))
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    note: Mapped[str | None] = mapped_column(Text)
    # Added: when the money was spent (monthly totals need it; created_at is when it was typed).
    # The business day (Europe/Berlin), as workmate.clock.today(): see migration 0010b.
    expense_date: Mapped[date] = mapped_column(server_default=text("wm_today()"), index=True)
    # Optional receipt (Beleg).
    document_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("documents.id", ondelete="SET NULL")
    )

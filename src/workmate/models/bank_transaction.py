from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from workmate.models.base import Base, Timestamps, enum_check, uuid_pk

# open: nothing proposed; review: proposals wait for a person; matched: booked (the database
# sets and clears it with the matches); ignored: a person said it pays no invoice.
TRANSACTION_STATES = ("open", "review", "matched", "ignored")


class BankTransaction(Timestamps, Base):
    """One booked line of a statement, stored once per account under its stable key."""

    __tablename__ = "bank_transactions"
    __table_args__ = (
        CheckConstraint("amount <> 0", name="amount_nonzero"),
        CheckConstraint(enum_check("state", TRANSACTION_STATES), name="state"),
        CheckConstraint("currency ~ '^[A-Z]{3}$'", name="currency"),
        # Re-importing a file or an overlapping period adds nothing: one row per key.
        Index("uq_bank_transactions_account_key", "account_id", "key", unique=True),
        Index("ix_bank_transactions_account_date", "account_id", "booking_date"),
        Index("ix_bank_transactions_statement_id", "statement_id"),
        Index(
            "ix_bank_transactions_queue",
            "booking_date",
            postgresql_where=text("state IN ('open', 'review')"),
        ),
        Index("ix_bank_transactions_counterparty_iban", "counterparty_iban"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("bank_accounts.id", ondelete="RESTRICT")
    )
    # The statement that first brought the transaction.
    statement_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("bank_statements.id", ondelete="RESTRICT")
    )
    # "r:<hash>" from the bank's reference, or "h:<hash>:<n>" from the content (n counts true
    # duplicates within one day of one statement).
    key: Mapped[str] = mapped_column(String(80))
    booking_date: Mapped[date]
    value_date: Mapped[date | None]
    # Signed: credits (money in) positive, debits negative.
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    currency: Mapped[str] = mapped_column(String(3))
    counterparty_name: Mapped[str | None] = mapped_column(String(200))
    counterparty_iban: Mapped[str | None] = mapped_column(String(34))
    counterparty_bic: Mapped[str | None] = mapped_column(String(11))
    purpose: Mapped[str | None] = mapped_column(Text)
    booking_text: Mapped[str | None] = mapped_column(String(200))
    # GVC (MT940) or bank transaction code (camt).
    booking_code: Mapped[str | None] = mapped_column(String(40))
    bank_reference: Mapped[str | None] = mapped_column(String(140))
    end_to_end_id: Mapped[str | None] = mapped_column(String(140))
    mandate_id: Mapped[str | None] = mapped_column(String(140))
    creditor_id: Mapped[str | None] = mapped_column(String(140))
    state: Mapped[str] = mapped_column(String(10), server_default=text("'open'"))
    # What the matcher proposes: [{"score", "auto", "allocations": [...], "evidence": [...]}].
    proposals: Mapped[list[Any]] = mapped_column(JSONB, server_default=text("'[]'::jsonb"))
    matched_at: Mapped[datetime | None]

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Computed,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from workmate.models.base import Base, enum_check, uuid_pk

STATEMENT_FORMATS = ("camt053", "mt940", "csv")


class BankStatement(Base):
    """One statement of an account as the bank delivered it: period, balances, and whether
    opening balance + entries = closing balance (computed by the database)."""

    __tablename__ = "bank_statements"
    __table_args__ = (
        CheckConstraint(enum_check("format", STATEMENT_FORMATS), name="format"),
        CheckConstraint("period_end >= period_start", name="period"),
        CheckConstraint("entry_count >= 0", name="entry_count"),
        CheckConstraint("fingerprint ~ '^[0-9a-f]{64}$'", name="fingerprint"),
        Index("ix_bank_statements_account_period", "account_id", "period_start", "period_end"),
        Index("uq_bank_statements_account_fingerprint", "account_id", "fingerprint", unique=True),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("bank_accounts.id", ondelete="RESTRICT")
    )
    file_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("bank_files.id", ondelete="RESTRICT"), index=True
    )
    format: Mapped[str] = mapped_column(String(10))
    # The bank's statement id (camt Stmt/Id, MT940 :20:) and number (ElctrncSeqNb, :28C:).
    external_id: Mapped[str | None] = mapped_column(String(140))
    sequence: Mapped[str | None] = mapped_column(String(40))
    # Hash of what the statement says (account, period, balances, entries): the same
    # statement arriving again (a ZIP of days already imported) is recognised and skipped.
    fingerprint: Mapped[str] = mapped_column(String(64))
    period_start: Mapped[date]
    period_end: Mapped[date]
    currency: Mapped[str] = mapped_column(String(3))
    opening_balance: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    closing_balance: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    entries_sum: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    entry_count: Mapped[int] = mapped_column(Integer)
    # closing - (opening + entries); 0 when the statement adds up, NULL without balances.
    balance_difference: Mapped[Decimal | None] = mapped_column(
        Numeric(14, 2),
        Computed("closing_balance - (opening_balance + entries_sum)", persisted=True),
    )
    transactions_added: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    transactions_skipped: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    # What the import noticed: [{"code": ..., "params": {...}}] (pending entries, no balances).
    notes: Mapped[list[Any]] = mapped_column(JSONB, server_default=text("'[]'::jsonb"))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())

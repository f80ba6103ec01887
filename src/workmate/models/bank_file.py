from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from workmate.models.base import Base, enum_check, uuid_pk

FILE_FORMATS = ("camt053", "mt940", "csv", "zip")


class BankFile(Base):
    """An uploaded statement file, kept unchanged (content-addressed storage) with its SHA-256.
    The same bytes are imported into an account once."""

    __tablename__ = "bank_files"
    __table_args__ = (
        CheckConstraint("sha256 ~ '^[0-9a-f]{64}$'", name="sha256"),
        CheckConstraint(enum_check("format", FILE_FORMATS), name="format"),
        CheckConstraint("size_bytes > 0", name="size_positive"),
        Index("uq_bank_files_account_sha256", "account_id", "sha256", unique=True),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("bank_accounts.id", ondelete="RESTRICT")
    )
    sha256: Mapped[str] = mapped_column(String(64))
    # Server-made storage key (documents/storage.py); never derived from the file name.
    storage_key: Mapped[str] = mapped_column(Text, index=True)
    filename: Mapped[str] = mapped_column(String(255))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    format: Mapped[str] = mapped_column(String(10))
    imported_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("employees.id", ondelete="RESTRICT")
    )
    statements: Mapped[int] = mapped_column(Integer)
    transactions_added: Mapped[int] = mapped_column(Integer)
    transactions_skipped: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())

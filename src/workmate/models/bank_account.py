from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, String, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from workmate.models.base import Base, Timestamps, uuid_pk

# Compact upper-case IBAN: country, check digits, 11..30 alphanumerics (schwifty checks the
# rest before a row is written; the database refuses anything not even shaped like one).
IBAN_SHAPE = "^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$"


class BankAccount(Timestamps, Base):
    """One of the company's own bank accounts; statements are imported into it."""

    __tablename__ = "bank_accounts"
    __table_args__ = (
        CheckConstraint(f"iban ~ '{IBAN_SHAPE}'", name="iban_shape"),
        CheckConstraint("currency ~ '^[A-Z]{3}$'", name="currency"),
        CheckConstraint("bic IS NULL OR bic ~ '^[A-Z0-9]{8}([A-Z0-9]{3})?$'", name="bic_shape"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    name: Mapped[str] = mapped_column(String(200))
    iban: Mapped[str] = mapped_column(String(34), unique=True)
    bic: Mapped[str | None] = mapped_column(String(11))
    bank_name: Mapped[str | None] = mapped_column(String(100))
    currency: Mapped[str] = mapped_column(String(3), server_default=text("'EUR'"))
    # The CSV column mapping last used for this account (a preset name or explicit columns).
    csv_mapping: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    # Closed accounts keep their statements (GoBD); they take no new imports.
    archived_at: Mapped[datetime | None]

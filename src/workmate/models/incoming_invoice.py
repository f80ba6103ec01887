from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from workmate.models.base import Base, Timestamps, enum_check, uuid_pk

# valid: the official rules and our own checks found no error; invalid: they did;
# not_einvoice: a PDF without invoice XML (a receipt to type in) or an XML the rules do not
# cover (ZUGFeRD 1.0 inside a PDF).
INCOMING_STATUSES = ("valid", "invalid", "not_einvoice")
INCOMING_KINDS = ("xml", "pdf")


class IncomingInvoice(Timestamps, Base):
    """A received file (supplier e-invoice or receipt), kept unchanged for the retention period.

    The stored bytes are content-addressed by their SHA-256; the same file is received once
    (unique). A trigger (migration 0014) refuses any change to what was received and any
    delete before `retain_until` (GoBD, § 147 AO: booking vouchers 8 years).
    """

    __tablename__ = "incoming_invoices"
    __table_args__ = (
        CheckConstraint(enum_check("status", INCOMING_STATUSES), name="status"),
        CheckConstraint(enum_check("kind", INCOMING_KINDS), name="kind"),
        CheckConstraint("sha256 ~ '^[0-9a-f]{64}$'", name="sha256"),
        CheckConstraint("size_bytes > 0", name="size_positive"),
        CheckConstraint(
            "official_verdict IS NULL OR official_verdict IN ('ok', 'FAIL')",
            name="official_verdict",
        ),
        CheckConstraint("(status = 'not_einvoice') = NOT is_einvoice", name="einvoice_status"),
        Index("ix_incoming_invoices_received_at", "received_at"),
        Index("ix_incoming_invoices_received_by", "received_by"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    # Server-made storage key (ab/abcdef...), never user text.
    storage_key: Mapped[str] = mapped_column(Text)
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(10))
    # The uploader's file name, only shown.
    original_filename: Mapped[str] = mapped_column(String(255))
    received_at: Mapped[datetime] = mapped_column(server_default=func.now())
    received_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("employees.id", ondelete="RESTRICT"))
    retain_until: Mapped[date]
    # xml | pdf | pdf:<attachment name>
    source: Mapped[str] = mapped_column(String(300))
    is_einvoice: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(20))
    # The official validator's verdict (ok / FAIL), NULL when no rules could run.
    official_verdict: Mapped[str | None] = mapped_column(String(4))
    syntax: Mapped[str | None] = mapped_column(String(3))
    document_type: Mapped[str | None] = mapped_column(String(30))
    customization_id: Mapped[str | None] = mapped_column(Text)
    profile: Mapped[str | None] = mapped_column(String(100))
    rules_version: Mapped[str] = mapped_column(Text)
    error_count: Mapped[int] = mapped_column(server_default=text("0"))
    warning_count: Mapped[int] = mapped_column(server_default=text("0"))
    # Every finding: rules, id, level, text, meaning_de, location.
    findings: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, server_default=text("'[]'"))
    # The invoice as read (workmate.purchases.reader), NULL for a receipt.
    data: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    note: Mapped[str | None] = mapped_column(Text)
    check_seconds: Mapped[float | None]

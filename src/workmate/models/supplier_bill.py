from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from workmate.models.base import Base, Timestamps, enum_check, uuid_pk

SUPPLIER_BILL_STATUSES = ("open", "partly_paid", "paid")
SUPPLIER_BILL_KINDS = ("invoice", "credit_note")
# The expense categories (models.expense), so reports and DATEV accounts share them.
BILL_CATEGORIES = ("material", "personnel", "service", "other")


class SupplierBill(Timestamps, Base):
    """A bill a supplier sent us (Eingangsrechnung): from a received e-invoice or typed in.

    Amounts are as the supplier stated them, positive for an invoice and for a credit note
    alike (`kind` says which way the money goes). `status` follows the payments (trigger,
    migration 0014): open, partly_paid, paid; nobody sets it by hand.
    """

    __tablename__ = "supplier_bills"
    __table_args__ = (
        CheckConstraint(enum_check("status", SUPPLIER_BILL_STATUSES), name="status"),
        CheckConstraint(enum_check("kind", SUPPLIER_BILL_KINDS), name="kind"),
        CheckConstraint(enum_check("category", BILL_CATEGORIES), name="category"),
        CheckConstraint("gross_total = net_total + tax_total", name="gross_is_net_plus_tax"),
        CheckConstraint(
            "amount_due = gross_total - prepaid + rounding", name="due_is_gross_less_prepaid"
        ),
        CheckConstraint("length(btrim(invoice_number)) > 0", name="invoice_number"),
        CheckConstraint(
            "service_end IS NULL OR service_start IS NULL OR service_end >= service_start",
            name="service_period",
        ),
        CheckConstraint("currency ~ '^[A-Z]{3}$'", name="currency"),
        # One bill per supplier and invoice number (their numbering, spaces and case ignored).
        Index(
            "uq_supplier_bills_supplier_invoice_number",
            "supplier_id",
            text("upper(regexp_replace(invoice_number, '\\s', '', 'g'))"),
            unique=True,
        ),
        Index("ix_supplier_bills_invoice_date", "invoice_date"),
        Index("ix_supplier_bills_project_id", "project_id"),
        Index(
            "ix_supplier_bills_open_due",
            "due_date",
            postgresql_where=text("status <> 'paid'"),
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    # Our own gapless number per year (ER-2026-00001), for filing and DATEV's Belegfeld.
    number: Mapped[str] = mapped_column(String(20), unique=True)
    supplier_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("customers.id", ondelete="RESTRICT"), index=True
    )
    incoming_invoice_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("incoming_invoices.id", ondelete="RESTRICT"), unique=True
    )
    project_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("projects.id", ondelete="RESTRICT")
    )
    kind: Mapped[str] = mapped_column(String(20), server_default=text("'invoice'"))
    category: Mapped[str] = mapped_column(String(20), server_default=text("'other'"))
    # The supplier's invoice number (BT-1) and date (BT-2).
    invoice_number: Mapped[str] = mapped_column(String(100))
    invoice_date: Mapped[date]
    service_start: Mapped[date | None]
    service_end: Mapped[date | None]
    due_date: Mapped[date | None]
    currency: Mapped[str] = mapped_column(String(3), server_default=text("'EUR'"))
    net_total: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    tax_total: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    gross_total: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    prepaid: Mapped[Decimal] = mapped_column(Numeric(12, 2), server_default=text("0"))
    rounding: Mapped[Decimal] = mapped_column(Numeric(12, 2), server_default=text("0"))
    amount_due: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    status: Mapped[str] = mapped_column(String(20), server_default=text("'open'"))
    # Where to pay (BT-84), from the e-invoice or the supplier.
    iban: Mapped[str | None] = mapped_column(String(34))
    payment_reference: Mapped[str | None] = mapped_column(String(140))
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("employees.id", ondelete="RESTRICT"))

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from workmate.models.base import Base, Timestamps, enum_check, uuid_pk

# The spec's four states plus `cancelled` (an invoice reversed by a credit note; GoBD forbids
# deleting it, so it needs a state of its own).
INVOICE_STATUSES = ("draft", "sent", "paid", "overdue", "cancelled")
INVOICE_KINDS = ("invoice", "credit_note")
# regular: VAT per line; reverse_charge: EU B2B, §13b UStG; small_business: §19 UStG;
# non_taxable: services to a business outside the EU (§3a Abs. 2 UStG, EN 16931 category O);
# intra_eu_goods: tax-free intra-EU supply of goods (§4 Nr. 1b, §6a UStG, category K).
VAT_TREATMENTS = (
    "regular",
    "reverse_charge",
    "small_business",
    "non_taxable",
    "intra_eu_goods",
)
# standard; down_payment (Abschlagsrechnung, EN 16931 type 386); final (Schlussrechnung: the
# whole service, less the down payments in prepaid_total).
BILLINGS = ("standard", "down_payment", "final")


class Invoice(Timestamps, Base):
    """An invoice or credit note. Once issued (status != draft) its content is frozen by a
    trigger (migration 0001): only status, pdf_path and dunning fields may change."""

    __tablename__ = "invoices"
    __table_args__ = (
        CheckConstraint(enum_check("status", INVOICE_STATUSES), name="status"),
        CheckConstraint(enum_check("kind", INVOICE_KINDS), name="kind"),
        CheckConstraint(enum_check("vat_treatment", VAT_TREATMENTS), name="vat_treatment"),
        CheckConstraint("status = 'draft' OR number IS NOT NULL", name="issued_has_number"),
        CheckConstraint("status = 'draft' OR issued_date IS NOT NULL", name="issued_has_date"),
        CheckConstraint(
            "due_date IS NULL OR issued_date IS NULL OR due_date >= issued_date",
            name="due_after_issue",
        ),
        CheckConstraint(
            "(kind = 'credit_note') = (cancels_id IS NOT NULL)", name="credit_note_references"
        ),
        CheckConstraint(
            "service_end IS NULL OR service_start IS NULL OR service_end >= service_start",
            name="service_period",
        ),
        CheckConstraint("dunning_level BETWEEN 0 AND 3", name="dunning_level"),
        CheckConstraint(enum_check("billing", BILLINGS), name="billing"),
        CheckConstraint(
            "prepaid_total >= 0 AND (billing = 'final' OR prepaid_total = 0)", name="prepaid"
        ),
        CheckConstraint("billing = 'standard' OR quote_id IS NOT NULL", name="billing_quote"),
        CheckConstraint("NOT partial OR kind = 'credit_note'", name="partial_credit_note"),
        # One full cancellation per invoice; partial credit notes are limited by amount
        # (trigger wm_credit_note_guard, migration 0020).
        Index(
            "uq_invoices_cancels_id",
            "cancels_id",
            unique=True,
            postgresql_where=text("NOT partial"),
        ),
        Index("ix_invoices_cancels_id", "cancels_id"),
        Index("ix_invoices_quote_id", "quote_id"),
        Index("idx_invoices_customer_id", "customer_id"),
        Index("idx_invoices_status", "status"),
        Index("idx_invoices_due_date", "due_date"),
        Index("ix_invoices_project_id", "project_id"),
        Index("ix_invoices_issued_date", "issued_date"),
        # Open receivables (dashboard, reminders) as an index-only scan (migration 0008).
        Index(
            "ix_invoices_open",
            "id",
            postgresql_include=["total", "status", "due_date"],
            postgresql_where=text("kind = 'invoice' AND status IN ('sent', 'overdue')"),
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id", ondelete="RESTRICT"))
    project_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("projects.id", ondelete="RESTRICT")
    )
    # Gross amount (the spec's total). Net and VAT beside it, all computed from the lines.
    total: Mapped[Decimal] = mapped_column(Numeric(12, 2), server_default=text("0"))
    net_total: Mapped[Decimal] = mapped_column(Numeric(12, 2), server_default=text("0"))
    tax_total: Mapped[Decimal] = mapped_column(Numeric(12, 2), server_default=text("0"))
    status: Mapped[str] = mapped_column(String(20), server_default=text("'draft'"))
    due_date: Mapped[date | None]
    issued_date: Mapped[date | None]
    pdf_path: Mapped[str | None] = mapped_column(Text)
    # Gapless per year, assigned at issue time from number_counters; NULL while draft.
    number: Mapped[str | None] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(20), server_default=text("'invoice'"))
    # A credit note names the invoice it corrects: one full cancellation per invoice, or
    # several partial credit notes (partial = true) whose totals never exceed its total.
    cancels_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("invoices.id", ondelete="RESTRICT")
    )
    partial: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    currency: Mapped[str] = mapped_column(String(3), server_default=text("'EUR'"))
    vat_treatment: Mapped[str] = mapped_column(String(20), server_default=text("'regular'"))
    service_start: Mapped[date | None]
    service_end: Mapped[date | None]
    payment_terms_days: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    # Buyer data frozen at issue time (§14 UStG: the invoice shows who was billed, then).
    buyer_name: Mapped[str | None] = mapped_column(String(200))
    buyer_address: Mapped[str | None] = mapped_column(Text)
    buyer_street: Mapped[str | None] = mapped_column(String(200))
    buyer_postal_code: Mapped[str | None] = mapped_column(String(20))
    buyer_city: Mapped[str | None] = mapped_column(String(100))
    buyer_country: Mapped[str | None] = mapped_column(String(2))
    buyer_tax_id: Mapped[str | None] = mapped_column(String(30))
    buyer_reference: Mapped[str | None] = mapped_column(String(100))
    # Dunning (Mahnstufe 0..3), changes after issue are allowed.
    dunning_level: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    last_dunned_on: Mapped[date | None]
    # The quote it bills (migration 0017b); a final invoice's total is the amount still due:
    # the whole service (net_total + tax_total) less the down payments (prepaid_total, gross).
    quote_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("quotes.id", ondelete="RESTRICT"))
    billing: Mapped[str] = mapped_column(String(20), server_default=text("'standard'"))
    prepaid_total: Mapped[Decimal] = mapped_column(Numeric(12, 2), server_default=text("0"))

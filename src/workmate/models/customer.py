from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from workmate.models.base import Base, Timestamps, enum_check, uuid_pk

CUSTOMER_TYPES = ("B2B", "B2C")


class Customer(Timestamps, Base):
    __tablename__ = "customers"
    __table_args__ = (
        CheckConstraint(enum_check("type", CUSTOMER_TYPES), name="type"),
        CheckConstraint("country ~ '^[A-Z]{2}$'", name="country"),
        # A business partner is a customer, a supplier, or both (migration 0014).
        CheckConstraint("is_customer OR is_supplier", name="has_role"),
        CheckConstraint("NOT is_supplier OR supplier_number IS NOT NULL", name="supplier_number"),
        # Typo-tolerant search (pg_trgm) over the name.
        Index(
            "ix_customers_name_trgm",
            "name",
            postgresql_using="gin",
            postgresql_ops={"name": "gin_trgm_ops"},
        ),
        # Search also matches e-mail addresses and numbers with typos or fragments.
        Index(
            "ix_customers_email_trgm",
            "email",
            postgresql_using="gin",
            postgresql_ops={"email": "gin_trgm_ops"},
        ),
        Index(
            "ix_customers_number_trgm",
            "number",
            postgresql_using="gin",
            postgresql_ops={"number": "gin_trgm_ops"},
        ),
        # The list's default order and keyset cursor (migration 0008).
        Index(
            "ix_customers_active_name_id",
            "name",
            "id",
            postgresql_where=text("archived_at IS NULL"),
        ),
        # Newest customers (dashboard) and the created_at order of the list (migration 0008).
        Index(
            "ix_customers_active_created_at_id",
            "created_at",
            "id",
            postgresql_where=text("archived_at IS NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    # Human-readable, never reused: K-00042, from the counter row 'customer' (see NumberCounter).
    number: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(3), server_default=text("'B2B'"))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(50))
    tax_id: Mapped[str | None] = mapped_column(String(30))
    # The spec's free-text address, kept as the printable form...
    address: Mapped[str | None] = mapped_column(Text)
    # ...and the structured parts an EN 16931 e-invoice needs (BT-50..BT-55).
    street: Mapped[str | None] = mapped_column(String(200))
    postal_code: Mapped[str | None] = mapped_column(String(20))
    city: Mapped[str | None] = mapped_column(String(100))
    country: Mapped[str] = mapped_column(String(2), server_default=text("'DE'"))
    # XRechnung buyer reference (Leitweg-ID for public authorities).
    buyer_reference: Mapped[str | None] = mapped_column(String(100))
    # The customer wants the e-invoice XML as a file of its own beside the PDF (migration 0017).
    send_xml: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    # Purchases (migration 0014): the same business partner may be a supplier. Pure
    # suppliers (is_customer false) stay out of customer lists; the partner number K-... is
    # shared, the supplier number L-... (counter 'supplier') names the creditor account.
    is_customer: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    is_supplier: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    supplier_number: Mapped[str | None] = mapped_column(String(20), unique=True)
    # Steuernummer beside the VAT id in tax_id (an invoice needs one of the two, § 14 UStG).
    tax_number: Mapped[str | None] = mapped_column(String(30))
    iban: Mapped[str | None] = mapped_column(String(34))
    bic: Mapped[str | None] = mapped_column(String(11))
    # Customers with invoices are archived, never deleted (GoBD).
    archived_at: Mapped[datetime | None]
    # GDPR: personal data replaced; invoices keep their frozen copy.
    anonymized_at: Mapped[datetime | None]

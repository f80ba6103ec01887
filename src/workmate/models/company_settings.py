from __future__ import annotations

from typing import Any

from sqlalchemy import CheckConstraint, Integer, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from workmate.models.base import Base, Timestamps, enum_check

VAT_MODES = ("regular", "small_business")
# German legal forms; the registered ones need register court and number on every invoice,
# the corporations their managing directors too (§ 37a HGB, § 35a GmbHG, § 80 AktG).
LEGAL_FORMS = (
    "sole_proprietor",
    "freelancer",
    "gbr",
    "ohg",
    "kg",
    "gmbh",
    "ug",
    "gmbh_co_kg",
    "ag",
    "ev",
    "other",
)
REGISTERED_FORMS = frozenset({"ohg", "kg", "gmbh", "ug", "gmbh_co_kg", "ag", "ev"})
DIRECTED_FORMS = frozenset({"gmbh", "ug", "gmbh_co_kg", "ag"})


class CompanySettings(Timestamps, Base):
    """The seller: one row (id = 1). Required before the first invoice is issued."""

    __tablename__ = "company_settings"
    __table_args__ = (
        CheckConstraint("id = 1", name="single_row"),
        CheckConstraint(enum_check("vat_mode", VAT_MODES), name="vat_mode"),
        CheckConstraint("payment_terms_days BETWEEN 0 AND 365", name="payment_terms"),
        CheckConstraint(
            "legal_form IS NULL OR " + enum_check("legal_form", LEGAL_FORMS), name="legal_form"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, server_default=text("1"))
    name: Mapped[str | None] = mapped_column(String(200))
    street: Mapped[str | None] = mapped_column(String(200))
    postal_code: Mapped[str | None] = mapped_column(String(20))
    city: Mapped[str | None] = mapped_column(String(100))
    country: Mapped[str] = mapped_column(String(2), server_default=text("'DE'"))
    tax_number: Mapped[str | None] = mapped_column(String(30))
    vat_id: Mapped[str | None] = mapped_column(String(20))
    iban: Mapped[str | None] = mapped_column(String(34))
    bic: Mapped[str | None] = mapped_column(String(11))
    bank_name: Mapped[str | None] = mapped_column(String(100))
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(50))
    payment_terms_days: Mapped[int] = mapped_column(Integer, server_default=text("14"))
    vat_mode: Mapped[str] = mapped_column(String(20), server_default=text("'regular'"))
    # Python format string; {year} and {seq} are filled in (RE-2026-00001).
    invoice_number_format: Mapped[str] = mapped_column(
        String(60), server_default=text("'RE-{year}-{seq:05d}'")
    )
    credit_note_number_format: Mapped[str] = mapped_column(
        String(60), server_default=text("'GS-{year}-{seq:05d}'")
    )
    logo_path: Mapped[str | None] = mapped_column(Text)
    legal_form: Mapped[str | None] = mapped_column(String(20))
    register_court: Mapped[str | None] = mapped_column(String(100))
    register_number: Mapped[str | None] = mapped_column(String(40))
    managing_directors: Mapped[str | None] = mapped_column(String(300))
    # Free-form extras other domains own (DATEV accounts, dunning fees and days).
    extra: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))

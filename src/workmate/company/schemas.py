"""Company settings (the seller on every invoice) in and out."""

from __future__ import annotations

import itertools
from datetime import datetime
from decimal import Decimal
from typing import Any

import schwifty
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from schwifty.exceptions import SchwiftyException
from stdnum.de import stnr
from stdnum.eu import vat
from stdnum.exceptions import ValidationError as StdnumError

from workmate.errors import InvalidValue
from workmate.inputs import Input
from workmate.models.company_settings import LEGAL_FORMS, VAT_MODES


class DunningLevel(Input):
    """One dunning level (Mahnstufe): reached `days` days after the due date, costs `fee`."""

    days: int = Field(ge=1, le=365)
    fee: Decimal = Field(ge=0, max_digits=10, decimal_places=2)


DEFAULT_DUNNING = [
    DunningLevel(days=7, fee=Decimal("0.00")),
    DunningLevel(days=21, fee=Decimal("5.00")),
    DunningLevel(days=35, fee=Decimal("10.00")),
]


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


class CompanySettingsUpdate(Input):
    """Fields to change; omitted fields keep their value, null clears an optional one."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, max_length=200)
    street: str | None = Field(None, max_length=200)
    postal_code: str | None = Field(None, max_length=20)
    city: str | None = Field(None, max_length=100)
    country: str | None = Field(None, pattern=r"^[A-Z]{2}$")
    tax_number: str | None = Field(None, max_length=30)
    vat_id: str | None = Field(None, max_length=20)
    iban: str | None = Field(None, max_length=42)
    bic: str | None = Field(None, max_length=11)
    bank_name: str | None = Field(None, max_length=100)
    contact_name: str | None = Field(None, max_length=200)
    contact_email: str | None = Field(None, max_length=254)
    contact_phone: str | None = Field(None, max_length=50)
    payment_terms_days: int | None = Field(None, ge=0, le=365)
    vat_mode: str | None = Field(None, max_length=40)
    invoice_number_format: str | None = Field(None, max_length=60)
    credit_note_number_format: str | None = Field(None, max_length=60)
    # At most three levels, in increasing days.
    dunning_levels: list[DunningLevel] | None = Field(None, max_length=3)
    # Legal details on every invoice of a registered firm (§ 37a HGB, § 35a GmbHG).
    legal_form: str | None = Field(None, max_length=40)
    register_court: str | None = Field(None, max_length=100)
    register_number: str | None = Field(None, max_length=40)
    managing_directors: str | None = Field(None, max_length=300)

    @field_validator("*", mode="before")
    @classmethod
    def _strip(cls, value: Any) -> Any:
        return _blank_to_none(value)

    @field_validator("vat_mode")
    @classmethod
    def _vat_mode(cls, value: str | None) -> str | None:
        if value is not None and value not in VAT_MODES:
            raise InvalidValue("must be one of {values}", values=", ".join(VAT_MODES))
        return value

    @field_validator("legal_form")
    @classmethod
    def _legal_form(cls, value: str | None) -> str | None:
        if value is not None and value not in LEGAL_FORMS:
            raise InvalidValue("must be one of {values}", values=", ".join(LEGAL_FORMS))
        return value

    @field_validator("iban")
    @classmethod
    def _iban(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return str(schwifty.IBAN(value).compact)
        except SchwiftyException:
            raise ValueError("not a valid IBAN") from None

    @field_validator("bic")
    @classmethod
    def _bic(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return str(schwifty.BIC(value).compact)
        except SchwiftyException:
            raise ValueError("not a valid BIC") from None

    @field_validator("tax_number")
    @classmethod
    def _tax_number(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            # Kept as typed (e.g. 21/815/08150): that is how the Finanzamt prints it.
            stnr.validate(value)
        except StdnumError:
            raise ValueError("not a valid German tax number (Steuernummer)") from None
        return value

    @field_validator("vat_id")
    @classmethod
    def _vat_id(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return str(vat.validate(value))
        except StdnumError:
            raise ValueError("not a valid EU VAT id (USt-IdNr.)") from None

    @field_validator("invoice_number_format", "credit_note_number_format")
    @classmethod
    def _number_format(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if "{seq" not in value:
            raise ValueError("must contain {seq} (e.g. RE-{year}-{seq:05d})")
        try:
            value.format(year=2026, seq=1)
        except (KeyError, ValueError, IndexError):
            raise ValueError("may only use {year} and {seq}") from None
        return value

    @model_validator(mode="after")
    def _dunning_increasing(self) -> CompanySettingsUpdate:
        levels = self.dunning_levels or []
        if any(b.days <= a.days for a, b in itertools.pairwise(levels)):
            raise ValueError("dunning_levels: days must increase from level to level")
        return self


class CompanySettingsRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    name: str | None = None
    street: str | None = None
    postal_code: str | None = None
    city: str | None = None
    country: str = "DE"
    tax_number: str | None = None
    vat_id: str | None = None
    iban: str | None = None
    bic: str | None = None
    bank_name: str | None = None
    contact_name: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    payment_terms_days: int = 14
    vat_mode: str = "regular"
    invoice_number_format: str = "RE-{year}-{seq:05d}"
    credit_note_number_format: str = "GS-{year}-{seq:05d}"
    dunning_levels: list[DunningLevel] = Field(default_factory=lambda: list(DEFAULT_DUNNING))
    legal_form: str | None = None
    register_court: str | None = None
    register_number: str | None = None
    managing_directors: str | None = None
    has_logo: bool = False
    # What is still missing before an invoice can be issued (§14 UStG); empty when complete.
    missing_for_invoicing: list[str] = Field(default_factory=list)
    updated_at: datetime | None = None

"""Received invoices, suppliers, supplier bills, their payments, the VAT figures."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from workmate.inputs import Input, Line, Name, Note

Category = Literal["material", "personnel", "service", "other"]
Method = Literal["bank_transfer", "credit_card", "cash", "paypal"]
VatCategory = Literal["S", "Z", "E", "AE", "K", "G", "O", "L", "M"]
Money = Decimal


def _money(**kw: Any) -> Any:
    return Field(max_digits=12, decimal_places=2, **kw)


def check_iban(value: str | None) -> str | None:
    """An IBAN in compact form; blank is none."""
    from schwifty import IBAN
    from schwifty.exceptions import SchwiftyException

    if value is None or not str(value).strip():
        return None
    try:
        return str(IBAN(str(value)).compact)
    except SchwiftyException:
        raise ValueError("not a valid IBAN") from None


class Finding(BaseModel):
    rules: str
    id: str
    level: str
    text: str
    meaning_de: str | None = None
    meaning_source: str | None = None
    location: str | None = None
    line: int | None = None


class IncomingInvoiceRead(BaseModel):
    """A received file as listed."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    original_filename: str
    kind: str
    source: str
    size_bytes: int
    sha256: str
    received_at: datetime
    received_by: uuid.UUID
    retain_until: date
    is_einvoice: bool
    status: str
    official_verdict: str | None
    syntax: str | None
    document_type: str | None
    profile: str | None
    error_count: int
    warning_count: int
    rules_version: str
    note: str | None
    bill_id: uuid.UUID | None = None


class IncomingInvoiceDetail(IncomingInvoiceRead):
    """A received file with every finding, the invoice as read and the reply to the supplier."""

    customization_id: str | None
    findings: list[Finding]
    data: dict[str, Any] | None
    check_seconds: float | None
    reply_de: str | None = None
    reply_en: str | None = None


class SupplierIn(Input):
    name: Name
    street: Name | None = None
    postal_code: str | None = Field(None, max_length=20)
    city: Name | None = Field(None, max_length=100)
    country: str = Field("DE", max_length=2, pattern=r"^[A-Z]{2}$")
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=50)
    # VAT id (USt-IdNr.) and Steuernummer; an invoice needs one of them (§ 14 UStG).
    vat_id: str | None = Field(None, max_length=30)
    tax_number: str | None = Field(None, max_length=30)
    iban: str | None = Field(None, max_length=34)
    bic: str | None = Field(None, max_length=11)

    @field_validator("iban", mode="before")
    @classmethod
    def _iban(cls, v: str | None) -> str | None:
        return check_iban(v)

    @field_validator("vat_id", "tax_number", "bic", "postal_code", "email", "phone", mode="before")
    @classmethod
    def _blank(cls, v: str | None) -> str | None:
        return v.strip() or None if isinstance(v, str) else v


class SupplierCreate(SupplierIn):
    """A new supplier; an existing customer becomes a supplier with PATCH is_supplier."""


class SupplierUpdate(Input):
    """Fields to change; null clears an optional field."""

    name: Name | None = None
    street: Name | None = None
    postal_code: str | None = Field(None, max_length=20)
    city: str | None = Field(None, max_length=100)
    country: str | None = Field(None, max_length=2, pattern=r"^[A-Z]{2}$")
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=50)
    vat_id: str | None = Field(None, max_length=30)
    tax_number: str | None = Field(None, max_length=30)
    iban: str | None = Field(None, max_length=34)
    bic: str | None = Field(None, max_length=11)

    @field_validator("iban", mode="before")
    @classmethod
    def _iban(cls, v: str | None) -> str | None:
        return check_iban(v)


class SupplierRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    number: str
    supplier_number: str | None
    name: str
    street: str | None
    postal_code: str | None
    city: str | None
    country: str
    email: str | None
    phone: str | None
    vat_id: str | None = Field(validation_alias="tax_id")
    tax_number: str | None
    iban: str | None
    bic: str | None
    is_customer: bool
    is_supplier: bool


class TaxIn(Input):
    """Net and VAT of one rate (EN 16931 BG-23)."""

    category: VatCategory = "S"
    rate: Decimal = Field(ge=0, lt=100, max_digits=5, decimal_places=2)
    net: Money = _money()
    tax: Money = _money()


class BillCreate(Input):
    """A typed-in bill (a paper invoice) or one booked from a received file."""

    supplier_id: uuid.UUID
    invoice_number: str = Field(min_length=1, max_length=100)
    invoice_date: date
    kind: Literal["invoice", "credit_note"] = "invoice"
    category: Category = "other"
    service_start: date | None = None
    service_end: date | None = None
    due_date: date | None = None
    currency: str = Field("EUR", max_length=3, pattern=r"^[A-Z]{3}$")
    taxes: list[TaxIn] = Field(min_length=1, max_length=20)
    prepaid: Money = _money(default=Decimal("0"))
    rounding: Money = _money(default=Decimal("0"))
    project_id: uuid.UUID | None = None
    incoming_invoice_id: uuid.UUID | None = None
    iban: str | None = Field(None, max_length=34)
    payment_reference: Line | None = Field(None, max_length=140)
    note: Note | None = None

    @field_validator("invoice_number")
    @classmethod
    def _number(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("must not be blank")
        return v.strip()

    @model_validator(mode="after")
    def _period(self) -> BillCreate:
        if self.service_start and self.service_end and self.service_end < self.service_start:
            raise ValueError("service_end must be on or after service_start")
        return self

    @field_validator("taxes")
    @classmethod
    def _storable(cls, taxes: list[TaxIn]) -> list[TaxIn]:
        # The bill's totals are NUMERIC(12, 2) like each amount: their sums must fit too.
        if sum((abs(t.net) + abs(t.tax) for t in taxes), Decimal(0)) >= Decimal(10) ** 10:
            raise ValueError("the bill's total must stay below 10,000,000,000")
        return taxes


class BillUpdate(Input):
    """What may change on a booked bill: its filing, not what the supplier stated."""

    category: Category | None = None
    project_id: uuid.UUID | None = None
    due_date: date | None = None
    note: Note | None = None


class TaxRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    category: str
    rate: Decimal
    net: Decimal
    tax: Decimal


class BillRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    number: str
    supplier_id: uuid.UUID
    supplier_name: str | None = None
    incoming_invoice_id: uuid.UUID | None
    project_id: uuid.UUID | None
    kind: str
    category: str
    invoice_number: str
    invoice_date: date
    service_start: date | None
    service_end: date | None
    due_date: date | None
    currency: str
    net_total: Decimal
    tax_total: Decimal
    gross_total: Decimal
    prepaid: Decimal
    rounding: Decimal
    amount_due: Decimal
    paid: Decimal = Decimal("0.00")
    open_amount: Decimal = Decimal("0.00")
    status: str
    iban: str | None
    payment_reference: str | None
    note: str | None
    taxes: list[TaxRead] = []
    created_at: datetime


class PaymentCreate(Input):
    """Money paid to the supplier (or refunded by them on a credit note)."""

    amount: Money = _money(gt=0)
    payment_date: date
    method: Method = "bank_transfer"
    note: Note | None = None


class PaymentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    bill_id: uuid.UUID
    amount: Decimal
    payment_date: date
    method: str
    note: str | None
    created_at: datetime


class VatLine(BaseModel):
    rate: Decimal
    category: str
    net: Decimal
    vat: Decimal


class VatPeriod(BaseModel):
    """Net and VAT per rate of one month or quarter: sales (output VAT) and purchases."""

    period: str  # 2026-03 or 2026-Q1
    start: date
    end: date
    sales: list[VatLine]
    purchases: list[VatLine]
    output_vat: Decimal
    input_vat: Decimal
    balance: Decimal  # output - input: to pay (positive) or refund (negative)
    # Bills without a VAT breakdown (e.g. ZUGFeRD MINIMUM) and non-EUR bills are not in the
    # figures; they are counted here so nobody misses them.
    purchases_not_included: int


class VatReport(BaseModel):
    year: int
    months: list[VatPeriod]
    quarters: list[VatPeriod]

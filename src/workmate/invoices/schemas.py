"""Invoices, their lines, and the statistics over them, in and out."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from workmate.inputs import Input

VatRate = Literal[0, 7, 19]
VatTreatment = Literal[
    "regular", "reverse_charge", "small_business", "non_taxable", "intra_eu_goods"
]
Money = Decimal


class LineIn(Input):
    model_config = ConfigDict(extra="forbid")

    description: str = Field(min_length=1, max_length=2000)
    quantity: Decimal = Field(max_digits=12, decimal_places=3)
    # UN/ECE Rec 20: HUR hour, C62 piece, DAY day, ...
    unit: str = Field("C62", min_length=1, max_length=10)
    unit_price: Decimal = Field(ge=0, max_digits=12, decimal_places=2)
    vat_rate: Decimal = Field(Decimal(19))
    discount_percent: Decimal = Field(Decimal(0), ge=0, le=100, max_digits=5, decimal_places=2)

    @model_validator(mode="after")
    def _check(self) -> LineIn:
        if self.quantity == 0:
            raise ValueError("quantity must not be 0")
        if self.vat_rate not in (0, 7, 19):
            raise ValueError("vat_rate must be 19, 7 or 0")
        return self


class LineUpdate(Input):
    model_config = ConfigDict(extra="forbid")

    description: str | None = Field(None, min_length=1, max_length=2000)
    quantity: Decimal | None = Field(None, max_digits=12, decimal_places=3)
    unit: str | None = Field(None, min_length=1, max_length=10)
    unit_price: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    vat_rate: Decimal | None = None
    discount_percent: Decimal | None = Field(None, ge=0, le=100, max_digits=5, decimal_places=2)

    @model_validator(mode="after")
    def _check(self) -> LineUpdate:
        if self.quantity is not None and self.quantity == 0:
            raise ValueError("quantity must not be 0")
        if self.vat_rate is not None and self.vat_rate not in (0, 7, 19):
            raise ValueError("vat_rate must be 19, 7 or 0")
        return self


class LineRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    position: int
    description: str
    quantity: Decimal
    unit: str
    unit_price: Money
    # The effective rate (0 under reverse charge or §19); `chosen_vat_rate` is the line's own
    # rate, which applies again when the invoice is switched back to regular.
    vat_rate: Decimal
    chosen_vat_rate: Decimal
    discount_percent: Decimal
    net_amount: Money


class _ServicePeriod(Input):
    service_start: date | None = None
    service_end: date | None = None

    @model_validator(mode="after")
    def _period(self) -> _ServicePeriod:
        if self.service_start and self.service_end and self.service_end < self.service_start:
            raise ValueError("service_end must not be before service_start")
        return self


class InvoiceCreate(_ServicePeriod):
    model_config = ConfigDict(extra="forbid")

    customer_id: uuid.UUID
    project_id: uuid.UUID | None = None
    # Default: small_business when the company is a Kleinunternehmer, else regular.
    vat_treatment: VatTreatment | None = None
    payment_terms_days: int | None = Field(None, ge=0, le=365)
    note: str | None = Field(None, max_length=5000)
    buyer_reference: str | None = Field(None, max_length=100)
    lines: list[LineIn] = Field(default_factory=list, max_length=500)


class InvoiceUpdate(_ServicePeriod):
    """Draft fields to change; `lines`, when given, replaces all lines."""

    model_config = ConfigDict(extra="forbid")

    customer_id: uuid.UUID | None = None
    project_id: uuid.UUID | None = None
    vat_treatment: VatTreatment | None = None
    payment_terms_days: int | None = Field(None, ge=0, le=365)
    note: str | None = Field(None, max_length=5000)
    buyer_reference: str | None = Field(None, max_length=100)
    lines: list[LineIn] | None = Field(None, max_length=500)


class RateTotalRead(BaseModel):
    rate: Decimal
    net: Money
    tax: Money


class InvoiceSummary(BaseModel):
    """One row of the invoice list; `status` is the effective one (overdue when past due)."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    number: str | None
    kind: str
    status: str
    customer_id: uuid.UUID
    project_id: uuid.UUID | None
    buyer_name: str | None
    issued_date: date | None
    due_date: date | None
    net_total: Money
    tax_total: Money
    total: Money
    paid_amount: Money
    open_amount: Money
    currency: str
    dunning_level: int
    created_at: datetime


class InvoiceRead(InvoiceSummary):
    cancels_id: uuid.UUID | None
    cancelled_by_id: uuid.UUID | None = None
    # A partial credit note (correcting lines or amounts); on an invoice: what its partial
    # credit notes credit (open = total - paid - credited).
    partial: bool = False
    credited_amount: Money = Decimal("0.00")
    vat_treatment: str
    legal_note: str | None
    service_start: date | None
    service_end: date | None
    payment_terms_days: int | None
    note: str | None
    buyer_address: str | None
    buyer_street: str | None
    buyer_postal_code: str | None
    buyer_city: str | None
    buyer_country: str | None
    buyer_tax_id: str | None
    buyer_reference: str | None
    last_dunned_on: date | None
    lines: list[LineRead]
    per_rate: list[RateTotalRead]


class CreditLineIn(Input):
    """One line of a partial credit note: a line of the original (`line_id`) with the
    quantity credited, at most its quantity; or a free amount (`description`, `net_amount`)
    at one of the original's VAT rates."""

    model_config = ConfigDict(extra="forbid")

    line_id: uuid.UUID | None = None
    quantity: Decimal | None = Field(None, gt=0, max_digits=12, decimal_places=3)
    description: str | None = Field(None, min_length=1, max_length=2000)
    net_amount: Decimal | None = Field(None, gt=0, max_digits=12, decimal_places=2)
    vat_rate: Decimal | None = None

    @model_validator(mode="after")
    def _check(self) -> CreditLineIn:
        if self.line_id is not None:
            if self.quantity is None:
                raise ValueError("quantity is required with line_id")
            if self.net_amount is not None or self.vat_rate is not None:
                raise ValueError("a credited line takes quantity only; amounts come from it")
        elif self.description is None or self.net_amount is None or self.vat_rate is None:
            raise ValueError("give line_id and quantity, or description, net_amount and vat_rate")
        elif self.quantity is not None:
            raise ValueError("a free amount line takes no quantity")
        if self.vat_rate is not None and self.vat_rate not in (0, 7, 19):
            raise ValueError("vat_rate must be 19, 7 or 0")
        return self


class PartialCreditCreate(Input):
    model_config = ConfigDict(extra="forbid")

    lines: list[CreditLineIn] = Field(min_length=1, max_length=200)
    reason: str | None = Field(None, max_length=2000)


class FromTimeEntries(Input):
    model_config = ConfigDict(extra="forbid")

    project_id: uuid.UUID | None = None
    customer_id: uuid.UUID | None = None
    start: date = Field(alias="from")
    end: date = Field(alias="to")
    grouping: Literal["per_entry", "per_project_employee_rate"] = "per_project_employee_rate"

    @model_validator(mode="after")
    def _check(self) -> FromTimeEntries:
        if (self.project_id is None) == (self.customer_id is None):
            raise ValueError("give exactly one of project_id or customer_id")
        if self.end < self.start:
            raise ValueError("'to' must not be before 'from'")
        return self


class DunningLevelRead(BaseModel):
    level: int
    days: int
    fee: Money
    due_on: date | None
    reached: bool


class DunningRead(BaseModel):
    invoice_id: uuid.UUID
    level: int
    last_dunned_on: date | None
    days_overdue: int
    fees: Money
    levels: list[DunningLevelRead]


class MonthAmount(BaseModel):
    month: str
    issued: Money
    paid: Money


class TopCustomer(BaseModel):
    customer_id: uuid.UUID
    name: str
    revenue: Money


class Statistics(BaseModel):
    revenue_per_month: list[MonthAmount]
    open_receivables: Money
    open_count: int
    overdue_receivables: Money
    overdue_count: int
    average_days_to_pay: Decimal | None
    top_customers: list[TopCustomer]

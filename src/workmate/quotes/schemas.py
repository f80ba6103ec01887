"""Quotes in and out."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from workmate.inputs import Input, Name, Note
from workmate.invoices.schemas import LineIn, VatTreatment


class QuoteCreate(Input):
    customer_id: uuid.UUID
    project_id: uuid.UUID | None = None
    title: Name | None = None
    vat_treatment: VatTreatment | None = None
    # Default when issued: the issue date plus 30 days.
    valid_until: date | None = None
    note: Note | None = None
    lines: list[LineIn] = Field(default_factory=list, max_length=500)


class QuoteUpdate(Input):
    """Draft fields to change; `lines`, when given, replaces all lines."""

    project_id: uuid.UUID | None = None
    title: Name | None = None
    vat_treatment: VatTreatment | None = None
    valid_until: date | None = None
    note: Note | None = None
    lines: list[LineIn] | None = Field(None, max_length=500)


class ToInvoice(Input):
    """Bill an accepted quote: all its lines, or the chosen ones."""

    line_ids: list[uuid.UUID] | None = Field(None, min_length=1, max_length=500)


class DownPayments(Input):
    """A series of down-payment invoices, each a share (percent) of the quote's net per rate."""

    shares: list[Decimal] = Field(min_length=1, max_length=10)


class QuoteLineRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    position: int
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    # Effective rate (0 under reverse charge or §19); the chosen one returns on a switch back.
    vat_rate: Decimal
    chosen_vat_rate: Decimal
    discount_percent: Decimal
    net_amount: Decimal


class QuoteRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    number: str | None
    customer_id: uuid.UUID
    project_id: uuid.UUID | None
    status: str
    title: str | None
    issued_date: date | None
    valid_until: date | None
    vat_treatment: str
    currency: str
    net_total: Decimal
    tax_total: Decimal
    total: Decimal
    note: str | None
    decided_at: datetime | None
    created_at: datetime
    lines: list[QuoteLineRead] = Field(default_factory=list)
    # Invoices billing this quote (standard, down_payment, final).
    invoice_ids: list[uuid.UUID] = Field(default_factory=list)


class QuoteSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    number: str | None
    customer_id: uuid.UUID
    status: str
    title: str | None
    issued_date: date | None
    valid_until: date | None
    total: Decimal
    currency: str
    created_at: datetime

"""Recurring invoices in and out."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from workmate.inputs import Input, Name, Note
from workmate.invoices.schemas import LineIn, VatTreatment

Interval = Literal["monthly", "quarterly", "yearly"]
Mode = Literal["draft", "issue", "issue_and_send"]


class RecurringCreate(Input):
    customer_id: uuid.UUID
    project_id: uuid.UUID | None = None
    title: Name
    interval: Interval
    first_date: date
    end_date: date | None = None
    # draft: leave the invoice to a person; issue: issue it; issue_and_send: and e-mail it.
    mode: Mode = "draft"
    vat_treatment: VatTreatment = "regular"
    payment_terms_days: int | None = Field(None, ge=0, le=365)
    note: Note | None = None
    lines: list[LineIn] = Field(min_length=1, max_length=200)


class RecurringUpdate(Input):
    """Changes apply from the next period created; `lines` replaces all lines."""

    title: Name | None = None
    end_date: date | None = None
    mode: Mode | None = None
    payment_terms_days: int | None = Field(None, ge=0, le=365)
    note: Note | None = None
    lines: list[LineIn] | None = Field(None, min_length=1, max_length=200)


class RecurringLineRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    position: int
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    vat_rate: Decimal
    discount_percent: Decimal


class RunRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    period_start: date
    period_end: date
    invoice_id: uuid.UUID | None
    created_at: datetime


class RecurringRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    customer_id: uuid.UUID
    project_id: uuid.UUID | None
    title: str
    interval: str
    first_date: date
    end_date: date | None
    next_period_start: date
    mode: str
    status: str
    vat_treatment: str
    payment_terms_days: int | None
    note: str | None
    created_at: datetime
    lines: list[RecurringLineRead] = Field(default_factory=list)
    runs: list[RunRead] = Field(default_factory=list)

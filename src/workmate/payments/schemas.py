"""Payments in and out."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from workmate.inputs import Input

PaymentMethod = Literal["bank_transfer", "credit_card", "cash", "paypal"]


class PaymentCreate(Input):
    model_config = ConfigDict(extra="forbid")

    amount: Decimal = Field(gt=0, max_digits=12, decimal_places=2)
    # Defaults to today (German calendar date).
    payment_date: date | None = None
    method: PaymentMethod = "bank_transfer"
    note: str | None = Field(None, max_length=2000)


class PaymentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    invoice_id: uuid.UUID
    amount: Decimal
    payment_date: date
    method: str
    note: str | None
    created_at: datetime

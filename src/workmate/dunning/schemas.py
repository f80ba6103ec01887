"""Dunning in and out."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from workmate.inputs import Input, Line

LEVEL_NAMES = {1: "Zahlungserinnerung", 2: "1. Mahnung", 3: "2. Mahnung"}
LEVEL_NAMES_EN = {1: "Payment reminder", 2: "First reminder", 3: "Second reminder"}


class Proposal(BaseModel):
    """A letter the run proposes: which invoice, which level, what it claims."""

    invoice_id: uuid.UUID
    invoice_number: str
    customer_id: uuid.UUID
    customer_name: str
    due_date: date
    days_overdue: int
    level: int
    level_name: str
    open_amount: Decimal
    flat_fee: Decimal
    level_fee: Decimal
    interest_rate: Decimal
    interest_days: int
    interest: Decimal
    total: Decimal
    has_email: bool


class RunRequest(Input):
    """Create the letters for the chosen invoices: e-mail them or print them."""

    invoice_ids: list[uuid.UUID] = Field(min_length=1, max_length=500)
    channel: Literal["email", "print"] = "email"


class LetterRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    invoice_id: uuid.UUID
    level: int
    letter_date: date
    open_amount: Decimal
    flat_fee: Decimal
    level_fee: Decimal
    interest_rate: Decimal
    interest_days: int
    interest: Decimal
    channel: str
    message_id: uuid.UUID | None
    created_at: datetime


class BlockWrite(Input):
    note: Line | None = None


class BaseRateWrite(Input):
    valid_from: date
    rate: Decimal = Field(ge=-10, le=20, max_digits=5, decimal_places=2)


class BaseRateRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    valid_from: date
    rate: Decimal

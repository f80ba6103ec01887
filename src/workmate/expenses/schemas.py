"""Expenses in and out, and their totals."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from workmate.inputs import Input

Category = Literal["material", "personnel", "service", "other"]


class ExpenseCreate(Input):
    model_config = ConfigDict(extra="forbid")

    category: Category
    amount: Decimal = Field(gt=0, max_digits=12, decimal_places=2)
    # Defaults to today (German calendar date).
    expense_date: date | None = None
    note: str | None = Field(None, max_length=5000)
    project_id: uuid.UUID | None = None
    invoice_id: uuid.UUID | None = None
    document_id: uuid.UUID | None = None


class ExpenseUpdate(Input):
    """Fields to change; null clears project, invoice, document or note."""

    model_config = ConfigDict(extra="forbid")

    category: Category | None = None
    amount: Decimal | None = Field(None, gt=0, max_digits=12, decimal_places=2)
    expense_date: date | None = None
    note: str | None = Field(None, max_length=5000)
    project_id: uuid.UUID | None = None
    invoice_id: uuid.UUID | None = None
    document_id: uuid.UUID | None = None


class ExpenseRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    category: str
    amount: Decimal
    expense_date: date
    note: str | None
    project_id: uuid.UUID | None
    invoice_id: uuid.UUID | None
    document_id: uuid.UUID | None
    created_at: datetime
    updated_at: datetime


GroupBy = Literal["project", "category", "month"]


class ExpenseTotal(BaseModel):
    # project id (or null: no project), category name, or YYYY-MM.
    key: str | None
    label: str | None
    total: Decimal
    count: int


class ExpenseTotals(BaseModel):
    group_by: GroupBy
    groups: list[ExpenseTotal]
    total: Decimal
    count: int

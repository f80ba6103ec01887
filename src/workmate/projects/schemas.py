"""Request and response shapes for projects."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from workmate.inputs import Input, Note

ProjectStatus = Literal["planned", "in_progress", "completed", "cancelled"]


class ProjectCreate(Input):
    customer_id: uuid.UUID
    department_id: uuid.UUID | None = None
    title: str = Field(min_length=1, max_length=200)
    # A project starts planned or already running; completed/cancelled are reached by moves.
    status: Literal["planned", "in_progress"] = "planned"
    start_date: date | None = None
    end_date: date | None = None
    description: Note | None = None
    hourly_rate: Decimal | None = Field(None, ge=0, max_digits=10, decimal_places=2)


class ProjectUpdate(Input):
    customer_id: uuid.UUID | None = None
    department_id: uuid.UUID | None = None
    title: str | None = Field(None, min_length=1, max_length=200)
    status: ProjectStatus | None = None
    start_date: date | None = None
    end_date: date | None = None
    description: Note | None = None
    hourly_rate: Decimal | None = Field(None, ge=0, max_digits=10, decimal_places=2)


class ProjectRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    customer_id: uuid.UUID
    department_id: uuid.UUID | None
    title: str
    status: str
    start_date: date | None
    end_date: date | None
    description: str | None
    hourly_rate: Decimal | None
    created_at: datetime
    updated_at: datetime


class ProjectOverview(BaseModel):
    """Money is net EUR except `paid` (payments are gross); margin = invoiced - expenses."""

    project_id: uuid.UUID
    hours_booked: Decimal
    billable_hours: Decimal
    # Billable hours x the entry's rate, or the project's rate where the entry has none.
    billable_value: Decimal
    # Net total of issued, not cancelled invoices of the project (credit notes excluded).
    # The money figures are null for a caller who may not read invoices (expenses).
    invoiced: Decimal | None
    # Payments received on those invoices (gross).
    paid: Decimal | None
    expenses: Decimal | None
    margin: Decimal | None

"""Request and response shapes for time entries. Datetimes must carry a zone (`Z` or offset)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from workmate.inputs import Input
from workmate.types import Instant

GroupBy = Literal["project", "employee", "customer", "day", "week", "month"]


class TimerStart(Input):
    model_config = ConfigDict(extra="forbid")

    project_id: uuid.UUID
    note: str | None = Field(None, max_length=2000)
    billable: bool = True
    hourly_rate: Decimal | None = Field(None, ge=0, max_digits=10, decimal_places=2)


class TimeEntryCreate(Input):
    model_config = ConfigDict(extra="forbid")

    project_id: uuid.UUID
    start_time: Instant
    end_time: Instant
    note: str | None = Field(None, max_length=2000)
    billable: bool = True
    # None: the project's rate applies.
    hourly_rate: Decimal | None = Field(None, ge=0, max_digits=10, decimal_places=2)
    # Only with time_entries.manage; otherwise the entry is the caller's.
    employee_id: uuid.UUID | None = None


class TimeEntryUpdate(Input):
    model_config = ConfigDict(extra="forbid")

    project_id: uuid.UUID | None = None
    start_time: Instant | None = None
    end_time: Instant | None = None
    note: str | None = Field(None, max_length=2000)
    billable: bool | None = None
    hourly_rate: Decimal | None = Field(None, ge=0, max_digits=10, decimal_places=2)


class TimeEntryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    employee_id: uuid.UUID
    project_id: uuid.UUID
    start_time: datetime
    end_time: datetime | None
    note: str | None
    billable: bool
    hourly_rate: Decimal | None
    invoice_id: uuid.UUID | None
    auto_stopped_at: datetime | None
    created_at: datetime
    updated_at: datetime


class RunningTimer(BaseModel):
    entry: TimeEntryRead
    elapsed_seconds: int


class StaleTimer(BaseModel):
    entry: TimeEntryRead
    employee_name: str
    running_hours: Decimal


class ReportRow(BaseModel):
    key: str
    label: str
    hours: Decimal
    billable_hours: Decimal
    non_billable_hours: Decimal
    billable_value: Decimal


class Report(BaseModel):
    group_by: GroupBy
    model_config = ConfigDict(populate_by_name=True)

    start: date = Field(alias="from")
    end: date = Field(alias="to")
    rows: list[ReportRow]
    hours: Decimal
    billable_hours: Decimal
    non_billable_hours: Decimal
    billable_value: Decimal


class TimesheetRow(BaseModel):
    project_id: uuid.UUID
    project_title: str
    # Monday..Sunday.
    days: list[Decimal]
    total: Decimal


class Timesheet(BaseModel):
    employee_id: uuid.UUID
    week: str
    days: list[date]
    rows: list[TimesheetRow]
    day_totals: list[Decimal]
    total: Decimal


class ComplianceWarning(BaseModel):
    day: date
    rule: Literal["max_daily_hours", "break", "rest_period"]
    message: str
    hours_worked: Decimal | None = None
    break_minutes: int | None = None
    rest_hours: Decimal | None = None


class ComplianceReport(BaseModel):
    employee_id: uuid.UUID
    model_config = ConfigDict(populate_by_name=True)

    start: date = Field(alias="from")
    end: date = Field(alias="to")
    warnings: list[ComplianceWarning]

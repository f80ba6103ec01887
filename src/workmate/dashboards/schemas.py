"""Dashboards and the data of each widget, as the API shows them."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from workmate.inputs import Code, Input

Theme = Literal["dark", "light"]


class WidgetInfo(BaseModel):
    id: str
    title: str
    module: str
    w: int
    h: int


class DashboardRead(BaseModel):
    employee_id: uuid.UUID
    layout_json: dict[str, Any]
    theme: Theme
    # True while nothing is saved: the layout is the role's default.
    is_default: bool
    available_widgets: list[WidgetInfo]


class DashboardUpdate(Input):
    """Omitted fields keep their current (or default) value."""

    model_config = ConfigDict(extra="forbid")

    layout_json: dict[Code, Any] | None = None
    theme: Theme | None = None


# ---- widget data ----


class CrmStats(BaseModel):
    customers_total: int
    new_this_month: int
    archived: int
    month_start: date


class RecentCustomer(BaseModel):
    id: uuid.UUID
    number: str
    name: str
    city: str | None
    created_at: datetime


class RecentCustomers(BaseModel):
    items: list[RecentCustomer]


class TimelineProject(BaseModel):
    id: uuid.UUID
    title: str
    status: str
    start_date: date | None
    end_date: date | None
    customer_id: uuid.UUID
    customer_name: str


class ProjectTimeline(BaseModel):
    # planned and in-progress projects; `items` holds the first ones by start date.
    total: int
    items: list[TimelineProject]


class DayHours(BaseModel):
    date: date
    hours: Decimal


class HoursWeek(BaseModel):
    week_start: date
    # Finished entries that started this week (Monday to Sunday, German time).
    total_hours: Decimal
    days: list[DayHours]


class Timer(BaseModel):
    running: bool
    entry_id: uuid.UUID | None = None
    project_id: uuid.UUID | None = None
    project_title: str | None = None
    start_time: datetime | None = None
    elapsed_seconds: int | None = None


class ReminderItem(BaseModel):
    id: uuid.UUID
    title: str
    due_date: date
    priority: str
    overdue: bool


class MyReminders(BaseModel):
    open_total: int
    overdue: int
    items: list[ReminderItem]


class Receivables(BaseModel):
    # The shared definition (invoices.overdue); amounts are gross minus payments received.
    open_count: int
    open_amount: Decimal
    overdue_count: int
    overdue_amount: Decimal


class MonthRevenue(BaseModel):
    month: str  # YYYY-MM
    net: Decimal
    gross: Decimal


class RevenueMonths(BaseModel):
    # Issued invoices by issue month, credit notes subtracted; the last 12 months.
    months: list[MonthRevenue]


class CategoryAmount(BaseModel):
    category: str
    amount: Decimal
    count: int


class ExpensesByCategory(BaseModel):
    year: int
    total: Decimal
    categories: list[CategoryAmount]


class WidgetData(BaseModel):
    widget: str
    generated_at: datetime
    data: (
        CrmStats
        | RecentCustomers
        | ProjectTimeline
        | HoursWeek
        | Timer
        | MyReminders
        | Receivables
        | RevenueMonths
        | ExpensesByCategory
    )

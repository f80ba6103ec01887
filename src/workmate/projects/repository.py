"""SQL for projects: list with one filter for items and count, and the overview aggregates."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Numeric, cast, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from workmate.models import (
    Customer,
    Department,
    Expense,
    Invoice,
    Payment,
    Project,
    TimeEntry,
)
from workmate.projects.schemas import ProjectRead
from workmate.reads import Reader, json_column, read_by_id

# Issued invoices that still count as revenue.
INVOICED_STATUSES = ("sent", "overdue", "paid")


def filtered(
    *,
    customer_id: uuid.UUID | None,
    department_id: uuid.UUID | None,
    status: str | None,
    q: str | None,
) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if customer_id:
        where.append(Project.customer_id == customer_id)
    if department_id:
        where.append(Project.department_id == department_id)
    if status:
        where.append(Project.status == status)
    if q:
        where.append(Project.title.ilike(f"%{q}%"))
    return where


async def list_projects(
    db: AsyncSession,
    where: list[ColumnElement[bool]],
    limit: int,
    offset: int,
    *,
    as_json: bool = False,
) -> tuple[Sequence[Any], int]:
    """A page of projects and the total; `as_json`: each row as ProjectRead's JSON text."""
    stmt = (
        select(json_column(ProjectRead, "projects") if as_json else Project)
        .select_from(Project)
        .where(*where)
        .order_by(Project.start_date.desc().nulls_last(), Project.title, Project.id)
        .limit(limit)
        .offset(offset)
    )
    items = (await db.scalars(stmt)).all()
    total = await db.scalar(select(func.count()).select_from(Project).where(*where))
    return items, int(total or 0)


async def choices(
    db: AsyncSession,
    statuses: Sequence[str] | None,
    ids: Collection[uuid.UUID] = (),
    limit: int = 500,
) -> Sequence[Any]:
    """(id, title, status, customer_id, customer_name) in one statement, by customer and title:
    projects in `statuses` (all if None) and those in `ids` whatever their status."""
    picked: list[ColumnElement[bool]] = []
    if statuses is not None:
        picked.append(Project.status.in_(list(statuses)))
    if ids:
        picked.append(Project.id.in_(list(ids)))
    stmt = (
        select(
            Project.id,
            Project.title,
            Project.status,
            Project.customer_id,
            Customer.name.label("customer_name"),
        )
        .join(Customer, Customer.id == Project.customer_id)
        .order_by(func.lower(Customer.name), func.lower(Project.title), Project.id)
        .limit(limit)
    )
    if picked:
        stmt = stmt.where(or_(*picked))
    return (await db.execute(stmt)).all()


_PROJECT_JSON = read_by_id(ProjectRead, "projects")


async def get_json(reader: Reader, project_id: uuid.UUID) -> str | None:
    """The project as ProjectRead's JSON text, built by PostgreSQL, or None."""
    body: str | None = await reader.fetchval(_PROJECT_JSON, project_id)
    return body


async def get(db: AsyncSession, project_id: uuid.UUID, *, lock: bool = False) -> Project | None:
    stmt = select(Project).where(Project.id == project_id)
    if lock:
        stmt = stmt.with_for_update()
    return (await db.scalars(stmt)).one_or_none()


async def department_exists(db: AsyncSession, department_id: uuid.UUID) -> bool:
    return bool(await db.scalar(select(exists().where(Department.id == department_id))))


async def is_referenced(db: AsyncSession, project_id: uuid.UUID) -> bool:
    """Booked time or invoices make a project part of the books."""
    booked = exists().where(TimeEntry.project_id == project_id)
    billed = exists().where(Invoice.project_id == project_id)
    return bool(await db.scalar(select(booked | billed)))


async def overview(db: AsyncSession, project_id: uuid.UUID) -> dict[str, Any] | None:
    """All key figures in one statement of scalar subqueries (no rows travel to Python)."""
    hours = func.extract("epoch", TimeEntry.duration) / 3600
    rate = func.coalesce(TimeEntry.hourly_rate, Project.hourly_rate, 0)
    finished = (TimeEntry.project_id == Project.id) & TimeEntry.end_time.is_not(None)
    billable = finished & TimeEntry.billable
    money = Numeric(14, 2)
    # Two levels down from the outer select: without an explicit correlate, SQLAlchemy would
    # put `projects` into this subquery's own FROM and sum the payments of every project.
    invoiced_ids = (
        select(Invoice.id)
        .where(
            Invoice.project_id == Project.id,
            Invoice.kind == "invoice",
            Invoice.status.in_(INVOICED_STATUSES),
        )
        .correlate(Project)
    )

    def scalar(expr: Any, *where: Any, source: Any) -> Any:
        return select(func.coalesce(expr, 0)).select_from(source).where(*where).scalar_subquery()

    hours_booked = scalar(func.sum(hours), finished, source=TimeEntry)
    billable_hours = scalar(func.sum(hours), billable, source=TimeEntry)
    # Valued as billed (invoices.totals.billed_hours): per employee and rate the exact hours
    # are summed, rounded once, then priced, so the figure equals an invoice of the same time.
    units = (
        select(func.sum(hours).label("h"), rate.label("r"))
        .select_from(TimeEntry)
        .join(Project, Project.id == TimeEntry.project_id)
        .where(
            TimeEntry.project_id == project_id,
            TimeEntry.end_time.is_not(None),
            TimeEntry.billable,
        )
        .group_by(TimeEntry.employee_id, rate)
        .subquery()
    )
    billable_value = (
        select(func.coalesce(func.sum(func.round(func.round(units.c.h, 2) * units.c.r, 2)), 0))
        .select_from(units)
        .scalar_subquery()
    )
    invoiced = scalar(
        func.sum(Invoice.net_total),
        Invoice.project_id == Project.id,
        Invoice.kind == "invoice",
        Invoice.status.in_(INVOICED_STATUSES),
        source=Invoice,
    )
    paid = scalar(func.sum(Payment.amount), Payment.invoice_id.in_(invoiced_ids), source=Payment)
    expenses = scalar(func.sum(Expense.amount), Expense.project_id == Project.id, source=Expense)
    stmt = select(
        cast(func.round(cast(hours_booked, Numeric), 2), money).label("hours_booked"),
        cast(func.round(cast(billable_hours, Numeric), 2), money).label("billable_hours"),
        cast(func.round(cast(billable_value, Numeric), 2), money).label("billable_value"),
        cast(invoiced, money).label("invoiced"),
        cast(paid, money).label("paid"),
        cast(expenses, money).label("expenses"),
        cast(invoiced - expenses, money).label("margin"),
    ).where(Project.id == project_id)
    row = (await db.execute(stmt)).mappings().one_or_none()
    if row is None:
        return None
    return {k: Decimal(v) for k, v in row.items()}

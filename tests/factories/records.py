"""Plain rows for tests that exercise the database rules directly (no services involved)."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from workmate.models import Customer, Invoice, InvoiceLine, Project, TimeEntry

_seq = itertools.count(1)


async def make_customer(db: AsyncSession, **overrides: Any) -> Customer:
    n = next(_seq)
    values: dict[str, Any] = {
        "number": f"T-{uuid.uuid4().hex[:10]}",
        "name": f"Testkunde {n} GmbH",
        "type": "B2B",
        "email": f"kunde{n}@example.de",
        "street": "Hauptstraße 1",
        "postal_code": "10115",
        "city": "Berlin",
        "address": "Hauptstraße 1\n10115 Berlin",
    }
    values.update(overrides)
    customer = Customer(**values)
    db.add(customer)
    await db.flush()
    return customer


async def make_project(
    db: AsyncSession, customer: Customer | None = None, **overrides: Any
) -> Project:
    customer = customer or await make_customer(db)
    values: dict[str, Any] = {
        "customer_id": customer.id,
        "title": f"Projekt {next(_seq)}",
        "status": "in_progress",
        "hourly_rate": Decimal("95.00"),
    }
    values.update(overrides)
    project = Project(**values)
    db.add(project)
    await db.flush()
    return project


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """An aware instant on a fixed test week (2026-03-02 is a Monday)."""
    return datetime(2026, 3, 2, tzinfo=UTC) + timedelta(days=day, hours=hour, minutes=minute)


async def make_time_entry(
    db: AsyncSession, employee_id: uuid.UUID, project: Project, **overrides: Any
) -> TimeEntry:
    values: dict[str, Any] = {
        "employee_id": employee_id,
        "project_id": project.id,
        "start_time": at(0, 8),
        "end_time": at(0, 12),
    }
    values.update(overrides)
    entry = TimeEntry(**values)
    db.add(entry)
    await db.flush()
    return entry


async def make_invoice(
    db: AsyncSession, customer: Customer | None = None, *, issued: bool = False, **overrides: Any
) -> Invoice:
    """A draft with one 19 % line of 100.00 net (119.00 gross); `issued` makes it sent."""
    customer = customer or await make_customer(db)
    invoice = Invoice(
        customer_id=customer.id,
        total=Decimal("119.00"),
        net_total=Decimal("100.00"),
        tax_total=Decimal("19.00"),
        **overrides,
    )
    db.add(invoice)
    await db.flush()
    db.add(
        InvoiceLine(
            invoice_id=invoice.id,
            position=1,
            description="Beratung",
            quantity=Decimal("1"),
            unit_price=Decimal("100.00"),
            vat_rate=Decimal("19"),
            net_amount=Decimal("100.00"),
        )
    )
    await db.flush()
    if issued:
        invoice.status = "sent"
        invoice.number = f"RE-T-{uuid.uuid4().hex[:8]}"
        invoice.issued_date = date(2026, 3, 1)
        invoice.due_date = date(2026, 3, 15)
        await db.flush()
    return invoice

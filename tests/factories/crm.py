"""Customers, contacts, projects, reminders and chat messages made through the services."""

from __future__ import annotations

import itertools
import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from workmate.customers.schemas import ContactCreate, CustomerCreate
from workmate.customers.service import customer_service
from workmate.models import Contact, Customer, Project, Reminder

_seq = itertools.count(1)


async def new_customer(db: AsyncSession, **overrides: Any) -> Customer:
    n = next(_seq)
    values: dict[str, Any] = {"name": f"Kunde {n} GmbH", "email": f"kunde{n}@example.de"}
    values.update(overrides)
    return await customer_service.create(db, None, CustomerCreate(**values))


async def new_contact(db: AsyncSession, customer: Customer, **overrides: Any) -> Contact:
    n = next(_seq)
    values: dict[str, Any] = {"firstname": "Petra", "lastname": f"Kontakt{n}"}
    values.update(overrides)
    return await customer_service.create_contact(db, None, customer.id, ContactCreate(**values))


async def new_project(
    db: AsyncSession, customer: Customer | None = None, **overrides: Any
) -> Project:
    customer = customer or await new_customer(db)
    values: dict[str, Any] = {
        "id": uuid.uuid4(),
        "customer_id": customer.id,
        "title": f"Projekt {next(_seq)}",
        "status": "planned",
        "hourly_rate": Decimal("100.00"),
    }
    values.update(overrides)
    project = Project(**values)
    db.add(project)
    await db.flush()
    return project


async def new_reminder(db: AsyncSession, owner_id: uuid.UUID, **overrides: Any) -> Reminder:
    values: dict[str, Any] = {
        "id": uuid.uuid4(),
        "title": f"Erinnerung {next(_seq)}",
        "due_date": date.today(),
        "owner_id": owner_id,
    }
    values.update(overrides)
    reminder = Reminder(**values)
    db.add(reminder)
    await db.flush()
    return reminder

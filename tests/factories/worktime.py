"""Working-time test data: contracts, absences, closings as plain rows."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from workmate.models import Absence, Department, MonthClosing, WorkContract

FULL_TIME = ("8", "8", "8", "8", "8", "0", "0")


async def make_contract(
    db: AsyncSession,
    employee_id: uuid.UUID,
    valid_from: date = date(2020, 1, 1),
    valid_to: date | None = None,
    *,
    hours: tuple[str, ...] = FULL_TIME,
    vacation_days: str = "30",
    state: str = "HH",
) -> WorkContract:
    contract = WorkContract(
        employee_id=employee_id,
        valid_from=valid_from,
        valid_to=valid_to,
        vacation_days=Decimal(vacation_days),
        federal_state=state,
        **{
            f"hours_{d}": Decimal(h)
            for d, h in zip(("mon", "tue", "wed", "thu", "fri", "sat", "sun"), hours, strict=True)
        },
    )
    db.add(contract)
    await db.flush()
    return contract


async def make_absence(
    db: AsyncSession,
    employee_id: uuid.UUID,
    start: date,
    end: date | None = None,
    *,
    kind: str = "vacation",
    status: str = "approved",
    **overrides: Any,
) -> Absence:
    absence = Absence(
        employee_id=employee_id,
        kind=kind,
        start_date=start,
        end_date=end or start,
        status=status,
        decided_at=datetime.now().astimezone() if status != "requested" else None,
        **overrides,
    )
    db.add(absence)
    await db.flush()
    return absence


async def approve_month(
    db: AsyncSession, employee_id: uuid.UUID, month: date, decided_by: uuid.UUID
) -> MonthClosing:
    """An approved (locked) month, written directly."""
    closing = MonthClosing(
        employee_id=employee_id,
        month=month,
        status="approved",
        decided_at=datetime.now().astimezone(),
        decided_by=decided_by,
    )
    db.add(closing)
    await db.flush()
    return closing


async def lead(db: AsyncSession, manager_id: uuid.UUID, *members: uuid.UUID) -> Department:
    """A new department led by `manager_id` with the given members."""
    department = Department(name=f"Team {uuid.uuid4().hex[:8]}", manager_id=manager_id)
    db.add(department)
    await db.flush()
    for member in members:
        await db.execute(
            text("UPDATE employees SET department_id = :d WHERE id = :e"),
            {"d": department.id, "e": member},
        )
    return department

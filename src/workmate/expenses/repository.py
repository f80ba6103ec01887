"""SQL for expenses; one filter builder for items, counts and totals."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from workmate.models import Expense, Project


@dataclass(frozen=True)
class ExpenseFilter:
    category: str | None = None
    project_id: uuid.UUID | None = None
    invoice_id: uuid.UUID | None = None
    start: date | None = None
    end: date | None = None


def _where(f: ExpenseFilter) -> Any:
    conditions: list[Any] = []
    if f.category is not None:
        conditions.append(Expense.category == f.category)
    if f.project_id is not None:
        conditions.append(Expense.project_id == f.project_id)
    if f.invoice_id is not None:
        conditions.append(Expense.invoice_id == f.invoice_id)
    if f.start is not None:
        conditions.append(Expense.expense_date >= f.start)
    if f.end is not None:
        conditions.append(Expense.expense_date <= f.end)
    return and_(True, *conditions)


async def get(db: AsyncSession, expense_id: uuid.UUID, *, lock: bool = False) -> Expense | None:
    stmt = select(Expense).where(Expense.id == expense_id)
    if lock:
        stmt = stmt.with_for_update()
    return await db.scalar(stmt)


async def page(
    db: AsyncSession, f: ExpenseFilter, limit: int, offset: int
) -> tuple[list[Expense], int]:
    where = _where(f)
    total = await db.scalar(select(func.count()).select_from(Expense).where(where))
    rows = await db.scalars(
        select(Expense)
        .where(where)
        .order_by(Expense.expense_date.desc(), Expense.created_at.desc(), Expense.id)
        .limit(limit)
        .offset(offset)
    )
    return list(rows), int(total or 0)


async def totals(
    db: AsyncSession, f: ExpenseFilter, group_by: str
) -> list[tuple[str | None, str | None, Decimal, int]]:
    """(key, label, sum, count) per group, in SQL."""
    amount, count = func.sum(Expense.amount), func.count()
    query: Any
    if group_by == "project":
        query = (
            select(Expense.project_id, Project.title, amount, count)
            .outerjoin(Project, Project.id == Expense.project_id)
            .where(_where(f))
            .group_by(Expense.project_id, Project.title)
            .order_by(amount.desc())
        )
    elif group_by == "category":
        query = (
            select(Expense.category, Expense.category, amount, count)
            .where(_where(f))
            .group_by(Expense.category)
            .order_by(Expense.category)
        )
    else:
        month = func.to_char(Expense.expense_date, "YYYY-MM")
        query = select(month, month, amount, count).where(_where(f)).group_by(month).order_by(month)
    rows = (await db.execute(query)).all()
    return [(None if k is None else str(k), label, Decimal(s), int(n)) for k, label, s, n in rows]

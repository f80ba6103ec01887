"""HTTP routes for expenses (thin: validate, call the service, shape the answer)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Response

from workmate.db import SessionDep
from workmate.expenses.auth import ExpensesDelete, ExpensesRead, ExpensesWrite
from workmate.expenses.repository import ExpenseFilter
from workmate.expenses.schemas import (
    Category,
    ExpenseCreate,
    ExpenseRead,
    ExpenseTotals,
    ExpenseUpdate,
    GroupBy,
)
from workmate.expenses.service import expense_service
from workmate.models import Expense
from workmate.pagination import Page, Paging

router = APIRouter(prefix="/expenses", tags=["expenses"])


def _filter(
    category: Category | None = None,
    project_id: uuid.UUID | None = None,
    invoice_id: uuid.UUID | None = None,
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
) -> ExpenseFilter:
    return ExpenseFilter(
        category=category, project_id=project_id, invoice_id=invoice_id, start=start, end=end
    )


@router.get("", response_model=Page[ExpenseRead])
async def list_expenses(
    who: ExpensesRead,
    db: SessionDep,
    paging: Paging,
    category: Category | None = None,
    project_id: uuid.UUID | None = None,
    invoice_id: uuid.UUID | None = None,
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
) -> Page[ExpenseRead]:
    """Expenses, newest first, filtered by category, project, invoice and date range."""
    f = _filter(category, project_id, invoice_id, start, end)
    return await expense_service.list_expenses(db, f, paging)


@router.get("/totals", response_model=ExpenseTotals)
async def expense_totals(
    who: ExpensesRead,
    db: SessionDep,
    group_by: GroupBy = "category",
    category: Category | None = None,
    project_id: uuid.UUID | None = None,
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
) -> ExpenseTotals:
    """Sums per project, category or month over the same filters as the list."""
    f = _filter(category, project_id, None, start, end)
    return await expense_service.totals(db, f, group_by)


@router.post("", response_model=ExpenseRead, status_code=201)
async def create_expense(data: ExpenseCreate, who: ExpensesWrite, db: SessionDep) -> Expense:
    """Record an expense."""
    return await expense_service.create(db, who, data)


@router.get("/{expense_id}", response_model=ExpenseRead)
async def get_expense(expense_id: uuid.UUID, who: ExpensesRead, db: SessionDep) -> Expense:
    """One expense."""
    return await expense_service.get(db, expense_id)


@router.patch("/{expense_id}", response_model=ExpenseRead)
async def update_expense(
    expense_id: uuid.UUID, data: ExpenseUpdate, who: ExpensesWrite, db: SessionDep
) -> Expense:
    """Change an expense."""
    return await expense_service.update(db, who, expense_id, data)


@router.delete("/{expense_id}", status_code=204)
async def delete_expense(expense_id: uuid.UUID, who: ExpensesDelete, db: SessionDep) -> Response:
    """Delete an expense."""
    await expense_service.delete(db, who, expense_id)
    return Response(status_code=204)

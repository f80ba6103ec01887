"""Expenses: what the company spent, optionally on a project or passed on with an invoice."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from workmate.audit.service import audit_service, diff
from workmate.auth.principal import Principal
from workmate.errors import Invalid, NotFound
from workmate.expenses import repository
from workmate.expenses.repository import ExpenseFilter
from workmate.expenses.schemas import (
    ExpenseCreate,
    ExpenseRead,
    ExpenseTotal,
    ExpenseTotals,
    ExpenseUpdate,
    GroupBy,
)
from workmate.invoices.overdue import today as business_today
from workmate.models import Expense
from workmate.pagination import Page, PageParams

NOT_NULL = ("category", "amount", "expense_date")


class ExpenseService:
    async def get(self, db: AsyncSession, expense_id: uuid.UUID) -> Expense:
        """One expense (404 if unknown)."""
        expense = await repository.get(db, expense_id)
        if expense is None:
            raise NotFound("expense", field="expense_id")
        return expense

    async def list_expenses(
        self, db: AsyncSession, f: ExpenseFilter, paging: PageParams
    ) -> Page[ExpenseRead]:
        """A page of expenses, newest first; the count uses the same filters."""
        rows, total = await repository.page(db, f, paging.limit, paging.offset)
        return Page(
            items=[ExpenseRead.model_validate(e) for e in rows],
            total=total,
            limit=paging.limit,
            offset=paging.offset,
        )

    async def create(self, db: AsyncSession, who: Principal, data: ExpenseCreate) -> Expense:
        """Record an expense; dated today unless given."""
        values = data.model_dump()
        values["expense_date"] = values["expense_date"] or business_today()
        expense = Expense(**values)
        db.add(expense)
        await db.flush()
        await db.refresh(expense)
        await audit_service.record(
            db, who, "create", "expense", expense.id, diff(None, audit_service.snapshot(expense))
        )
        return expense

    async def update(
        self, db: AsyncSession, who: Principal, expense_id: uuid.UUID, data: ExpenseUpdate
    ) -> Expense:
        """Change the given fields of an expense."""
        expense = await self.get(db, expense_id)
        before = audit_service.snapshot(expense)
        for key, value in data.model_dump(exclude_unset=True).items():
            if value is None and key in NOT_NULL:
                raise Invalid("{field} cannot be empty", field=key, params={"field": key})
            setattr(expense, key, value)
        await db.flush()
        await db.refresh(expense)
        await audit_service.record(
            db, who, "update", "expense", expense.id, diff(before, audit_service.snapshot(expense))
        )
        return expense

    async def delete(self, db: AsyncSession, who: Principal, expense_id: uuid.UUID) -> None:
        """Delete an expense; of parallel deletes one succeeds, the others get 404."""
        expense = await repository.get(db, expense_id, lock=True)
        if expense is None:
            raise NotFound("expense", field="expense_id")
        before = audit_service.snapshot(expense)
        await db.delete(expense)
        await db.flush()
        await audit_service.record(db, who, "delete", "expense", expense_id, diff(before, None))

    async def totals(self, db: AsyncSession, f: ExpenseFilter, group_by: GroupBy) -> ExpenseTotals:
        """Sums per project, category or month over the filtered expenses, in SQL."""
        rows = await repository.totals(db, f, group_by)
        groups = [ExpenseTotal(key=k, label=lbl, total=s, count=n) for k, lbl, s, n in rows]
        return ExpenseTotals(
            group_by=group_by,
            groups=groups,
            total=sum((g.total for g in groups), Decimal("0.00")),
            count=sum(g.count for g in groups),
        )


expense_service = ExpenseService()

"""Expenses: list by category with paging, and recording one, through the expense service."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from babel.numbers import NumberFormatError, parse_decimal
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from workmate.auth.deps import require
from workmate.auth.principal import Principal
from workmate.db import SessionDep
from workmate.expenses.repository import ExpenseFilter
from workmate.expenses.schemas import ExpenseCreate, ExpenseUpdate
from workmate.expenses.service import expense_service
from workmate.pagination import PageParams
from workmate.web.catalogs import N_
from workmate.web.forms import REFUSALS, FieldErrors, blank_to_none, domain_error, parse
from workmate.web.i18n import formatter
from workmate.web.render import render
from workmate.web.routes.common import form_data, page_numbers, see_other, undo
from workmate.web.routes.documents import attached
from workmate.web.routes.timer import timer_context

router = APIRouter(prefix="/expenses")

ExpensesRead = Annotated[Principal, Depends(require("expenses", "read"))]
ExpensesWrite = Annotated[Principal, Depends(require("expenses", "write"))]
CATEGORIES = (N_("material"), N_("personnel"), N_("service"), N_("other"))
FIELDS = ("category", "amount", "expense_date", "note")
PER_PAGE = 25


async def _page(
    request: Request,
    who: Principal,
    db: AsyncSession,
    category: str,
    page: int,
    *,
    values: dict[str, Any] | None = None,
    errors: FieldErrors | None = None,
    status_code: int = 200,
    notice: str | None = None,
) -> Response:
    chosen = category if category in CATEGORIES else None
    result = await expense_service.list_expenses(
        db,
        ExpenseFilter(category=chosen),
        PageParams(limit=PER_PAGE, offset=(page - 1) * PER_PAGE),
    )
    fmt = formatter(who.locale)
    return render(
        request,
        "expenses/list.html",
        who,
        status_code=status_code,
        timer=await timer_context(db, who),
        expenses=result.items,
        category=chosen or "",
        categories=CATEGORIES,
        category_options=[(c, fmt.gettext(c)) for c in CATEGORIES],
        values=values or {"category": "material"},
        errors=errors or {},
        paging=page_numbers(page, PER_PAGE, result.total),
        notice=notice,
    )


@router.get("")
async def expense_list(
    request: Request,
    who: ExpensesRead,
    db: SessionDep,
    category: Annotated[str, Query(max_length=20)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    done: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """Expenses newest first, filtered by category; says what the last action did."""
    fmt = formatter(who.locale)
    notices = {
        "saved": fmt.gettext("Expense saved."),
        "deleted": fmt.gettext("Expense deleted."),
    }
    return await _page(request, who, db, category, page, notice=notices.get(done))


@router.post("")
async def create_expense(request: Request, who: ExpensesWrite, db: SessionDep) -> Response:
    """Record an expense; the amount is typed the locale's way (1.234,56)."""
    fmt = formatter(who.locale)
    raw = {k: v for k, v in (await form_data(request)).items() if k in FIELDS}
    data, errors = _amount(raw, fmt)
    parsed, schema_errors = parse(ExpenseCreate, data, fmt)
    errors = {**schema_errors, **errors}
    if parsed is not None and not errors:
        try:
            expense = await expense_service.create(db, who, parsed)
        except REFUSALS as exc:
            await undo(db, exc)
            errors = domain_error(exc, FIELDS)
        else:
            # Straight to its page, where the receipt is attached.
            return see_other(f"/expenses/{expense.id}/edit?saved=1#documents")
    return await _page(request, who, db, "", 1, values=raw, errors=errors, status_code=422)


def _amount(raw: dict[str, str], fmt: Any) -> tuple[dict[str, Any], FieldErrors]:
    """The form's values for the schema, the amount typed the locale's way (1.234,56)."""
    data = blank_to_none(raw, keep=("amount",))
    errors: FieldErrors = {}
    try:
        data["amount"] = parse_decimal(raw.get("amount", ""), locale=fmt.babel_locale, strict=True)
    except NumberFormatError:
        errors["amount"] = fmt.gettext("Enter an amount like %(example)s.", example="1.234,56")
    return data, errors


async def _edit_page(
    request: Request,
    who: Principal,
    db: AsyncSession,
    expense_id: uuid.UUID,
    values: dict[str, Any],
    errors: FieldErrors,
    status_code: int = 200,
    notice: str | None = None,
) -> Response:
    fmt = formatter(who.locale)
    return render(
        request,
        "expenses/form.html",
        who,
        status_code=status_code,
        notice=notice,
        timer=await timer_context(db, who),
        expense_id=expense_id,
        # The receipt: uploaded to the documents API, linked to this expense.
        docs=await attached(db, who, "expense", expense_id),
        category_options=[(c, fmt.gettext(c)) for c in CATEGORIES],
        values=values,
        errors=errors,
    )


@router.get("/{expense_id}/edit")
async def edit_expense(
    request: Request,
    expense_id: uuid.UUID,
    who: ExpensesWrite,
    db: SessionDep,
    saved: bool = False,
) -> Response:
    """The expense form, filled in (amount in the locale's format), with its receipts."""
    expense = await expense_service.get(db, expense_id)
    fmt = formatter(who.locale)
    values = {
        "category": expense.category,
        "amount": fmt.number(expense.amount),
        "expense_date": expense.expense_date.isoformat() if expense.expense_date else "",
        "note": expense.note or "",
    }
    notice = fmt.gettext("Expense saved. Attach the receipt below.") if saved else None
    return await _edit_page(request, who, db, expense_id, values, {}, notice=notice)


@router.post("/{expense_id}/edit")
async def update_expense(
    request: Request, expense_id: uuid.UUID, who: ExpensesWrite, db: SessionDep
) -> Response:
    """Change an expense through the expense service."""
    fmt = formatter(who.locale)
    raw = {k: v for k, v in (await form_data(request)).items() if k in FIELDS}
    data, errors = _amount(raw, fmt)
    parsed, schema_errors = parse(ExpenseUpdate, data, fmt)
    errors = {**schema_errors, **errors}
    if parsed is not None and not errors:
        try:
            await expense_service.update(db, who, expense_id, parsed)
        except REFUSALS as exc:
            await undo(db, exc)
            errors = domain_error(exc, FIELDS)
        else:
            return see_other("/expenses?done=saved")
    return await _edit_page(request, who, db, expense_id, raw, errors, status_code=422)


ExpensesDelete = Annotated[Principal, Depends(require("expenses", "delete"))]


@router.post("/{expense_id}/delete")
async def delete_expense(expense_id: uuid.UUID, who: ExpensesDelete, db: SessionDep) -> Response:
    """Delete an expense (expenses.delete) through the expense service."""
    await expense_service.delete(db, who, expense_id)
    return see_other("/expenses?done=deleted")

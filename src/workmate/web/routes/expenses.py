"""Expenses: list by category with paging, and recording one, through the expense service."""

from __future__ import annotations

from typing import Annotated, Any

from babel.numbers import NumberFormatError, parse_decimal
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from workmate.auth.deps import require
from workmate.auth.principal import Principal
from workmate.db import SessionDep
from workmate.expenses.repository import ExpenseFilter
from workmate.expenses.schemas import ExpenseCreate
from workmate.expenses.service import expense_service
from workmate.pagination import PageParams
from workmate.web.catalogs import N_
from workmate.web.forms import REFUSALS, FieldErrors, blank_to_none, domain_error, parse
from workmate.web.i18n import formatter
from workmate.web.render import render
from workmate.web.routes.common import form_data, page_numbers, see_other, undo
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
    )


@router.get("")
async def expense_list(
    request: Request,
    who: ExpensesRead,
    db: SessionDep,
    category: Annotated[str, Query(max_length=20)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """Expenses newest first, filtered by category."""
    return await _page(request, who, db, category, page)


@router.post("")
async def create_expense(request: Request, who: ExpensesWrite, db: SessionDep) -> Response:
    """Record an expense; the amount is typed the locale's way (1.234,56)."""
    fmt = formatter(who.locale)
    raw = {k: v for k, v in (await form_data(request)).items() if k in FIELDS}
    data = blank_to_none(raw, keep=("amount",))
    errors: FieldErrors = {}
    try:
        data["amount"] = parse_decimal(raw.get("amount", ""), locale=fmt.babel_locale, strict=True)
    except NumberFormatError:
        errors["amount"] = fmt.gettext("Enter an amount like %(example)s.", example="1.234,56")
    parsed, schema_errors = parse(ExpenseCreate, data, fmt)
    errors = {**schema_errors, **errors}
    if parsed is not None and not errors:
        try:
            await expense_service.create(db, who, parsed)
        except REFUSALS as exc:
            await undo(db, exc)
            errors = domain_error(exc, FIELDS)
        else:
            return see_other("/expenses")
    return await _page(request, who, db, "", 1, values=raw, errors=errors, status_code=422)

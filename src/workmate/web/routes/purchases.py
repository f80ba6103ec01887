"""Purchases pages: received invoices (drag and drop upload, several at once), a readable
view of each e-invoice with its findings and a reply to the supplier, and supplier bills."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from workmate.auth.deps import require
from workmate.auth.principal import Principal
from workmate.db import SessionDep
from workmate.pagination import PageParams
from workmate.purchases.bills import BillFilter, bill_service
from workmate.purchases.service import incoming_service
from workmate.web.catalogs import N_
from workmate.web.render import env, render
from workmate.web.routes.common import page_numbers
from workmate.web.routes.timer import timer_context

router = APIRouter(prefix="/purchases")

PurchasesSubmit = Annotated[Principal, Depends(require("purchases", "submit"))]
PurchasesRead = Annotated[Principal, Depends(require("purchases", "read"))]
PER_PAGE = 25
STATUS_LABELS = (
    N_("valid"),
    N_("invalid"),
    N_("not_einvoice"),
    N_("partly_paid"),
    N_("error"),
    N_("warning"),
    N_("information"),
)
# UNTDID 4461 payment means codes seen on German invoices.
PAYMENT_MEANS = {
    "30": N_("credit transfer"),
    "58": N_("SEPA credit transfer"),
    "59": N_("SEPA direct debit"),
    "48": N_("card payment"),
    "10": N_("cash"),
    "57": N_("standing agreement"),
    "ZZZ": N_("other"),
}


def to_decimal(value: Any) -> Decimal | None:
    """An amount string of a read invoice as a Decimal for the formatter (None if absent)."""
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def to_date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


env.globals["wm_dec"] = to_decimal
env.globals["wm_day"] = to_date
env.globals["payment_means_labels"] = PAYMENT_MEANS


@router.get("")
async def incoming_list(
    request: Request,
    who: PurchasesSubmit,
    db: SessionDep,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """Received invoices and receipts, newest first, with the upload area."""
    result = await incoming_service.list_incoming(
        db, who, PageParams(limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
    )
    return render(
        request,
        "purchases/list.html",
        who,
        timer=await timer_context(db, who),
        items=result.items,
        paging=page_numbers(page, PER_PAGE, result.total),
    )


@router.get("/incoming/{incoming_id}")
async def incoming_view(
    request: Request, incoming_id: uuid.UUID, who: PurchasesSubmit, db: SessionDep
) -> Response:
    """One received e-invoice, readable and printable; raw XML one click away."""
    item = await incoming_service.get(db, who, incoming_id)
    bill = None
    if item.bill_id is not None and who.can("purchases", "read"):
        bill = await bill_service.get(db, item.bill_id)
    return render(
        request,
        "purchases/incoming.html",
        who,
        timer=await timer_context(db, who),
        item=item,
        inv=item.data or {},
        bill=bill,
        errors_=[f for f in item.findings if f.level == "error"],
        warnings_=[f for f in item.findings if f.level != "error"],
    )


@router.get("/bills")
async def bill_list(
    request: Request,
    who: PurchasesRead,
    db: SessionDep,
    status: str = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """Supplier bills, newest first, filtered by payment status."""
    chosen = status if status in ("open", "partly_paid", "paid", "unpaid") else None
    result = await bill_service.list_bills(
        db,
        BillFilter(status=chosen),
        PageParams(limit=PER_PAGE, offset=(page - 1) * PER_PAGE),
    )
    return render(
        request,
        "purchases/bills.html",
        who,
        timer=await timer_context(db, who),
        bills=result.items,
        status=chosen or "",
        paging=page_numbers(page, PER_PAGE, result.total),
    )

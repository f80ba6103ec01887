"""Purchases pages: received invoices (drag and drop upload, several at once), a readable
view of each e-invoice with its findings and a reply to the supplier, and supplier bills."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from babel.numbers import NumberFormatError, parse_decimal
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from workmate.auth.deps import require
from workmate.auth.principal import Principal
from workmate.db import SessionDep
from workmate.pagination import PageParams
from workmate.purchases.bills import BillFilter, bill_service
from workmate.purchases.ruleset import version_label
from workmate.purchases.schemas import BillCreate, PaymentCreate, SupplierCreate
from workmate.purchases.service import incoming_service
from workmate.purchases.suppliers import supplier_service
from workmate.web.catalogs import N_
from workmate.web.forms import REFUSALS, FieldErrors, blank_to_none, domain_error, parse
from workmate.web.i18n import Formatter, formatter
from workmate.web.render import env, render
from workmate.web.routes.common import form_data, page_numbers, see_other, undo
from workmate.web.routes.timer import timer_context

router = APIRouter(prefix="/purchases")

PurchasesSubmit = Annotated[Principal, Depends(require("purchases", "submit"))]
PurchasesRead = Annotated[Principal, Depends(require("purchases", "read"))]
PurchasesWrite = Annotated[Principal, Depends(require("purchases", "write"))]
CrmWrite = Annotated[Principal, Depends(require("crm", "write"))]
CATEGORIES = (N_("material"), N_("personnel"), N_("service"), N_("other"))
# The typed-in form has one net amount per German rate; VAT is computed and can be changed.
RATES = ("19", "7", "0")
BILL_FIELDS = (
    "supplier_id", "invoice_number", "invoice_date", "due_date", "category",
    "service_start", "service_end", "note",
    *(f"net_{r}" for r in RATES), *(f"tax_{r}" for r in RATES),
)  # fmt: skip
PAYMENT_FIELDS = ("amount", "payment_date", "method", "note")
SUPPLIER_FIELDS = (
    "name", "street", "postal_code", "city", "country", "email", "phone",
    "vat_id", "tax_number", "iban", "bic",
)  # fmt: skip
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
        rules=version_label(),
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


async def _bills_page(
    request: Request,
    who: Principal,
    db: AsyncSession,
    status: str,
    page: int,
    *,
    values: dict[str, Any] | None = None,
    errors: FieldErrors | None = None,
    status_code: int = 200,
) -> Response:
    chosen = status if status in ("open", "partly_paid", "paid", "unpaid") else None
    result = await bill_service.list_bills(
        db,
        BillFilter(status=chosen),
        PageParams(limit=PER_PAGE, offset=(page - 1) * PER_PAGE),
    )
    fmt = formatter(who.locale)
    suppliers = []
    if who.can("purchases", "write"):
        listed = await supplier_service.list_suppliers(db, None, PageParams(limit=200, offset=0))
        suppliers = [(str(s.id), f"{s.name} ({s.supplier_number})") for s in listed.items]
    return render(
        request,
        "purchases/bills.html",
        who,
        status_code=status_code,
        timer=await timer_context(db, who),
        bills=result.items,
        status=chosen or "",
        paging=page_numbers(page, PER_PAGE, result.total),
        suppliers=suppliers,
        category_options=[(c, fmt.gettext(c)) for c in CATEGORIES],
        rates=RATES,
        values=values or {"category": "material"},
        errors=errors or {},
    )


@router.get("/bills")
async def bill_list(
    request: Request,
    who: PurchasesRead,
    db: SessionDep,
    status: Annotated[str, Query(max_length=20)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """Supplier bills, newest first, filtered by payment status; the form types one in."""
    return await _bills_page(request, who, db, status, page)


def _amount(raw: str, fmt: Formatter) -> Decimal | None:
    """An amount typed the locale's way (1.234,56); None when empty; ValueError if bad."""
    if not raw.strip():
        return None
    try:
        return Decimal(parse_decimal(raw, locale=fmt.babel_locale, strict=True))
    except NumberFormatError:
        raise ValueError(raw) from None


@router.post("/bills")
async def create_bill(request: Request, who: PurchasesWrite, db: SessionDep) -> Response:
    """Type in a paper invoice: net per rate (19, 7, 0 %), VAT computed unless typed."""
    fmt = formatter(who.locale)
    raw = {k: v for k, v in (await form_data(request)).items() if k in BILL_FIELDS}
    data: dict[str, Any] = blank_to_none(
        {k: v for k, v in raw.items() if not k.startswith(("net_", "tax_"))},
        keep=("invoice_number",),
    )
    errors: FieldErrors = {}
    taxes = []
    for rate in RATES:
        try:
            net = _amount(raw.get(f"net_{rate}", ""), fmt)
            tax = _amount(raw.get(f"tax_{rate}", ""), fmt)
        except ValueError:
            errors[f"net_{rate}"] = fmt.gettext(
                "Enter an amount like %(example)s.", example="1.234,56"
            )
            continue
        if net is None:
            continue
        if tax is None:
            tax = (net * Decimal(rate) / 100).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
        taxes.append(
            {"category": "S" if rate != "0" else "Z", "rate": rate, "net": net, "tax": tax}
        )
    data["taxes"] = taxes
    if not taxes and not errors:
        errors["net_19"] = fmt.gettext("Enter the net amount of at least one VAT rate.")
    parsed, schema_errors = parse(BillCreate, data, fmt)
    errors = {**schema_errors, **errors}
    if parsed is not None and not errors:
        try:
            bill = await bill_service.create(db, who, parsed)
        except REFUSALS as exc:
            await undo(db, exc)
            errors = domain_error(exc, BILL_FIELDS)
        else:
            return see_other(f"/purchases/bills/{bill.id}")
    return await _bills_page(request, who, db, "", 1, values=raw, errors=errors, status_code=422)


async def _bill_page(
    request: Request,
    who: Principal,
    db: AsyncSession,
    bill_id: uuid.UUID,
    *,
    values: dict[str, Any] | None = None,
    errors: FieldErrors | None = None,
    status_code: int = 200,
) -> Response:
    bill = await bill_service.get(db, bill_id)
    payments = await bill_service.payments(db, bill_id)
    fmt = formatter(who.locale)
    methods = ("bank_transfer", "credit_card", "cash", "paypal")
    return render(
        request,
        "purchases/bill.html",
        who,
        status_code=status_code,
        timer=await timer_context(db, who),
        bill=bill,
        payments=payments,
        method_options=[(m, fmt.gettext(m)) for m in methods],
        values=values or {"method": "bank_transfer", "amount": fmt.number(bill.open_amount)},
        errors=errors or {},
    )


@router.get("/bills/{bill_id}")
async def bill_view(
    request: Request, bill_id: uuid.UUID, who: PurchasesRead, db: SessionDep
) -> Response:
    """One supplier bill with VAT rows, payments and the form to book a payment."""
    return await _bill_page(request, who, db, bill_id)


@router.post("/bills/{bill_id}/payments")
async def pay_bill(
    request: Request, bill_id: uuid.UUID, who: PurchasesWrite, db: SessionDep
) -> Response:
    """Book a payment to the supplier (never above the open amount)."""
    fmt = formatter(who.locale)
    raw = {k: v for k, v in (await form_data(request)).items() if k in PAYMENT_FIELDS}
    data: dict[str, Any] = blank_to_none(raw, keep=("amount",))
    errors: FieldErrors = {}
    try:
        data["amount"] = _amount(raw.get("amount", ""), fmt) or ""
    except ValueError:
        errors["amount"] = fmt.gettext("Enter an amount like %(example)s.", example="1.234,56")
    parsed, schema_errors = parse(PaymentCreate, data, fmt)
    errors = {**schema_errors, **errors}
    if parsed is not None and not errors:
        try:
            await bill_service.pay(db, who, bill_id, parsed)
        except REFUSALS as exc:
            await undo(db, exc)
            errors = domain_error(exc, PAYMENT_FIELDS)
        else:
            return see_other(f"/purchases/bills/{bill_id}")
    return await _bill_page(request, who, db, bill_id, values=raw, errors=errors, status_code=422)


# ---- suppliers ----


async def _suppliers_page(
    request: Request,
    who: Principal,
    db: AsyncSession,
    q: str,
    page: int,
    *,
    values: dict[str, Any] | None = None,
    errors: FieldErrors | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> Response:
    result = await supplier_service.list_suppliers(
        db, q.strip() or None, PageParams(limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
    )
    return render(
        request,
        "purchases/suppliers.html",
        who,
        status_code=status_code,
        timer=await timer_context(db, who),
        suppliers=result.items,
        q=q,
        paging=page_numbers(page, PER_PAGE, result.total),
        may_make_customer=who.can("crm", "write"),
        values=values or {"country": "DE"},
        errors=errors or {},
        notice=notice,
    )


@router.get("/suppliers")
async def supplier_list(
    request: Request,
    who: PurchasesRead,
    db: SessionDep,
    q: Annotated[str, Query(max_length=200)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    saved: bool = False,
) -> Response:
    """Suppliers by name with number, VAT ID and IBAN; the form adds one."""
    notice = formatter(who.locale).gettext("Saved.") if saved else None
    return await _suppliers_page(request, who, db, q, page, notice=notice)


@router.post("/suppliers")
async def create_supplier(request: Request, who: PurchasesWrite, db: SessionDep) -> Response:
    """A new supplier (for a paper invoice from someone new), checked like the API."""
    fmt = formatter(who.locale)
    raw = {k: v for k, v in (await form_data(request)).items() if k in SUPPLIER_FIELDS}
    data = blank_to_none(raw, keep=("name",))
    if not data.get("country"):
        data.pop("country", None)  # the schema's default: DE
    parsed, errors = parse(SupplierCreate, data, fmt)
    if parsed is not None:
        try:
            await supplier_service.create(db, who, parsed)
        except REFUSALS as exc:
            await undo(db, exc)
            errors = domain_error(exc, SUPPLIER_FIELDS)
        else:
            return see_other("/purchases/suppliers?saved=1")
    return await _suppliers_page(
        request, who, db, "", 1, values=raw, errors=errors, status_code=422
    )


@router.post("/suppliers/{supplier_id}/customer")
async def make_customer(supplier_id: uuid.UUID, who: CrmWrite, db: SessionDep) -> Response:
    """Give a supplier the customer role too, so it can be billed."""
    await supplier_service.make_customer(db, who, supplier_id)
    return see_other("/purchases/suppliers?saved=1")

"""Invoices: list with status filter; overdue ones stand out."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from babel.numbers import NumberFormatError, parse_decimal
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from workmate import clock
from workmate.auth.deps import require
from workmate.auth.principal import Principal
from workmate.customers.service import customer_service
from workmate.db import SessionDep
from workmate.errors import Conflict, Invalid, NotFound
from workmate.invoices.repository import ListFilter
from workmate.invoices.schemas import CreditLineIn, FromTimeEntries, LineIn, PartialCreditCreate
from workmate.invoices.service import invoice_service
from workmate.pagination import PageParams
from workmate.payments.schemas import PaymentCreate
from workmate.payments.service import payment_service
from workmate.projects.service import project_service
from workmate.web.catalogs import N_
from workmate.web.forms import FORM, FieldErrors, blank_to_none, domain_error, parse, refusal
from workmate.web.i18n import formatter
from workmate.web.render import UNIT_LABELS, render
from workmate.web.routes.common import form_data, page_numbers, see_other, undo
from workmate.web.routes.documents import attached
from workmate.web.routes.timer import timer_context

router = APIRouter(prefix="/invoices")

InvoicesRead = Annotated[Principal, Depends(require("invoices", "read"))]
InvoicesWrite = Annotated[Principal, Depends(require("invoices", "write"))]
PaymentsWrite = Annotated[Principal, Depends(require("payments", "write"))]
METHODS = (N_("bank_transfer"), N_("credit_card"), N_("cash"), N_("paypal"))
PAYMENT_FIELDS = ("amount", "payment_date", "method", "note")
PER_PAGE = 25
# The API's filter values; 'open' means sent or overdue.
STATUSES = ("open", "overdue", "draft", "sent", "paid", "cancelled")


@dataclass(frozen=True)
class Search:
    """The list's search box and issue-date range, as typed (kept in the form)."""

    q: str = ""
    start: date | None = None
    end: date | None = None

    @property
    def query(self) -> str:
        parts = {"q": self.q, "from": self.start or "", "to": self.end or ""}
        return urlencode({k: v for k, v in parts.items() if v})


def _day(value: str) -> date | None:
    """A date field of the search form; empty or malformed means no bound."""
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@router.get("")
async def invoice_list(
    request: Request,
    who: InvoicesRead,
    db: SessionDep,
    status: Annotated[str, Query(max_length=20)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    q: Annotated[str, Query(max_length=100)] = "",
    start: Annotated[str, Query(alias="from", max_length=10)] = "",
    end: Annotated[str, Query(alias="to", max_length=10)] = "",
) -> Response:
    """Invoices newest first, filtered by status, number or customer and issue date, with
    the total and open amount of everything the filter finds (an empty date: no bound)."""
    search = Search(q.strip().replace("\x00", ""), _day(start), _day(end))
    return await _list_page(request, who, db, status, page, search=search)


async def _list_page(
    request: Request,
    who: Principal,
    db: AsyncSession,
    status: str,
    page: int,
    *,
    errors: FieldErrors | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
    search: Search | None = None,
) -> Response:
    search = search or Search()
    chosen = status if status in STATUSES else None
    projects: list[tuple[str, str]] = []
    if who.can("invoices", "write") and who.can("projects", "read"):
        projects = await project_choices(db)
    today = clock.today()
    filters = ListFilter(
        status=chosen, text=search.q or None, issued_from=search.start, issued_to=search.end
    )
    result = await invoice_service.list_invoices(
        db, filters, PageParams(limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
    )
    total, still_open = await invoice_service.list_sums(db, filters)
    names = await customer_service.names(
        db, {i.customer_id for i in result.items if not i.buyer_name}
    )
    return render(
        request,
        "invoices/list.html",
        who,
        status_code=status_code,
        timer=await timer_context(db, who),
        invoices=result.items,
        names=names,
        status=chosen or "",
        statuses=STATUSES,
        search=search,
        sums={"total": total, "open": still_open, "count": result.total},
        paging=page_numbers(page, PER_PAGE, result.total),
        projects=projects,
        errors=errors or {},
        values=values or {"from": today.replace(day=1).isoformat(), "to": today.isoformat()},
    )


async def project_choices(db: AsyncSession) -> list[tuple[str, str]]:
    """Every project not cancelled (a new one is planned) as "Customer · Title", sorted by
    customer and title, so equal titles of different customers are told apart."""
    rows = await project_service.choices(db, ("planned", "in_progress", "completed"))
    return [(str(r.id), f"{r.customer_name} · {r.title}") for r in rows]


@router.post("/from-time")
async def invoice_from_time(request: Request, who: InvoicesWrite, db: SessionDep) -> Response:
    """A draft from a project's unbilled billable time in a period (the invoice service's rule)."""
    fmt = formatter(who.locale)
    raw = {k: v for k, v in (await form_data(request)).items() if k in ("project_id", "from", "to")}
    parsed, errors = parse(FromTimeEntries, blank_to_none(raw), fmt)
    if parsed is not None:
        try:
            draft = await invoice_service.from_time_entries(db, who, parsed)
        except (Invalid, Conflict, NotFound) as exc:
            await undo(db, exc)
            errors = domain_error(exc, ("project_id", "from", "to"))
        else:
            return see_other(f"/invoices/{draft.id}")
    return await _list_page(request, who, db, "", 1, errors=errors, values=raw, status_code=422)


async def _detail_page(
    request: Request,
    who: Principal,
    db: AsyncSession,
    invoice_id: uuid.UUID,
    *,
    errors: FieldErrors | None = None,
    values: dict[str, str] | None = None,
    notice: str | None = None,
    line_errors: FieldErrors | None = None,
    line_values: dict[str, str] | None = None,
    send_errors: FieldErrors | None = None,
    send_values: dict[str, str] | None = None,
    credit_errors: FieldErrors | None = None,
    credit_values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    from workmate.web.routes.sales import sending_context

    invoice = await invoice_service.get(db, invoice_id)
    payments = (
        await payment_service.list_for_invoice(db, invoice_id)
        if who.can("payments", "read")
        else []
    )
    names = await customer_service.names(db, {invoice.customer_id})
    return render(
        request,
        "invoices/detail.html",
        who,
        status_code=status_code,
        timer=await timer_context(db, who),
        inv=invoice,
        customer_name=invoice.buyer_name or names.get(invoice.customer_id, ""),
        payments=payments,
        methods=[(m, formatter(who.locale).gettext(m)) for m in METHODS],
        errors=errors or {},
        values=values or {"method": "bank_transfer"},
        # A fresh key per rendered form: a double click or a resent POST books once.
        payment_key=secrets.token_urlsafe(16),
        docs=await attached(db, who, "invoice", invoice_id),
        line_errors=line_errors or {},
        line_values=line_values
        or {"quantity": "1", "unit": "HUR", "vat_rate": "19", "discount_percent": "0"},
        unit_options=[
            (code, formatter(who.locale).gettext(label)) for code, label in UNIT_LABELS.items()
        ],
        vat_rates=[(r, f"{r} %") for r in VAT_RATES],
        notice=notice,
        sending=await sending_context(db, who, invoice_id),
        send_errors=send_errors or {},
        send_values=send_values or {},
        credit_errors=credit_errors or {},
        credit_values=credit_values or {},
        credit_rates=[(str(int(r.rate)), f"{int(r.rate)} %") for r in invoice.per_rate],
    )


# The sales pages render this page with the sending form's errors.
detail_page = _detail_page


@router.get("/{invoice_id}")
async def invoice_detail(
    request: Request,
    invoice_id: uuid.UUID,
    who: InvoicesRead,
    db: SessionDep,
    done: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """One invoice: lines, VAT per rate, payments, open amount."""
    fmt = formatter(who.locale)
    notices = {
        "issued": fmt.gettext("Invoice issued."),
        "paid": fmt.gettext("Payment recorded."),
        "queued": fmt.gettext("The e-mail is in the outbox."),
        "posted": fmt.gettext("Marked as sent by post."),
        "payment_removed": fmt.gettext("Payment removed; the invoice is open again."),
    }
    return await _detail_page(request, who, db, invoice_id, notice=notices.get(done))


@router.post("/{invoice_id}/issue")
async def issue_invoice(
    request: Request, invoice_id: uuid.UUID, who: InvoicesWrite, db: SessionDep
) -> Response:
    """Issue a draft through the invoice service (number, frozen buyer, status sent)."""
    try:
        await invoice_service.issue(db, who, invoice_id)
    except (Invalid, Conflict) as exc:
        await undo(db, exc)
        return await _detail_page(
            request,
            who,
            db,
            invoice_id,
            errors={FORM: refusal(exc)},
            status_code=refusal(exc).status_code,
        )
    return see_other(f"/invoices/{invoice_id}?done=issued")


@router.post("/{invoice_id}/payments")
async def record_payment(
    request: Request, invoice_id: uuid.UUID, who: PaymentsWrite, db: SessionDep
) -> Response:
    """Book a payment through the payment service; amounts typed the locale's way."""
    fmt = formatter(who.locale)
    form = await form_data(request)
    raw = {k: v for k, v in form.items() if k in PAYMENT_FIELDS}
    data = blank_to_none(raw, keep=("amount",))
    errors: FieldErrors = {}
    try:
        data["amount"] = parse_decimal(raw.get("amount", ""), locale=fmt.babel_locale, strict=True)
    except NumberFormatError:
        errors["amount"] = fmt.gettext("Enter an amount like %(example)s.", example="1.234,56")
    parsed, schema_errors = parse(PaymentCreate, data, fmt)
    errors = {**schema_errors, **errors}
    if parsed is not None and not errors:
        try:
            await payment_service.create(
                db, who, invoice_id, parsed, form.get("idempotency_key") or None
            )
        except (Invalid, Conflict) as exc:
            await undo(db, exc)
            errors = domain_error(exc, PAYMENT_FIELDS)
        else:
            return see_other(f"/invoices/{invoice_id}?done=paid")
    return await _detail_page(
        request, who, db, invoice_id, errors=errors, values=raw, status_code=422
    )


LINE_FIELDS = ("description", "quantity", "unit", "unit_price", "vat_rate", "discount_percent")
DECIMAL_FIELDS = ("quantity", "unit_price", "discount_percent")
VAT_RATES = ("19", "7", "0")


@router.post("/{invoice_id}/lines")
async def add_line(
    request: Request, invoice_id: uuid.UUID, who: InvoicesWrite, db: SessionDep
) -> Response:
    """Append an item to a draft through the invoice service (totals recomputed there)."""
    fmt = formatter(who.locale)
    raw = {k: v for k, v in (await form_data(request)).items() if k in LINE_FIELDS}
    data: dict[str, Any] = blank_to_none(raw, keep=("description",))
    errors: FieldErrors = {}
    for name in DECIMAL_FIELDS:
        if data.get(name) is None:
            data.pop(name, None)
            continue
        try:
            data[name] = parse_decimal(data[name], locale=fmt.babel_locale, strict=True)
        except NumberFormatError:
            errors[name] = fmt.gettext("Enter a number like %(example)s.", example=fmt.number(1.5))
    parsed, schema_errors = parse(LineIn, data, fmt)
    errors = {**schema_errors, **errors}
    if parsed is not None and not errors:
        try:
            await invoice_service.add_line(db, who, invoice_id, parsed)
        except (Invalid, Conflict) as exc:
            await undo(db, exc)
            errors = domain_error(exc, LINE_FIELDS)
        else:
            return see_other(f"/invoices/{invoice_id}#items")
    return await _detail_page(
        request, who, db, invoice_id, line_errors=errors, line_values=raw, status_code=422
    )


@router.post("/{invoice_id}/lines/{line_id}/delete")
async def delete_line(
    request: Request,
    invoice_id: uuid.UUID,
    line_id: uuid.UUID,
    who: InvoicesWrite,
    db: SessionDep,
) -> Response:
    """Remove an item from a draft."""
    try:
        await invoice_service.delete_line(db, who, invoice_id, line_id)
    except (Invalid, Conflict) as exc:
        await undo(db, exc)
        return await _detail_page(
            request,
            who,
            db,
            invoice_id,
            errors={FORM: refusal(exc)},
            status_code=refusal(exc).status_code,
        )
    return see_other(f"/invoices/{invoice_id}#items")


@router.post("/{invoice_id}/credit-note")
async def credit_note(
    request: Request, invoice_id: uuid.UUID, who: InvoicesWrite, db: SessionDep
) -> Response:
    """Cancel an issued invoice by a credit note (GoBD: issued invoices are never deleted)."""
    try:
        note = await invoice_service.credit_note(db, who, invoice_id)
    except (Invalid, Conflict) as exc:
        await undo(db, exc)
        return await _detail_page(
            request,
            who,
            db,
            invoice_id,
            errors={FORM: refusal(exc)},
            status_code=refusal(exc).status_code,
        )
    return see_other(f"/invoices/{note.id}")


CREDIT_FREE = ("credit_description", "credit_amount", "credit_vat_rate")


@router.post("/{invoice_id}/credit-notes")
async def partial_credit_note(
    request: Request, invoice_id: uuid.UUID, who: InvoicesWrite, db: SessionDep
) -> Response:
    """Correct an issued invoice by a partial credit note: quantities of its lines and/or a
    free amount at one of its VAT rates; never more than the invoice still allows."""
    fmt = formatter(who.locale)
    form = await form_data(request)
    raw = {k: v for k, v in form.items() if k.startswith("qty-") or k.startswith("credit_")}
    errors: FieldErrors = {}
    lines: list[CreditLineIn] = []
    sources: list[str] = []  # the form field each credit line came from

    def number(name: str) -> Any:
        try:
            return parse_decimal(raw[name].strip(), locale=fmt.babel_locale, strict=True)
        except NumberFormatError:
            errors[name] = fmt.gettext("Enter an amount like %(example)s.", example="1.234,56")
            return None

    for name in sorted(k for k in raw if k.startswith("qty-") and raw[k].strip()):
        quantity = number(name)
        if quantity is None:
            continue
        parsed, line_errors = parse(
            CreditLineIn, {"line_id": name.removeprefix("qty-"), "quantity": quantity}, fmt
        )
        if parsed is None:
            errors[name] = next(iter(line_errors.values()))
        else:
            lines.append(parsed)
            sources.append(name)
    if any(raw.get(k, "").strip() for k in ("credit_description", "credit_amount")):
        amount = number("credit_amount") if raw.get("credit_amount", "").strip() else None
        free = {
            "description": raw.get("credit_description", "").strip() or None,
            "net_amount": amount,
            "vat_rate": raw.get("credit_vat_rate") or None,
        }
        parsed, line_errors = parse(CreditLineIn, free, fmt)
        if parsed is None:
            for key, value in line_errors.items():
                field = {"net_amount": "credit_amount", "vat_rate": "credit_vat_rate"}.get(
                    key, "credit_description"
                )
                errors.setdefault(field, value)
        elif "credit_amount" not in errors:
            lines.append(parsed)
            sources.append("credit_amount")
    if not lines and not errors:
        errors[FORM] = fmt.gettext("Enter a quantity to credit or an amount.")
    status_code = 422
    if not errors:
        data = PartialCreditCreate(lines=lines, reason=raw.get("credit_reason", "").strip() or None)
        try:
            note = await invoice_service.partial_credit_note(db, who, invoice_id, data)
        except (Invalid, Conflict) as exc:
            await undo(db, exc)
            err = refusal(exc)
            field = FORM
            if err.field and err.field.startswith("lines."):
                index = err.field.split(".")[1]
                field = sources[int(index)] if index.isdigit() else FORM
            errors = {field: err}
            status_code = err.status_code
        else:
            return see_other(f"/invoices/{note.id}")
    return await _detail_page(
        request,
        who,
        db,
        invoice_id,
        credit_errors=errors,
        credit_values=raw,
        status_code=status_code,
    )


PaymentsDelete = Annotated[Principal, Depends(require("payments", "delete"))]


@router.post("/{invoice_id}/payments/{payment_id}/delete")
async def remove_payment(
    invoice_id: uuid.UUID, payment_id: uuid.UUID, who: PaymentsDelete, db: SessionDep
) -> Response:
    """Correct a wrong payment by removing it (payments.delete); the invoice is open again."""
    await payment_service.delete(db, who, payment_id)
    return see_other(f"/invoices/{invoice_id}?done=payment_removed#payments")

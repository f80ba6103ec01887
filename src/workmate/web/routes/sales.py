"""Sales pages: the outbox (what was e-mailed, what waits, what failed) and sending an invoice
by e-mail or marking it sent by post. The same services as the API."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from workmate.auth.deps import require
from workmate.auth.principal import Principal
from workmate.db import SessionDep
from workmate.errors import WorkmateError
from workmate.invoices.sending import invoice_sending
from workmate.outbox.schemas import SendByEmail
from workmate.outbox.service import mail_server_configured, outbox_service
from workmate.pagination import PageParams
from workmate.web.catalogs import N_
from workmate.web.forms import FORM, REFUSALS, FieldErrors, domain_error, parse, refusal, translate
from workmate.web.i18n import formatter
from workmate.web.render import render
from workmate.web.routes.common import form_data, page_numbers, see_other, undo
from workmate.web.routes.timer import timer_context

router = APIRouter()

InvoicesRead = Annotated[Principal, Depends(require("invoices", "read"))]
InvoicesWrite = Annotated[Principal, Depends(require("invoices", "write"))]
PER_PAGE = 25
# Outbox states as a reader says them (shown translated).
STATE_NAMES = {
    "queued": N_("waiting"),
    "sent": N_("sent"),
    "failed": N_("delivery failed"),
    "cancelled": N_("withdrawn"),
}
STATES = tuple(STATE_NAMES)
SEND_FIELDS = ("to", "cc", "language")
# Outbox errors of our own, shown translated (the server's replies are shown as they are).
OUTBOX_ERRORS = (
    N_("no mail server configured"),
    N_("no sender address: set the company's contact e-mail in the settings"),
    N_("a draft cannot be sent; issue it first"),
    N_("the customer has no e-mail address; give one in `to`"),
    N_("the link is used, replaced or expired; the message was withdrawn"),
)


async def sending_context(
    db: AsyncSession, who: Principal, invoice_id: uuid.UUID
) -> dict[str, Any]:
    """What the invoice page shows about sending: messages, dispatches, the form's defaults."""
    from workmate.dunning.service import dunning_service
    from workmate.models import Invoice

    invoice = await db.get(Invoice, invoice_id)
    stopped = await dunning_service.stops(db, invoice) if invoice else (False, False)
    return {
        "dunning_stopped": stopped,
        "dunning_letters": await dunning_service.letters(db, invoice_id),
        "messages": await outbox_service.for_object(db, "invoice", invoice_id),
        "dispatches": await invoice_sending.dispatches(db, invoice_id),
        "mail_server": mail_server_configured(),
        "may_send": who.can("invoices", "write"),
        "state_names": STATE_NAMES,
        "letter_levels": LETTER_LEVELS,
    }


@router.get("/sales/outbox")
async def outbox_page(
    request: Request,
    who: InvoicesRead,
    db: SessionDep,
    state: Annotated[str, Query(max_length=20)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    done: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """Outgoing messages newest first with their state and last error; a banner when no mail
    server is configured."""
    chosen = state if state in STATES else None
    result = await outbox_service.list_messages(
        db, chosen, PageParams(limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
    )
    return render(
        request,
        "sales/outbox.html",
        who,
        timer=await timer_context(db, who),
        messages=result.items,
        mail_server=result.mail_server_configured,
        state=chosen or "",
        states=STATES,
        state_names=STATE_NAMES,
        may_send=who.can("invoices", "write"),
        done=done,
        paging=page_numbers(page, PER_PAGE, result.total),
    )


@router.post("/sales/outbox/{message_id}/send")
async def outbox_send_now(message_id: uuid.UUID, who: InvoicesWrite, db: SessionDep) -> Response:
    """Deliver a waiting or failed message now (the outbox service's rule)."""
    try:
        await outbox_service.send_now(db, who, message_id)
    except REFUSALS as exc:
        await undo(db, exc)
        return see_other("/sales/outbox?done=refused")
    return see_other("/sales/outbox?done=queued")


@router.post("/invoices/{invoice_id}/email")
async def email_invoice(
    request: Request, invoice_id: uuid.UUID, who: InvoicesWrite, db: SessionDep
) -> Response:
    """E-mail an issued invoice through the outbox; addresses separated by commas."""
    from workmate.web.routes.invoices import detail_page

    fmt = formatter(who.locale)
    raw = {k: v for k, v in (await form_data(request)).items() if k in SEND_FIELDS}
    data: dict[str, Any] = {
        "to": _addresses(raw.get("to", "")) or None,
        "cc": _addresses(raw.get("cc", "")),
        "language": raw.get("language") or None,
    }
    parsed, errors = parse(SendByEmail, data, fmt)
    if parsed is not None:
        try:
            await invoice_sending.send_by_email(db, who, invoice_id, parsed)
        except REFUSALS as exc:
            await undo(db, exc)
            errors = domain_error(exc, SEND_FIELDS)
        else:
            return see_other(f"/invoices/{invoice_id}?done=queued#sending")
    return await detail_page(
        request, who, db, invoice_id, send_errors=errors, send_values=raw, status_code=422
    )


@router.post("/invoices/{invoice_id}/posted")
async def invoice_posted(
    request: Request, invoice_id: uuid.UUID, who: InvoicesWrite, db: SessionDep
) -> Response:
    """Record that the issued invoice went out by post."""
    from workmate.web.routes.invoices import detail_page

    try:
        await invoice_sending.mark_sent_by_post(db, who, invoice_id)
    except REFUSALS as exc:
        await undo(db, exc)
        errors: FieldErrors = {FORM: refusal(exc)}
        return await detail_page(
            request, who, db, invoice_id, send_errors=errors, status_code=refusal(exc).status_code
        )
    return see_other(f"/invoices/{invoice_id}?done=posted#sending")


def _addresses(text: str) -> list[str]:
    return [a.strip() for a in text.replace(";", ",").split(",") if a.strip()]


# ---- quotes ----

QUOTE_STATES = {
    "draft": N_("draft"),
    "sent": N_("open"),
    "accepted": N_("accepted"),
    "declined": N_("declined"),
    "expired": N_("expired"),
}
LINE_FIELDS = ("description", "quantity", "unit_price", "vat_rate")
QUOTE_FIELDS = ("customer_id", "title", "valid_until", *LINE_FIELDS)
RECURRING_FIELDS = (
    "customer_id",
    "title",
    "interval",
    "first_date",
    "end_date",
    "mode",
    *LINE_FIELDS,
)
INTERVALS = {"monthly": N_("monthly"), "quarterly": N_("quarterly"), "yearly": N_("yearly")}
MODES = {
    "draft": N_("create a draft"),
    "issue": N_("issue"),
    "issue_and_send": N_("issue and e-mail"),
}
RECURRING_STATES = {"active": N_("active"), "paused": N_("paused"), "ended": N_("ended")}
LETTER_LEVELS = {
    1: N_("Payment reminder"),
    2: N_("First dunning letter"),
    3: N_("Second dunning letter"),
}


async def _customers(db: AsyncSession) -> list[tuple[str, str]]:
    from workmate.customers.service import customer_service

    items, _ = await customer_service.list(db, limit=200)
    return [(str(c.id), c.name) for c in items]


def _line(raw: dict[str, str], fmt: Any) -> tuple[dict[str, Any], FieldErrors]:
    """One item from a form, numbers typed the locale's way."""
    from babel.numbers import NumberFormatError, parse_decimal

    line: dict[str, Any] = {
        "description": raw.get("description", ""),
        "vat_rate": raw.get("vat_rate") or "19",
    }
    errors: FieldErrors = {}
    for name in ("quantity", "unit_price"):
        try:
            line[name] = parse_decimal(raw.get(name, ""), locale=fmt.babel_locale, strict=True)
        except NumberFormatError:
            errors[name] = fmt.gettext("Enter a number like %(example)s.", example=fmt.number(1.5))
    return line, errors


@router.get("/sales/quotes")
async def quotes_page(
    request: Request,
    who: InvoicesRead,
    db: SessionDep,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """Quotes newest first with their state; a form for a new draft."""
    return await _quotes_page(request, who, db, page)


async def _quotes_page(
    request: Request,
    who: Principal,
    db: AsyncSession,
    page: int,
    *,
    errors: FieldErrors | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    from workmate.quotes.service import quote_service

    result = await quote_service.list_quotes(
        db, None, PageParams(limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
    )
    return render(
        request,
        "sales/quotes.html",
        who,
        status_code=status_code,
        timer=await timer_context(db, who),
        quotes=result.items,
        names=dict(await _customers(db)),
        customers=await _customers(db),
        states=QUOTE_STATES,
        errors=errors or {},
        values=values or {"quantity": "1", "vat_rate": "19"},
        vat_rates=[("19", "19 %"), ("7", "7 %"), ("0", "0 %")],
        paging=page_numbers(page, PER_PAGE, result.total),
    )


@router.post("/sales/quotes")
async def create_quote_page(request: Request, who: InvoicesWrite, db: SessionDep) -> Response:
    """A draft quote with its first item (the quote service's rules)."""
    from workmate.quotes.schemas import QuoteCreate
    from workmate.quotes.service import quote_service

    fmt = formatter(who.locale)
    raw = {k: v for k, v in (await form_data(request)).items() if k in QUOTE_FIELDS}
    line, errors = _line(raw, fmt)
    data = {
        "customer_id": raw.get("customer_id") or None,
        "title": raw.get("title") or None,
        "valid_until": raw.get("valid_until") or None,
        "lines": [line],
    }
    parsed, schema_errors = parse(QuoteCreate, data, fmt)
    errors = {**schema_errors, **errors}
    if "lines" in errors:
        errors[FORM] = errors.pop("lines")
    if parsed is not None and not errors:
        try:
            quote = await quote_service.create(db, who, parsed)
        except REFUSALS as exc:
            await undo(db, exc)
            errors = domain_error(exc, QUOTE_FIELDS)
        else:
            return see_other(f"/sales/quotes/{quote.id}")
    return await _quotes_page(request, who, db, 1, errors=errors, values=raw, status_code=422)


@router.get("/sales/quotes/{quote_id}")
async def quote_page(
    request: Request,
    quote_id: uuid.UUID,
    who: InvoicesRead,
    db: SessionDep,
    error: Annotated[str, Query(max_length=500)] = "",
) -> Response:
    """One quote: items, totals, state, the invoices billing it and what can be done next."""
    from workmate.customers.service import customer_service
    from workmate.invoices.repository import ListFilter
    from workmate.invoices.service import invoice_service
    from workmate.quotes.service import quote_service

    quote = await quote_service.get(db, quote_id)
    # The billing invoices in one listing (not one read per invoice), oldest first.
    billing = await invoice_service.list_invoices(
        db, ListFilter(quote_id=quote_id), PageParams(limit=100, offset=0)
    )
    names = await customer_service.names(db, [quote.customer_id])
    return render(
        request,
        "sales/quote.html",
        who,
        timer=await timer_context(db, who),
        q=quote,
        customer_name=names.get(quote.customer_id, ""),
        invoices=list(reversed(billing.items)),
        messages=await outbox_service.for_object(db, "quote", quote_id),
        states=QUOTE_STATES,
        state_names=STATE_NAMES,
        may_write=who.can("invoices", "write"),
        error=error,
    )


@router.post("/sales/quotes/{quote_id}/{action}")
async def quote_action(
    request: Request, quote_id: uuid.UUID, action: str, who: InvoicesWrite, db: SessionDep
) -> Response:
    """Issue, accept, decline, e-mail, or bill a quote (invoice, down payments, final)."""
    from workmate.quotes.billing import quote_billing
    from workmate.quotes.flows import quote_flows
    from workmate.quotes.schemas import DownPayments, ToInvoice
    from workmate.quotes.service import quote_service

    form = await form_data(request)
    target = f"/sales/quotes/{quote_id}"
    try:
        if action == "issue":
            await quote_service.issue(db, who, quote_id)
        elif action in ("accept", "decline"):
            decision = {"accept": "accepted", "decline": "declined"}[action]
            await quote_service.decide(db, who, quote_id, decision)
        elif action == "email":
            await quote_flows.send_by_email(db, who, quote_id, SendByEmail())
        elif action == "invoice":
            created = await quote_billing.to_invoice(db, who, quote_id, ToInvoice())
            target = f"/invoices/{created.id}"
        elif action == "down-payment":
            share = form.get("share", "").replace(",", ".").strip() or "0"
            parsed, errors = parse(DownPayments, {"shares": [share]}, formatter(who.locale))
            if parsed is None:
                return see_other(f"{target}?error={next(iter(errors.values()))}")
            await quote_billing.down_payments(db, who, quote_id, parsed)
        elif action == "final":
            created = await quote_billing.final_invoice(db, who, quote_id)
            target = f"/invoices/{created.id}"
        else:
            raise NotFoundPage()
    except REFUSALS as exc:
        await undo(db, exc)
        from urllib.parse import quote as urlquote

        message = translate(refusal(exc), formatter(who.locale))
        return see_other(f"{target}?error={urlquote(message)}")
    return see_other(target)


class NotFoundPage(WorkmateError):
    status_code = 404

    def __init__(self) -> None:
        super().__init__("no such action")


# ---- recurring invoices ----


@router.get("/sales/recurring")
async def recurring_page(request: Request, who: InvoicesRead, db: SessionDep) -> Response:
    """Recurring invoices with their next period, and a form for a new one."""
    return await _recurring_page(request, who, db)


async def _recurring_page(
    request: Request,
    who: Principal,
    db: AsyncSession,
    *,
    errors: FieldErrors | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    from workmate.recurring.service import recurring_service

    result = await recurring_service.list_templates(db, PageParams(limit=100, offset=0))
    return render(
        request,
        "sales/recurring.html",
        who,
        status_code=status_code,
        timer=await timer_context(db, who),
        templates=result.items,
        names=dict(await _customers(db)),
        customers=await _customers(db),
        intervals=INTERVALS,
        modes=MODES,
        interval_options=[(k, formatter(who.locale).gettext(v)) for k, v in INTERVALS.items()],
        mode_options=[(k, formatter(who.locale).gettext(v)) for k, v in MODES.items()],
        states=RECURRING_STATES,
        errors=errors or {},
        values=values or {"quantity": "1", "vat_rate": "19", "interval": "monthly"},
        vat_rates=[("19", "19 %"), ("7", "7 %"), ("0", "0 %")],
        may_write=who.can("invoices", "write"),
    )


@router.post("/sales/recurring")
async def create_recurring_page(request: Request, who: InvoicesWrite, db: SessionDep) -> Response:
    """A recurring invoice with its first item (the recurring service's rules)."""
    from workmate.recurring.schemas import RecurringCreate
    from workmate.recurring.service import recurring_service

    fmt = formatter(who.locale)
    raw = {k: v for k, v in (await form_data(request)).items() if k in RECURRING_FIELDS}
    line, errors = _line(raw, fmt)
    data = {
        **{k: (raw.get(k) or None) for k in RECURRING_FIELDS if k not in LINE_FIELDS},
        "lines": [line],
    }
    data["mode"] = data.get("mode") or "draft"
    parsed, schema_errors = parse(RecurringCreate, data, fmt)
    errors = {**schema_errors, **errors}
    if "lines" in errors:
        errors[FORM] = errors.pop("lines")
    if parsed is not None and not errors:
        try:
            await recurring_service.create(db, who, parsed)
        except REFUSALS as exc:
            await undo(db, exc)
            errors = domain_error(exc, RECURRING_FIELDS)
        else:
            return see_other("/sales/recurring")
    return await _recurring_page(request, who, db, errors=errors, values=raw, status_code=422)


@router.post("/sales/recurring/{template_id}/{action}")
async def recurring_action(
    template_id: uuid.UUID, action: str, who: InvoicesWrite, db: SessionDep
) -> Response:
    """Pause, resume or end a recurring invoice."""
    from workmate.recurring.service import recurring_service

    status = {"pause": "paused", "resume": "active", "end": "ended"}.get(action)
    if status is None:
        raise NotFoundPage()
    try:
        await recurring_service.set_status(db, who, template_id, status)
    except REFUSALS as exc:
        await undo(db, exc)
    return see_other("/sales/recurring")


# ---- dunning ----


@router.get("/sales/dunning")
async def dunning_page(
    request: Request,
    who: InvoicesRead,
    db: SessionDep,
    done: Annotated[int | None, Query(ge=0, le=10_000)] = None,
) -> Response:
    """The dunning run: the letters due with their claims, to deselect, e-mail or print;
    the letters written so far."""
    return await _dunning_page(request, who, db, done=done)


async def _dunning_page(
    request: Request,
    who: Principal,
    db: AsyncSession,
    *,
    done: int | None = None,
    error: str | WorkmateError | None = None,
    status_code: int = 200,
) -> Response:
    from workmate.dunning.service import dunning_service

    try:
        proposals = await dunning_service.proposals(db)
    except REFUSALS as exc:
        proposals = []
        error = refusal(exc)
    return render(
        request,
        "sales/dunning.html",
        who,
        status_code=status_code,
        timer=await timer_context(db, who),
        proposals=proposals,
        letters=await dunning_service.letters(db),
        levels=LETTER_LEVELS,
        done=done,
        error=error,
        may_write=who.can("invoices", "write"),
    )


@router.post("/sales/dunning")
async def dunning_run_page(request: Request, who: InvoicesWrite, db: SessionDep) -> Response:
    """Write the chosen letters; e-mail them through the outbox or leave them to print."""
    from workmate.dunning.schemas import RunRequest
    from workmate.dunning.service import dunning_service

    form = await request.form()
    ids = [str(v) for v in form.getlist("invoice_id")]
    channel = str(form.get("channel") or "email")
    parsed, errors = parse(
        RunRequest, {"invoice_ids": ids, "channel": channel}, formatter(who.locale)
    )
    if parsed is None:
        return await _dunning_page(
            request, who, db, error=next(iter(errors.values())), status_code=422
        )
    try:
        letters = await dunning_service.run(db, who, parsed)
    except REFUSALS as exc:
        await undo(db, exc)
        return await _dunning_page(
            request, who, db, error=refusal(exc), status_code=refusal(exc).status_code
        )
    return see_other(f"/sales/dunning?done={len(letters)}")


@router.post("/invoices/{invoice_id}/dunning-stop/{target}/{state}")
async def invoice_dunning_stop(
    invoice_id: uuid.UUID, target: str, state: str, who: InvoicesWrite, db: SessionDep
) -> Response:
    """Stop or allow dunning letters for this invoice or for its customer."""
    from workmate.dunning.service import dunning_service
    from workmate.models import Invoice

    invoice = await db.get(Invoice, invoice_id)
    if invoice is None or target not in ("invoice", "customer") or state not in ("on", "off"):
        raise NotFoundPage()
    await dunning_service.set_block(
        db,
        who,
        invoice_id=invoice.id if target == "invoice" else None,
        customer_id=invoice.customer_id if target == "customer" else None,
        stop=state == "on",
    )
    return see_other(f"/invoices/{invoice_id}#sending")


# ---- mail templates ----

PURPOSES = {"invoice": N_("Invoice"), "quote": N_("Quote"), "dunning": N_("Dunning")}


@router.get("/sales/templates")
async def templates_page(
    request: Request,
    who: InvoicesRead,
    db: SessionDep,
    saved: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """The company's e-mail texts per purpose and language, with their placeholders."""
    return await _templates_page(request, who, db, saved=saved)


async def _templates_page(
    request: Request,
    who: Principal,
    db: AsyncSession,
    *,
    saved: str = "",
    errors: dict[str, FieldErrors] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "sales/templates.html",
        who,
        status_code=status_code,
        timer=await timer_context(db, who),
        texts=await outbox_service.templates(db),
        purposes=PURPOSES,
        saved=saved,
        errors=errors or {},
        may_write=who.can("invoices", "write"),
    )


@router.post("/sales/templates/{purpose}/{language}")
async def save_template_page(
    request: Request, purpose: str, language: str, who: InvoicesWrite, db: SessionDep
) -> Response:
    """Store the company's text (only the purpose's placeholders are accepted)."""
    from workmate.outbox.schemas import TemplateWrite

    fmt = formatter(who.locale)
    raw = {k: v for k, v in (await form_data(request)).items() if k in ("subject", "body")}
    parsed, errors = parse(TemplateWrite, raw, fmt)
    if parsed is not None:
        try:
            await outbox_service.save_template(db, who, purpose, language, parsed)
        except REFUSALS as exc:
            await undo(db, exc)
            errors = domain_error(exc, ("subject", "body"))
        else:
            return see_other(f"/sales/templates?saved={purpose}-{language}")
    return await _templates_page(
        request, who, db, errors={f"{purpose}-{language}": errors}, status_code=422
    )

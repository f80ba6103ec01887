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
from workmate.web.forms import FORM, FieldErrors, domain_error, parse
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
)


async def sending_context(
    db: AsyncSession, who: Principal, invoice_id: uuid.UUID
) -> dict[str, Any]:
    """What the invoice page shows about sending: messages, dispatches, the form's defaults."""
    return {
        "messages": await outbox_service.for_object(db, "invoice", invoice_id),
        "dispatches": await invoice_sending.dispatches(db, invoice_id),
        "mail_server": mail_server_configured(),
        "may_send": who.can("invoices", "write"),
        "state_names": STATE_NAMES,
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
    except WorkmateError as exc:
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
        except WorkmateError as exc:
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
    except WorkmateError as exc:
        await undo(db, exc)
        errors: FieldErrors = {FORM: exc.detail}
        return await detail_page(
            request, who, db, invoice_id, send_errors=errors, status_code=exc.status_code
        )
    return see_other(f"/invoices/{invoice_id}?done=posted#sending")


def _addresses(text: str) -> list[str]:
    return [a.strip() for a in text.replace(";", ",").split(",") if a.strip()]

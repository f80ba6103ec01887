"""HTTP routes of the outbox, the mail templates and sending invoices."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from workmate.db import SessionDep
from workmate.invoices.auth import InvoicesRead, InvoicesWrite
from workmate.invoices.sending import invoice_sending
from workmate.outbox.schemas import (
    DispatchRead,
    MessageRead,
    OutboxPage,
    SendByEmail,
    TemplateRead,
    TemplateWrite,
)
from workmate.outbox.service import outbox_service
from workmate.pagination import Paging

router = APIRouter(tags=["outbox"])

StateFilter = Literal["queued", "sent", "failed", "cancelled"]
Purpose = Annotated[Literal["invoice", "quote", "dunning"], Path()]
Language = Annotated[Literal["de", "en"], Path()]


@router.post("/invoices/{invoice_id}/send", response_model=MessageRead)
async def send_invoice(
    invoice_id: uuid.UUID, data: SendByEmail, who: InvoicesWrite, db: SessionDep
) -> MessageRead:
    """E-mail an issued invoice (PDF/A-3 with XML; the XML alone too if the customer wants
    it); while a message is queued or after one was sent, that message is the answer."""
    return await invoice_sending.send_by_email(db, who, invoice_id, data)


@router.post("/invoices/{invoice_id}/sent-by-post", response_model=DispatchRead, status_code=201)
async def invoice_sent_by_post(
    invoice_id: uuid.UUID, who: InvoicesWrite, db: SessionDep
) -> DispatchRead:
    """Record that an issued invoice was sent by post; it then counts as sent."""
    return await invoice_sending.mark_sent_by_post(db, who, invoice_id)


@router.get("/invoices/{invoice_id}/dispatches", response_model=list[DispatchRead])
async def invoice_dispatches(
    invoice_id: uuid.UUID, who: InvoicesRead, db: SessionDep
) -> list[DispatchRead]:
    """How an invoice reached its customer: e-mails accepted by the server, post."""
    return await invoice_sending.dispatches(db, invoice_id)


@router.get("/invoices/{invoice_id}/messages", response_model=list[MessageRead])
async def invoice_messages(
    invoice_id: uuid.UUID, who: InvoicesRead, db: SessionDep
) -> list[MessageRead]:
    """The outbox messages of an invoice, newest first, with their delivery state."""
    return await outbox_service.for_object(db, "invoice", invoice_id)


@router.get("/outbox", response_model=OutboxPage)
async def list_outbox(
    who: InvoicesRead,
    db: SessionDep,
    paging: Paging,
    state: Annotated[StateFilter | None, Query()] = None,
) -> OutboxPage:
    """Outgoing messages newest first; says whether a mail server is configured."""
    return await outbox_service.list_messages(db, state, paging)


@router.get("/outbox/{message_id}", response_model=MessageRead)
async def get_message(message_id: uuid.UUID, who: InvoicesRead, db: SessionDep) -> MessageRead:
    """One outgoing message with its attachments and its last error."""
    return await outbox_service.get(db, message_id)


@router.post("/outbox/{message_id}/send", response_model=MessageRead)
async def send_message_now(
    message_id: uuid.UUID, who: InvoicesWrite, db: SessionDep
) -> MessageRead:
    """Deliver a waiting message now, or a failed one again with fresh attempts."""
    return await outbox_service.send_now(db, who, message_id)


@router.post("/outbox/{message_id}/cancel", response_model=MessageRead)
async def cancel_message(message_id: uuid.UUID, who: InvoicesWrite, db: SessionDep) -> MessageRead:
    """Withdraw a message that was not sent yet."""
    return await outbox_service.cancel(db, who, message_id)


@router.get("/mail-templates", response_model=list[TemplateRead])
async def list_templates(who: InvoicesRead, db: SessionDep) -> list[TemplateRead]:
    """The e-mail texts per purpose and language (the company's or the built-in ones)."""
    return await outbox_service.templates(db)


@router.put("/mail-templates/{purpose}/{language}", response_model=TemplateRead)
async def save_template(
    purpose: Purpose, language: Language, data: TemplateWrite, who: InvoicesWrite, db: SessionDep
) -> TemplateRead:
    """Store the company's text; only the purpose's placeholders are allowed."""
    return await outbox_service.save_template(db, who, purpose, language, data)

"""HTTP routes for quotes and billing them."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from workmate.db import SessionDep
from workmate.invoices.auth import InvoicesDelete, InvoicesRead, InvoicesWrite
from workmate.invoices.schemas import InvoiceRead
from workmate.outbox.schemas import MessageRead, SendByEmail
from workmate.pagination import Page, Paging
from workmate.quotes.billing import quote_billing
from workmate.quotes.flows import quote_flows
from workmate.quotes.schemas import (
    DownPayments,
    QuoteCreate,
    QuoteRead,
    QuoteSummary,
    QuoteUpdate,
    ToInvoice,
)
from workmate.quotes.service import quote_service

router = APIRouter(prefix="/quotes", tags=["quotes"])

StatusFilter = Literal["draft", "sent", "accepted", "declined", "expired"]


@router.get("", response_model=Page[QuoteSummary])
async def list_quotes(
    who: InvoicesRead,
    db: SessionDep,
    paging: Paging,
    status: Annotated[StatusFilter | None, Query()] = None,
) -> Page[QuoteSummary]:
    """Quotes newest first; 'expired' includes sent ones past their validity date."""
    return await quote_service.list_quotes(db, status, paging)


@router.post("", response_model=QuoteRead, status_code=201)
async def create_quote(data: QuoteCreate, who: InvoicesWrite, db: SessionDep) -> QuoteRead:
    """A draft quote; totals computed from its lines."""
    return await quote_service.create(db, who, data)


@router.get("/{quote_id}", response_model=QuoteRead)
async def get_quote(quote_id: uuid.UUID, who: InvoicesRead, db: SessionDep) -> QuoteRead:
    """One quote with its lines and the invoices that bill it."""
    return await quote_service.get(db, quote_id)


@router.patch("/{quote_id}", response_model=QuoteRead)
async def update_quote(
    quote_id: uuid.UUID, data: QuoteUpdate, who: InvoicesWrite, db: SessionDep
) -> QuoteRead:
    """Change a draft; `lines` replaces all lines; 409 once issued."""
    return await quote_service.update(db, who, quote_id, data)


@router.delete("/{quote_id}", status_code=204)
async def delete_quote(quote_id: uuid.UUID, who: InvoicesDelete, db: SessionDep) -> Response:
    """Delete a draft quote; issued quotes are kept."""
    await quote_service.delete(db, who, quote_id)
    return Response(status_code=204)


@router.post("/{quote_id}/issue", response_model=QuoteRead)
async def issue_quote(quote_id: uuid.UUID, who: InvoicesWrite, db: SessionDep) -> QuoteRead:
    """Give the draft the next gapless quote number; it is then sent (open) until decided."""
    return await quote_service.issue(db, who, quote_id)


@router.post("/{quote_id}/accept", response_model=QuoteRead)
async def accept_quote(quote_id: uuid.UUID, who: InvoicesWrite, db: SessionDep) -> QuoteRead:
    """The customer accepted a sent quote (not an expired one)."""
    return await quote_service.decide(db, who, quote_id, "accepted")


@router.post("/{quote_id}/decline", response_model=QuoteRead)
async def decline_quote(quote_id: uuid.UUID, who: InvoicesWrite, db: SessionDep) -> QuoteRead:
    """The customer declined a sent quote."""
    return await quote_service.decide(db, who, quote_id, "declined")


@router.get("/{quote_id}/pdf")
async def quote_pdf(quote_id: uuid.UUID, who: InvoicesRead, db: SessionDep) -> Response:
    """The issued quote as PDF (stored once, the same bytes afterwards)."""
    filename, data = await quote_flows.pdf(db, quote_id)
    return Response(
        data,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.post("/{quote_id}/send", response_model=MessageRead)
async def send_quote(
    quote_id: uuid.UUID, data: SendByEmail, who: InvoicesWrite, db: SessionDep
) -> MessageRead:
    """E-mail the quote's PDF through the outbox (a queued or sent message is the answer)."""
    return await quote_flows.send_by_email(db, who, quote_id, data)


@router.post("/{quote_id}/invoice", response_model=InvoiceRead, status_code=201)
async def quote_to_invoice(
    quote_id: uuid.UUID, data: ToInvoice, who: InvoicesWrite, db: SessionDep
) -> InvoiceRead:
    """A draft invoice from an accepted quote: all lines or the chosen ones."""
    return await quote_billing.to_invoice(db, who, quote_id, data)


@router.post("/{quote_id}/down-payments", response_model=list[InvoiceRead], status_code=201)
async def quote_down_payments(
    quote_id: uuid.UUID, data: DownPayments, who: InvoicesWrite, db: SessionDep
) -> list[InvoiceRead]:
    """Draft down-payment invoices, each a share (%) of the accepted quote's net per rate."""
    return await quote_billing.down_payments(db, who, quote_id, data)


@router.post("/{quote_id}/final-invoice", response_model=InvoiceRead, status_code=201)
async def quote_final_invoice(
    quote_id: uuid.UUID, who: InvoicesWrite, db: SessionDep
) -> InvoiceRead:
    """The draft final invoice: the whole quote less the issued down payments."""
    return await quote_billing.final_invoice(db, who, quote_id)

"""HTTP routes for invoices (thin: validate, call the service, shape the answer)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from workmate.db import SessionDep, read_only
from workmate.invoices.auth import InvoicesDelete, InvoicesRead, InvoicesWrite
from workmate.invoices.repository import ListFilter
from workmate.invoices.schemas import (
    DunningRead,
    FromTimeEntries,
    InvoiceCreate,
    InvoiceRead,
    InvoiceSummary,
    InvoiceUpdate,
    LineIn,
    LineUpdate,
    PartialCreditCreate,
    Statistics,
)
from workmate.invoices.service import invoice_service
from workmate.pagination import Page, Paging
from workmate.reads import ReaderDep, json_response, page_response

router = APIRouter(prefix="/invoices", tags=["invoices"])

StatusFilter = Literal["draft", "sent", "open", "overdue", "paid", "cancelled"]


@router.get("", response_model=Page[InvoiceSummary])
@read_only
async def list_invoices(
    who: InvoicesRead,
    db: SessionDep,
    paging: Paging,
    status: Annotated[StatusFilter | None, Query(description="'open' = sent or overdue")] = None,
    kind: Annotated[Literal["invoice", "credit_note"] | None, Query()] = None,
    customer_id: uuid.UUID | None = None,
    project_id: uuid.UUID | None = None,
    issued_from: date | None = None,
    issued_to: date | None = None,
    number: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    """Invoices, newest first; status 'overdue' means past due and unpaid, stored or not."""
    filters = ListFilter(
        status=status,
        kind=kind,
        customer_id=customer_id,
        project_id=project_id,
        issued_from=issued_from,
        issued_to=issued_to,
        number=number,
    )
    items, total = await invoice_service.list_invoices_json(db, filters, paging)
    return page_response(items, total, paging)


@router.get("/statistics", response_model=Statistics)
async def invoice_statistics(
    who: InvoicesRead,
    db: SessionDep,
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
) -> Statistics:
    """Revenue per month (issued and paid), open and overdue receivables, days to pay, top
    customers."""
    return await invoice_service.statistics(db, start, end)


@router.post("", response_model=InvoiceRead, status_code=201)
async def create_invoice(data: InvoiceCreate, who: InvoicesWrite, db: SessionDep) -> InvoiceRead:
    """Create a draft invoice with its lines; totals are computed, never sent by the client."""
    return await invoice_service.create(db, who, data)


@router.post("/from-time-entries", response_model=InvoiceRead, status_code=201)
async def invoice_from_time_entries(
    data: FromTimeEntries, who: InvoicesWrite, db: SessionDep
) -> InvoiceRead:
    """Draft from uninvoiced billable time in a period; the entries are bound to it at once."""
    return await invoice_service.from_time_entries(db, who, data)


@router.get("/{invoice_id}", response_model=InvoiceRead)
@read_only
async def get_invoice(invoice_id: uuid.UUID, who: InvoicesRead, reader: ReaderDep) -> Response:
    """One invoice with lines, VAT per rate, paid and open amount."""
    return json_response(await invoice_service.get_json(reader, invoice_id))


@router.patch("/{invoice_id}", response_model=InvoiceRead)
async def update_invoice(
    invoice_id: uuid.UUID, data: InvoiceUpdate, who: InvoicesWrite, db: SessionDep
) -> InvoiceRead:
    """Change a draft; an issued invoice is 409 (cancel it with a credit note)."""
    return await invoice_service.update(db, who, invoice_id, data)


@router.delete("/{invoice_id}", status_code=204)
async def delete_invoice(invoice_id: uuid.UUID, who: InvoicesDelete, db: SessionDep) -> Response:
    """Delete a draft; issued invoices are never deleted (409)."""
    await invoice_service.delete(db, who, invoice_id)
    return Response(status_code=204)


@router.post("/{invoice_id}/lines", response_model=InvoiceRead, status_code=201)
async def add_invoice_line(
    invoice_id: uuid.UUID, data: LineIn, who: InvoicesWrite, db: SessionDep
) -> InvoiceRead:
    """Append a line to a draft."""
    return await invoice_service.add_line(db, who, invoice_id, data)


@router.patch("/{invoice_id}/lines/{line_id}", response_model=InvoiceRead)
async def update_invoice_line(
    invoice_id: uuid.UUID, line_id: uuid.UUID, data: LineUpdate, who: InvoicesWrite, db: SessionDep
) -> InvoiceRead:
    """Change a line of a draft."""
    return await invoice_service.update_line(db, who, invoice_id, line_id, data)


@router.delete("/{invoice_id}/lines/{line_id}", response_model=InvoiceRead)
async def delete_invoice_line(
    invoice_id: uuid.UUID, line_id: uuid.UUID, who: InvoicesWrite, db: SessionDep
) -> InvoiceRead:
    """Remove a line of a draft."""
    return await invoice_service.delete_line(db, who, invoice_id, line_id)


@router.post("/{invoice_id}/issue", response_model=InvoiceRead)
async def issue_invoice(invoice_id: uuid.UUID, who: InvoicesWrite, db: SessionDep) -> InvoiceRead:
    """Issue a draft: §14 UStG checks, the next gapless number, buyer data frozen."""
    return await invoice_service.issue(db, who, invoice_id)


@router.post("/{invoice_id}/credit-note", response_model=InvoiceRead, status_code=201)
async def cancel_with_credit_note(
    invoice_id: uuid.UUID, who: InvoicesWrite, db: SessionDep
) -> InvoiceRead:
    """Cancel an issued invoice by a credit note (own number, same lines, references it);
    refused once partial credit notes exist (credit the remainder partially instead)."""
    return await invoice_service.credit_note(db, who, invoice_id)


@router.post("/{invoice_id}/credit-notes", response_model=InvoiceRead, status_code=201)
async def partial_credit_note(
    invoice_id: uuid.UUID, data: PartialCreditCreate, who: InvoicesWrite, db: SessionDep
) -> InvoiceRead:
    """Correct an issued invoice by a partial credit note (chosen lines or amounts); all
    partial credit notes together never exceed the invoice's total."""
    return await invoice_service.partial_credit_note(db, who, invoice_id, data)


@router.get("/{invoice_id}/dunning", response_model=DunningRead)
async def invoice_dunning(invoice_id: uuid.UUID, who: InvoicesRead, db: SessionDep) -> DunningRead:
    """Dunning levels of an invoice: reached or not, from when, with fees."""
    return await invoice_service.dunning(db, invoice_id)

"""HTTP routes for purchases: received invoices, suppliers, supplier bills, payments, VAT."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response, status
from fastapi.responses import StreamingResponse

from workmate.customers.auth import CrmWrite
from workmate.db import SessionDep
from workmate.documents.endpoints import content_disposition
from workmate.documents.storage import Storage, storage_dependency
from workmate.pagination import Page, Paging
from workmate.purchases.archive import archive_service, chunks
from workmate.purchases.auth import (
    PurchasesDelete,
    PurchasesRead,
    PurchasesSubmit,
    PurchasesUpload,
    PurchasesWrite,
)
from workmate.purchases.bills import BillFilter, bill_service
from workmate.purchases.jobs import defer_rechecks
from workmate.purchases.ruleset import version_label, versions
from workmate.purchases.schemas import (
    BillCreate,
    BillRead,
    BillUpdate,
    IncomingInvoiceDetail,
    IncomingInvoiceRead,
    PaymentCreate,
    PaymentRead,
    SupplierCreate,
    SupplierRead,
    SupplierUpdate,
    VatReport,
)
from workmate.purchases.service import incoming_service
from workmate.purchases.suppliers import supplier_service
from workmate.purchases.vat import vat_service

router = APIRouter(tags=["purchases"])
StorageDep = Annotated[Storage, Depends(storage_dependency)]
# The received bytes are served as they are, never rendered by the browser.
RAW_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'; sandbox",
}
UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "book": {"type": "boolean"},
                        "category": {"type": "string"},
                        "project_id": {"type": "string", "format": "uuid"},
                        "note": {"type": "string"},
                    },
                }
            }
        },
    }
}


@router.post(
    "/incoming-invoices",
    status_code=status.HTTP_201_CREATED,
    response_model=IncomingInvoiceDetail,
    openapi_extra=UPLOAD_BODY,
)
async def receive_invoice(
    request: Request, upload: PurchasesUpload, db: SessionDep, storage: StorageDep
) -> IncomingInvoiceDetail:
    """Receive one supplier invoice or receipt (multipart field `file`: CII/UBL XML or PDF):
    checked by the official rules, kept unchanged, booked as a supplier bill for callers with
    purchases.write (`book=false` to only receive). Same file again or same supplier invoice
    number: 409 naming the first; unsafe or unreadable: 4xx, nothing stored."""
    data, name, fields = await incoming_service.read_upload(
        upload.body,
        request.headers.get("content-type"),
        request.headers.get("content-length"),
    )
    return await incoming_service.receive(db, upload.who, storage, data, name, fields)


@router.get("/incoming-invoices", response_model=Page[IncomingInvoiceRead])
async def list_incoming(
    who: PurchasesSubmit,
    db: SessionDep,
    paging: Paging,
    status_: Annotated[
        Literal["valid", "invalid", "not_einvoice"] | None, Query(alias="status")
    ] = None,
    booked: bool | None = None,
) -> Page[IncomingInvoiceRead]:
    """Received files, newest first; without purchases.read only the caller's own."""
    return await incoming_service.list_incoming(db, who, paging, status=status_, booked=booked)


@router.get("/incoming-invoices/archive", response_class=StreamingResponse)
async def archive(
    who: PurchasesRead,
    db: SessionDep,
    storage: StorageDep,
    start: Annotated[date, Query(alias="from", description="First day of receipt")],
    end: Annotated[date, Query(alias="to", description="Last day of receipt")],
) -> StreamingResponse:
    """A ZIP of every original received in the period with MANIFEST.csv and SHA256SUMS."""
    handle, size = await archive_service.export(db, storage, start, end)
    name = f"Eingangsrechnungen_{start:%Y%m%d}_{end:%Y%m%d}.zip"
    return StreamingResponse(
        chunks(handle),
        media_type="application/zip",
        headers={
            "Content-Disposition": content_disposition(name),
            "Content-Length": str(size),
            **RAW_HEADERS,
        },
    )


@router.get("/incoming-invoices/rules")
async def rules(who: PurchasesSubmit) -> dict[str, Any]:
    """The official rule sets received invoices are checked with, and their versions."""
    return {"label": version_label(), "rule_sets": versions()}


@router.post("/incoming-invoices/recheck", status_code=status.HTTP_202_ACCEPTED)
async def recheck_all(who: PurchasesWrite, db: SessionDep) -> dict[str, int]:
    """After a rules update: queue a new check of every e-invoice checked with older rules."""
    return {"queued": await defer_rechecks(db)}


@router.get("/incoming-invoices/{incoming_id}", response_model=IncomingInvoiceDetail)
async def get_incoming(
    incoming_id: uuid.UUID, who: PurchasesSubmit, db: SessionDep
) -> IncomingInvoiceDetail:
    """A received file: every finding with rule id, German meaning and location, the invoice
    as read, and a reply to the supplier (German, English) when something is wrong."""
    return await incoming_service.get(db, who, incoming_id)


@router.get("/incoming-invoices/{incoming_id}/original", response_class=Response)
async def download_original(
    incoming_id: uuid.UUID, who: PurchasesSubmit, db: SessionDep, storage: StorageDep
) -> Response:
    """The file exactly as received (SHA-256 re-checked), as an attachment."""
    row, data = await incoming_service.original(db, who, storage, incoming_id)
    media = "application/pdf" if row.kind == "pdf" else "application/xml"
    return Response(
        data,
        media_type=media,
        headers={"Content-Disposition": content_disposition(row.original_filename), **RAW_HEADERS},
    )


@router.get("/incoming-invoices/{incoming_id}/xml", response_class=Response)
async def invoice_xml(
    incoming_id: uuid.UUID, who: PurchasesSubmit, db: SessionDep, storage: StorageDep
) -> Response:
    """The invoice XML (for a PDF: its attachment), shown as plain text, never rendered."""
    _, xml = await incoming_service.invoice_xml(db, who, storage, incoming_id)
    return Response(xml, media_type="text/plain; charset=utf-8", headers=RAW_HEADERS)


@router.get("/incoming-invoices/{incoming_id}/attachments/{index}", response_class=Response)
async def embedded_attachment(
    incoming_id: uuid.UUID,
    index: Annotated[int, Path(ge=0, le=1000)],
    who: PurchasesSubmit,
    db: SessionDep,
    storage: StorageDep,
) -> Response:
    """A file embedded in the invoice XML (BG-24), as an attachment."""
    content, meta = await incoming_service.attachment(db, who, storage, incoming_id, index)
    name = meta.get("filename") or f"attachment-{index}"
    return Response(
        content,
        media_type="application/octet-stream",
        headers={"Content-Disposition": content_disposition(str(name)), **RAW_HEADERS},
    )


@router.post("/incoming-invoices/{incoming_id}/book", response_model=IncomingInvoiceDetail)
async def book_incoming(
    incoming_id: uuid.UUID, who: PurchasesWrite, db: SessionDep
) -> IncomingInvoiceDetail:
    """Book a received e-invoice as a supplier bill (409 if booked, 422 if it cannot be)."""
    return await incoming_service.book(db, who, incoming_id)


@router.get("/suppliers", response_model=Page[SupplierRead])
async def list_suppliers(
    who: PurchasesRead,
    db: SessionDep,
    paging: Paging,
    q: Annotated[str | None, Query(max_length=200)] = None,
) -> Page[SupplierRead]:
    """Business partners in the supplier role, by name."""
    return await supplier_service.list_suppliers(db, q, paging)


@router.post("/suppliers", response_model=SupplierRead, status_code=status.HTTP_201_CREATED)
async def create_supplier(
    data: SupplierCreate, who: PurchasesWrite, db: SessionDep
) -> SupplierRead:
    """A new supplier (a business partner numbered K-... and L-...)."""
    return SupplierRead.model_validate(await supplier_service.create(db, who, data))


@router.get("/suppliers/{supplier_id}", response_model=SupplierRead)
async def get_supplier(supplier_id: uuid.UUID, who: PurchasesRead, db: SessionDep) -> SupplierRead:
    """One supplier."""
    return SupplierRead.model_validate(await supplier_service.get(db, supplier_id))


@router.patch("/suppliers/{supplier_id}", response_model=SupplierRead)
async def update_supplier(
    supplier_id: uuid.UUID, data: SupplierUpdate, who: PurchasesWrite, db: SessionDep
) -> SupplierRead:
    """Change a supplier's address, tax ids or bank account."""
    return SupplierRead.model_validate(await supplier_service.update(db, who, supplier_id, data))


@router.post("/customers/{customer_id}/supplier", response_model=SupplierRead)
async def make_supplier(
    customer_id: uuid.UUID, who: PurchasesWrite, db: SessionDep
) -> SupplierRead:
    """Give an existing customer the supplier role too (one partner, one address)."""
    return SupplierRead.model_validate(await supplier_service.make_supplier(db, who, customer_id))


@router.post("/suppliers/{supplier_id}/customer", response_model=SupplierRead)
async def make_customer(supplier_id: uuid.UUID, who: CrmWrite, db: SessionDep) -> SupplierRead:
    """Give a supplier the customer role too (one partner, one address), so it can be billed."""
    return SupplierRead.model_validate(await supplier_service.make_customer(db, who, supplier_id))


@router.get("/supplier-bills", response_model=Page[BillRead])
async def list_bills(
    who: PurchasesRead,
    db: SessionDep,
    paging: Paging,
    supplier_id: uuid.UUID | None = None,
    status_: Annotated[
        Literal["open", "partly_paid", "paid", "unpaid"] | None, Query(alias="status")
    ] = None,
    project_id: uuid.UUID | None = None,
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
) -> Page[BillRead]:
    """Supplier bills, newest invoice date first, with paid and open amounts."""
    f = BillFilter(supplier_id, status_, project_id, start, end)
    return await bill_service.list_bills(db, f, paging)


@router.post("/supplier-bills", response_model=BillRead, status_code=status.HTTP_201_CREATED)
async def create_bill(data: BillCreate, who: PurchasesWrite, db: SessionDep) -> BillRead:
    """Type in a bill (a paper invoice): net and VAT per rate; same supplier and invoice
    number again is 409 naming the first bill."""
    return await bill_service.create(db, who, data)


@router.get("/supplier-bills/{bill_id}", response_model=BillRead)
async def get_bill(bill_id: uuid.UUID, who: PurchasesRead, db: SessionDep) -> BillRead:
    """One bill with VAT rows, paid and open amount."""
    return await bill_service.get(db, bill_id)


@router.patch("/supplier-bills/{bill_id}", response_model=BillRead)
async def update_bill(
    bill_id: uuid.UUID, data: BillUpdate, who: PurchasesWrite, db: SessionDep
) -> BillRead:
    """Change category, project, due date or note."""
    return await bill_service.update(db, who, bill_id, data)


@router.delete("/supplier-bills/{bill_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_bill(bill_id: uuid.UUID, who: PurchasesDelete, db: SessionDep) -> Response:
    """Undo a booking without payments (409 once paid); the received file stays."""
    await bill_service.delete(db, who, bill_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/supplier-bills/{bill_id}/payments",
    response_model=PaymentRead,
    status_code=status.HTTP_201_CREATED,
)
async def pay_bill(
    bill_id: uuid.UUID,
    data: PaymentCreate,
    who: PurchasesWrite,
    db: SessionDep,
    idempotency_key: Annotated[
        str | None, Header(alias="Idempotency-Key", min_length=1, max_length=200)
    ] = None,
) -> PaymentRead:
    """Book a payment to the supplier; above the open amount is 409."""
    return await bill_service.pay(db, who, bill_id, data, idempotency_key=idempotency_key)


@router.get("/supplier-bills/{bill_id}/payments", response_model=list[PaymentRead])
async def list_bill_payments(
    bill_id: uuid.UUID, who: PurchasesRead, db: SessionDep
) -> list[PaymentRead]:
    """The payments of a bill, oldest first."""
    return await bill_service.payments(db, bill_id)


@router.get("/vat-report", response_model=VatReport)
async def vat_report(
    who: PurchasesRead, db: SessionDep, year: Annotated[int, Query(ge=2000, le=2100)]
) -> VatReport:
    """Net and VAT per rate of sales and purchases, per month and quarter of a year."""
    return await vat_service.report(db, year)

"""HTTP routes for customers and contacts (thin: validate, call the service, shape the answer)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response, UploadFile

from workmate.customers.auth import CrmDelete, CrmRead, CrmWrite
from workmate.customers.schemas import (
    ContactCreate,
    ContactGdprExport,
    ContactRead,
    ContactUpdate,
    CustomerCreate,
    CustomerDetail,
    CustomerRead,
    CustomerUpdate,
)
from workmate.customers.service import customer_service
from workmate.db import SessionDep, read_only
from workmate.models import Contact, Customer
from workmate.pagination import Page, Paging
from workmate.reads import ReaderDep, json_response, page_response

router = APIRouter(prefix="/customers", tags=["customers"])


@router.get("", response_model=Page[CustomerRead])
@read_only
async def list_customers(
    who: CrmRead,
    db: SessionDep,
    paging: Paging,
    q: Annotated[str | None, Query(max_length=200, description="Typo-tolerant search.")] = None,
    type: Annotated[Literal["B2B", "B2C"] | None, Query()] = None,
    has_open_invoices: bool | None = None,
    archived: bool = False,
    sort: Annotated[
        str,
        Query(
            max_length=20, description="name, number, created_at, city or relevance; -x descending"
        ),
    ] = "name",
    cursor: Annotated[
        str | None,
        Query(
            max_length=1000,
            description="next_cursor of the previous page (instead of offset): deep pages "
            "as fast as the first. Sorts name, number and created_at.",
        ),
    ] = None,
) -> Response:
    """List customers: search by name, number, e-mail or contact name; filter; sort; page."""
    page = await customer_service.page(
        db,
        q=q,
        type_=type,
        has_open_invoices=has_open_invoices,
        archived=archived,
        sort=sort,
        limit=paging.limit,
        offset=paging.offset,
        cursor=cursor,
        as_json=True,
    )
    return page_response(
        [row.json for row in page.items], page.total, paging, next_cursor=page.next_cursor
    )


@router.post("", response_model=CustomerRead, status_code=201)
async def create_customer(data: CustomerCreate, who: CrmWrite, db: SessionDep) -> Customer:
    """Create a customer; it gets the next customer number (K-00001, never reused)."""
    return await customer_service.create(db, who, data)


@router.get("/export")
async def export_customers(
    who: CrmRead,
    db: SessionDep,
    encoding: Literal["utf-8", "windows-1252"] = "utf-8",
    delimiter: Literal[";", ","] = ";",
) -> Response:
    """CSV of all customers with their contacts, one row per contact."""
    from workmate.customers.csv_io import export_csv

    data = await export_csv(db, encoding=encoding, delimiter=delimiter)
    return Response(
        data,
        media_type=f"text/csv; charset={encoding}",
        headers={"Content-Disposition": 'attachment; filename="customers.csv"'},
    )


@router.post("/import", status_code=201)
async def import_customers(file: UploadFile, who: CrmWrite, db: SessionDep) -> dict[str, int]:
    """Import customers and contacts from CSV: all rows or none; errors name the row."""
    from workmate.config import get_settings
    from workmate.customers.csv_io import import_csv
    from workmate.errors import PayloadTooLarge

    limit = get_settings().upload_max_bytes
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise PayloadTooLarge(f"file is larger than {limit} bytes", field="file")
    result = await import_csv(db, who, data)
    return result.model_dump()


@router.get("/{customer_id}", response_model=CustomerDetail)
@read_only
async def get_customer(customer_id: uuid.UUID, who: CrmRead, reader: ReaderDep) -> Response:
    """A customer with contacts, projects and open receivables in one answer."""
    return json_response(await customer_service.detail_json(reader, customer_id))


@router.patch("/{customer_id}", response_model=CustomerRead)
async def update_customer(
    customer_id: uuid.UUID, data: CustomerUpdate, who: CrmWrite, db: SessionDep
) -> Customer:
    """Change a customer's fields; the number stays."""
    return await customer_service.update(db, who, customer_id, data)


@router.delete("/{customer_id}", status_code=204)
async def delete_customer(customer_id: uuid.UUID, who: CrmDelete, db: SessionDep) -> Response:
    """Delete a customer without invoices or projects; otherwise 409, archive instead."""
    await customer_service.delete(db, who, customer_id)
    return Response(status_code=204)


@router.post("/{customer_id}/archive", response_model=CustomerRead)
async def archive_customer(customer_id: uuid.UUID, who: CrmWrite, db: SessionDep) -> Customer:
    """Archive a customer: hidden from lists, everything kept."""
    return await customer_service.set_archived(db, who, customer_id, True)


@router.post("/{customer_id}/unarchive", response_model=CustomerRead)
async def unarchive_customer(customer_id: uuid.UUID, who: CrmWrite, db: SessionDep) -> Customer:
    """Bring an archived customer back into the lists."""
    return await customer_service.set_archived(db, who, customer_id, False)


@router.post("/{customer_id}/anonymize", response_model=CustomerRead)
async def anonymize_customer(customer_id: uuid.UUID, who: CrmDelete, db: SessionDep) -> Customer:
    """GDPR: erase a B2C customer's personal data; issued invoices keep their frozen copy."""
    return await customer_service.anonymize(db, who, customer_id)


@router.get("/{customer_id}/contacts", response_model=list[ContactRead])
@read_only
async def list_contacts(customer_id: uuid.UUID, who: CrmRead, db: SessionDep) -> Any:
    """The customer's contacts, primary first."""
    return await customer_service.contacts(db, customer_id)


@router.post("/{customer_id}/contacts", response_model=ContactRead, status_code=201)
async def create_contact(
    customer_id: uuid.UUID, data: ContactCreate, who: CrmWrite, db: SessionDep
) -> Contact:
    """Add a contact; a new primary contact replaces the previous one."""
    return await customer_service.create_contact(db, who, customer_id, data)


@router.get("/{customer_id}/contacts/{contact_id}", response_model=ContactRead)
@read_only
async def get_contact(
    customer_id: uuid.UUID, contact_id: uuid.UUID, who: CrmRead, db: SessionDep
) -> Contact:
    """One contact of the customer."""
    return await customer_service.get_contact(db, customer_id, contact_id)


@router.patch("/{customer_id}/contacts/{contact_id}", response_model=ContactRead)
async def update_contact(
    customer_id: uuid.UUID,
    contact_id: uuid.UUID,
    data: ContactUpdate,
    who: CrmWrite,
    db: SessionDep,
) -> Contact:
    """Change a contact; is_primary=true unsets the previous primary contact."""
    return await customer_service.update_contact(db, who, customer_id, contact_id, data)


@router.delete("/{customer_id}/contacts/{contact_id}", status_code=204)
async def delete_contact(
    customer_id: uuid.UUID, contact_id: uuid.UUID, who: CrmDelete, db: SessionDep
) -> Response:
    """Remove a contact (crm.delete, like every deletion; anonymise keeps the row)."""
    await customer_service.delete_contact(db, who, customer_id, contact_id)
    return Response(status_code=204)


@router.get("/{customer_id}/contacts/{contact_id}/gdpr-export", response_model=ContactGdprExport)
async def export_contact(
    customer_id: uuid.UUID, contact_id: uuid.UUID, who: CrmWrite, db: SessionDep
) -> dict[str, Any]:
    """GDPR access request: everything stored about a contact person (the export is audited)."""
    return await customer_service.export_contact(db, who, customer_id, contact_id)


@router.post("/{customer_id}/contacts/{contact_id}/anonymize", response_model=ContactRead)
async def anonymize_contact(
    customer_id: uuid.UUID, contact_id: uuid.UUID, who: CrmDelete, db: SessionDep
) -> Contact:
    """GDPR erasure of a contact person's data."""
    return await customer_service.anonymize_contact(db, who, customer_id, contact_id)

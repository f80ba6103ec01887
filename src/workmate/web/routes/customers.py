"""Customers: searchable list, detail, create and edit, all through the customer service."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from workmate.auth.deps import require
from workmate.auth.principal import Principal
from workmate.customers.schemas import ContactCreate, ContactUpdate, CustomerCreate, CustomerUpdate
from workmate.customers.service import customer_service
from workmate.db import SessionDep
from workmate.errors import Conflict
from workmate.models.customer import CUSTOMER_TYPES
from workmate.web.forms import REFUSALS, FieldErrors, blank_to_none, domain_error, parse, refusal
from workmate.web.i18n import formatter
from workmate.web.render import render
from workmate.web.routes.common import form_data, page_numbers, see_other, undo
from workmate.web.routes.documents import attached
from workmate.web.routes.timer import timer_context

router = APIRouter(prefix="/customers")

CrmRead = Annotated[Principal, Depends(require("crm", "read"))]
CrmWrite = Annotated[Principal, Depends(require("crm", "write"))]

PER_PAGE = 25
FIELDS = (
    "name",
    "type",
    "email",
    "phone",
    "tax_id",
    "street",
    "postal_code",
    "city",
    "country",
    "address",
    "buyer_reference",
)


def _head(customer: Any) -> dict[str, Any]:
    return {"id": customer.id, "number": customer.number, "name": customer.name}


@router.get("")
async def customer_list(
    request: Request,
    who: CrmRead,
    db: SessionDep,
    q: Annotated[str, Query(max_length=200)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    archived: bool = False,
) -> Response:
    """Search by name (typo tolerant), number, email or city; archived ones on request."""
    items, total = await customer_service.list(
        db,
        q=q,
        archived=archived,
        # Best matches first when searching (typos included); alphabetical otherwise.
        sort="relevance" if q.strip() else "name",
        limit=PER_PAGE,
        offset=(page - 1) * PER_PAGE,
    )
    return render(
        request,
        "customers/list.html",
        who,
        timer=await timer_context(db, who),
        customers=items,
        q=q,
        archived=archived,
        paging=page_numbers(page, PER_PAGE, total),
    )


async def _form_page(
    request: Request,
    who: Principal,
    db: AsyncSession,
    *,
    values: dict[str, Any],
    errors: FieldErrors,
    customer: Any = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "customers/form.html",
        who,
        status_code=status_code,
        timer=await timer_context(db, who),
        customer=customer,
        values=values,
        errors=errors,
        types=CUSTOMER_TYPES,
    )


@router.get("/new")
async def new_customer(request: Request, who: CrmWrite, db: SessionDep) -> Response:
    """An empty customer form."""
    return await _form_page(request, who, db, values={"type": "B2B", "country": "DE"}, errors={})


@router.post("/new")
async def create_customer(request: Request, who: CrmWrite, db: SessionDep) -> Response:
    """Create through the customer service; errors return the form with messages per field."""
    fmt = formatter(who.locale)
    raw = {k: v for k, v in (await form_data(request)).items() if k in FIELDS}
    data = blank_to_none(raw, keep=("name",))
    if data.get("country") is None:
        data.pop("country", None)
    parsed, errors = parse(CustomerCreate, data, fmt)
    if parsed is not None:
        try:
            customer = await customer_service.create(db, who, parsed)
        except REFUSALS as exc:
            await undo(db, exc)
            errors = domain_error(exc, FIELDS)
        else:
            return see_other(f"/customers/{customer.id}?saved=1")
    return await _form_page(request, who, db, values=raw, errors=errors, status_code=422)


@router.get("/{customer_id}")
async def customer_detail(
    request: Request,
    customer_id: uuid.UUID,
    who: CrmRead,
    db: SessionDep,
    saved: bool = False,
    removed: bool = False,
) -> Response:
    """Customer with contacts, projects and open invoices."""
    detail = await customer_service.detail(db, customer_id)
    fmt = formatter(who.locale)
    notice = fmt.gettext("Saved.") if saved else fmt.gettext("Removed.") if removed else None
    return render(
        request,
        "customers/detail.html",
        who,
        timer=await timer_context(db, who),
        c=detail,
        docs=await attached(db, who, "customer", customer_id),
        notice=notice,
    )


@router.get("/{customer_id}/edit")
async def edit_customer(
    request: Request, customer_id: uuid.UUID, who: CrmWrite, db: SessionDep
) -> Response:
    """The customer form, filled in."""
    customer = await customer_service.get(db, customer_id)
    values = {f: getattr(customer, f) or "" for f in FIELDS}
    return await _form_page(request, who, db, values=values, errors={}, customer=_head(customer))


@router.post("/{customer_id}/edit")
async def update_customer(
    request: Request, customer_id: uuid.UUID, who: CrmWrite, db: SessionDep
) -> Response:
    """Save changes through the customer service."""
    fmt = formatter(who.locale)
    # Plain values: a failed save rolls back, which expires every loaded ORM object.
    customer = _head(await customer_service.get(db, customer_id))
    raw = {k: v for k, v in (await form_data(request)).items() if k in FIELDS}
    parsed, errors = parse(CustomerUpdate, blank_to_none(raw, keep=("name",)), fmt)
    if parsed is not None:
        try:
            await customer_service.update(db, who, customer_id, parsed)
        except REFUSALS as exc:
            await undo(db, exc)
            errors = domain_error(exc, FIELDS)
        else:
            return see_other(f"/customers/{customer_id}?saved=1")
    return await _form_page(
        request, who, db, values=raw, errors=errors, customer=customer, status_code=422
    )


CrmDelete = Annotated[Principal, Depends(require("crm", "delete"))]


@router.post("/{customer_id}/archive")
async def archive_customer(
    request: Request, customer_id: uuid.UUID, who: CrmWrite, db: SessionDep
) -> Response:
    """Archive (hide from lists, keep everything) or restore, through the customer service."""
    form = await form_data(request)
    await customer_service.set_archived(db, who, customer_id, form.get("archived") == "true")
    return see_other(f"/customers/{customer_id}?saved=1")


@router.post("/{customer_id}/delete")
async def delete_customer(
    request: Request, customer_id: uuid.UUID, who: CrmDelete, db: SessionDep
) -> Response:
    """Delete a customer without invoices or projects; otherwise the service says to archive."""
    try:
        await customer_service.delete(db, who, customer_id)
    except Conflict as exc:
        await undo(db, exc)
        detail = await customer_service.detail(db, customer_id)
        return render(
            request,
            "customers/detail.html",
            who,
            status_code=409,
            timer=await timer_context(db, who),
            c=detail,
            error=refusal(exc),
        )
    return see_other("/customers")


CONTACT_FIELDS = ("firstname", "lastname", "email", "phone", "position", "is_primary")


async def _contact_page(
    request: Request,
    who: Principal,
    db: AsyncSession,
    customer_id: uuid.UUID,
    *,
    values: dict[str, Any],
    errors: FieldErrors,
    contact_id: uuid.UUID | None = None,
    status_code: int = 200,
) -> Response:
    customer = _head(await customer_service.get(db, customer_id))
    return render(
        request,
        "customers/contact_form.html",
        who,
        status_code=status_code,
        timer=await timer_context(db, who),
        customer=customer,
        contact_id=contact_id,
        values=values,
        errors=errors,
    )


def _contact_input(form: dict[str, str]) -> tuple[dict[str, str], dict[str, Any]]:
    raw = {k: v for k, v in form.items() if k in CONTACT_FIELDS}
    data = blank_to_none(raw, keep=("firstname", "lastname"))
    data["is_primary"] = raw.get("is_primary") == "on"
    return raw, data


@router.get("/{customer_id}/contacts/new")
async def new_contact(
    request: Request, customer_id: uuid.UUID, who: CrmWrite, db: SessionDep
) -> Response:
    """An empty contact person form for this customer."""
    return await _contact_page(request, who, db, customer_id, values={}, errors={})


@router.post("/{customer_id}/contacts/new")
async def create_contact(
    request: Request, customer_id: uuid.UUID, who: CrmWrite, db: SessionDep
) -> Response:
    """Add a contact person through the customer service (a new primary replaces the old)."""
    raw, data = _contact_input(await form_data(request))
    parsed, errors = parse(ContactCreate, data, formatter(who.locale))
    if parsed is not None:
        try:
            await customer_service.create_contact(db, who, customer_id, parsed)
        except REFUSALS as exc:
            await undo(db, exc)
            errors = domain_error(exc, CONTACT_FIELDS)
        else:
            return see_other(f"/customers/{customer_id}?saved=1#contacts")
    return await _contact_page(
        request, who, db, customer_id, values=raw, errors=errors, status_code=422
    )


@router.get("/{customer_id}/contacts/{contact_id}/edit")
async def edit_contact(
    request: Request, customer_id: uuid.UUID, contact_id: uuid.UUID, who: CrmWrite, db: SessionDep
) -> Response:
    """The contact person form, filled in."""
    contact = await customer_service.get_contact(db, customer_id, contact_id)
    values = {f: getattr(contact, f) or "" for f in CONTACT_FIELDS}
    values["is_primary"] = "on" if contact.is_primary else ""
    return await _contact_page(
        request, who, db, customer_id, values=values, errors={}, contact_id=contact_id
    )


@router.post("/{customer_id}/contacts/{contact_id}/edit")
async def update_contact(
    request: Request, customer_id: uuid.UUID, contact_id: uuid.UUID, who: CrmWrite, db: SessionDep
) -> Response:
    """Save a contact person through the customer service."""
    raw, data = _contact_input(await form_data(request))
    parsed, errors = parse(ContactUpdate, data, formatter(who.locale))
    if parsed is not None:
        try:
            await customer_service.update_contact(db, who, customer_id, contact_id, parsed)
        except REFUSALS as exc:
            await undo(db, exc)
            errors = domain_error(exc, CONTACT_FIELDS)
        else:
            return see_other(f"/customers/{customer_id}?saved=1#contacts")
    return await _contact_page(
        request,
        who,
        db,
        customer_id,
        values=raw,
        errors=errors,
        contact_id=contact_id,
        status_code=422,
    )


@router.post("/{customer_id}/contacts/{contact_id}/delete")
async def delete_contact(
    customer_id: uuid.UUID, contact_id: uuid.UUID, who: CrmDelete, db: SessionDep
) -> Response:
    """Remove a contact person (crm.delete), through the customer service."""
    await customer_service.delete_contact(db, who, customer_id, contact_id)
    return see_other(f"/customers/{customer_id}?removed=1#contacts")

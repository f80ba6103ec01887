"""Customer and contact rules: numbering, validation, delete-or-archive, primary contact, GDPR."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from workmate import clock
from workmate.audit.service import audit_service, diff
from workmate.auth.principal import Principal
from workmate.customers import repository as repo
from workmate.customers.schemas import (
    ContactCreate,
    ContactRead,
    ContactUpdate,
    CustomerCreate,
    CustomerDetail,
    CustomerRead,
    CustomerUpdate,
    OpenInvoice,
)
from workmate.errors import Conflict, Invalid, NotFound
from workmate.models import Contact, Customer
from workmate.reads import Reader

# Replaces personal data on anonymisation; kept short so it fits every column.
ANONYMISED = "anonymised"
PERSONAL_CUSTOMER_FIELDS = (
    "email",
    "phone",
    "tax_id",
    "address",
    "street",
    "postal_code",
    "city",
    "buyer_reference",
)


def _masked(fields: Sequence[str]) -> dict[str, Any]:
    # The append-only audit log must not receive the very data being erased.
    return {f: ["***", "***"] for f in fields}


@dataclass(frozen=True, slots=True)
class CustomerPage:
    # Customer objects, or rows of (json, id, sort column) for the API's bytes path.
    items: Sequence[Any]
    total: int
    # Opaque keyset cursor for the page after this one; None on the last page and for the
    # sorts a cursor cannot continue (city, relevance).
    next_cursor: str | None


def encode_cursor(sort: str, customer: Any) -> str:
    """The cursor after `customer` (a Customer or a row with its id and sort column)."""
    value = getattr(customer, sort.lstrip("-"))
    key = value.isoformat() if isinstance(value, datetime) else value
    raw = json.dumps([sort, key, str(customer.id)], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str) -> tuple[Any, uuid.UUID]:
    """(sort value, id) of the row the cursor points after; 422 for anything else."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        cursor_sort, key, last_id = json.loads(raw)
        if cursor_sort != sort:
            raise Invalid("the cursor belongs to another sort order; start again", field="cursor")
        value = datetime.fromisoformat(key) if sort.lstrip("-") == "created_at" else str(key)
        return value, uuid.UUID(last_id)
    except Invalid:
        raise
    except (ValueError, TypeError) as exc:
        raise Invalid("not a cursor from this list", field="cursor") from exc


class CustomerService:
    async def list(
        self,
        db: AsyncSession,
        *,
        q: str | None = None,
        type_: str | None = None,
        has_open_invoices: bool | None = None,
        archived: bool = False,
        sort: str = "name",
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[Sequence[Customer], int]:
        """Customers matching search and filters; items and total share one filter."""
        page = await self.page(
            db,
            q=q,
            type_=type_,
            has_open_invoices=has_open_invoices,
            archived=archived,
            sort=sort,
            limit=limit,
            offset=offset,
        )
        return page.items, page.total

    async def page(
        self,
        db: AsyncSession,
        *,
        q: str | None = None,
        type_: str | None = None,
        has_open_invoices: bool | None = None,
        archived: bool = False,
        sort: str = "name",
        limit: int = 50,
        offset: int = 0,
        cursor: str | None = None,
        as_json: bool = False,
    ) -> CustomerPage:
        """A page of customers by offset or by keyset cursor (not both), with the total and
        the cursor of the next page; deep pages by cursor cost what the first page costs."""
        q = (q or "").strip() or None
        if sort.lstrip("-") not in {*repo.SORTS, "relevance"}:
            allowed = ", ".join(sorted({*repo.SORTS, "relevance"}))
            raise Invalid(f"sort must be one of {allowed} (prefix - for descending)", field="sort")
        keyset_ok = sort.lstrip("-") in repo.KEYSET_SORTS
        keyset = None
        if cursor is not None:
            if not keyset_ok:
                raise Invalid(f"sort {sort} pages by offset only, not by cursor", field="cursor")
            if offset:
                raise Invalid("give either cursor or offset, not both", field="offset")
            keyset = repo.after(sort, *decode_cursor(cursor, sort))
        where = repo.filtered(q=q, type_=type_, open_invoices=has_open_invoices, archived=archived)
        items, total, more = await repo.list_customers(
            db, where, q=q, sort=sort, limit=limit, offset=offset, keyset=keyset, as_json=as_json
        )
        next_cursor = encode_cursor(sort, items[-1]) if more and keyset_ok and items else None
        return CustomerPage(items, total, next_cursor)

    async def get(self, db: AsyncSession, customer_id: uuid.UUID) -> Customer:
        """One customer or 404."""
        customer = await repo.get(db, customer_id)
        if customer is None:
            raise NotFound("customer")
        return customer

    async def billable(
        self, db: AsyncSession, customer_id: uuid.UUID, field: str = "customer_id"
    ) -> Customer:
        """The customer a quote, invoice, recurring invoice or project is for: it must exist
        and be a customer; a pure supplier is refused until it is marked as a customer too."""
        customer = await repo.get(db, customer_id)
        if customer is None:
            raise Invalid("customer does not exist", field=field)
        if not customer.is_customer:
            raise Invalid(
                "this business partner is a supplier only; mark it as a customer first",
                field=field,
            )
        return customer

    async def names(self, db: AsyncSession, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, str]:
        """Customer names by id, in one statement whatever the number (for lists and pickers)."""
        return await repo.names(db, ids)

    async def detail(self, db: AsyncSession, customer_id: uuid.UUID) -> CustomerDetail:
        """Customer with contacts, projects and open receivables: one query, whatever size."""
        row = await repo.detail(db, customer_id)
        if row is None:
            raise NotFound("customer")
        invoices = [
            OpenInvoice(
                **{k: v for k, v in item.items() if k != "credited"},
                # Open = total - payments - partial credit notes (the invoices' one rule).
                open_amount=Decimal(item["total"])
                - Decimal(item["paid"])
                - Decimal(item["credited"]),
            )
            for item in row.pop("open_invoices")
        ]
        return CustomerDetail(
            **row,
            open_invoices=invoices,
            open_receivables=sum((i.open_amount for i in invoices), Decimal("0.00")),
        )

    async def detail_json(self, reader: Reader, customer_id: uuid.UUID) -> str:
        """The same detail as JSON built by PostgreSQL (the API's bytes path), or 404."""
        body = await repo.detail_json(reader, customer_id)
        if body is None:
            raise NotFound("customer")
        return body

    async def create(
        self, db: AsyncSession, who: Principal | None, data: CustomerCreate
    ) -> Customer:
        """Create a customer with the next number K-00001.. from the counter row."""
        number = repo.format_number(await repo.take_numbers(db))
        customer = Customer(id=uuid.uuid4(), number=number, **data.model_dump())
        db.add(customer)
        await db.flush()
        await audit_service.record(
            db, who, "create", "customer", customer.id, diff(None, audit_service.snapshot(customer))
        )
        return customer

    async def update(
        self, db: AsyncSession, who: Principal, customer_id: uuid.UUID, data: CustomerUpdate
    ) -> Customer:
        """Change the fields sent; the number never changes."""
        customer = await repo.get(db, customer_id, lock=True)
        if customer is None:
            raise NotFound("customer")
        if customer.anonymized_at is not None:
            raise Conflict("the customer is anonymised and cannot be changed", field="id")
        before = audit_service.snapshot(customer)
        changes = data.model_dump(exclude_unset=True)
        for key in ("name", "type", "country", "send_xml"):
            if key in changes and changes[key] is None:
                raise Invalid("{field} cannot be empty", field=key, params={"field": key})
        for key, value in changes.items():
            setattr(customer, key, value)
        await db.flush()
        await audit_service.record(
            db,
            who,
            "update",
            "customer",
            customer.id,
            diff(before, audit_service.snapshot(customer)),
        )
        return customer

    async def delete(self, db: AsyncSession, who: Principal, customer_id: uuid.UUID) -> None:
        """Delete a customer without invoices or projects; otherwise 409 (archive instead)."""
        customer = await repo.get(db, customer_id, lock=True)
        if customer is None:
            raise NotFound("customer")
        if await repo.has_invoices(db, customer_id):
            raise Conflict(
                "customer {number} has invoices and cannot be deleted; archive it",
                field="id",
                params={"number": customer.number},
            )
        if await repo.has_projects(db, customer_id):
            raise Conflict(
                "customer {number} has projects and cannot be deleted; archive it",
                field="id",
                params={"number": customer.number},
            )
        before = audit_service.snapshot(customer)
        await db.delete(customer)
        await db.flush()
        await audit_service.record(db, who, "delete", "customer", customer_id, diff(before, None))

    async def set_archived(
        self, db: AsyncSession, who: Principal, customer_id: uuid.UUID, archived: bool
    ) -> Customer:
        """Archive (hide from lists, keep everything) or restore a customer."""
        customer = await repo.get(db, customer_id, lock=True)
        if customer is None:
            raise NotFound("customer")
        before = audit_service.snapshot(customer, ("archived_at",))
        if archived and customer.archived_at is None:
            customer.archived_at = clock.now()
        elif not archived:
            customer.archived_at = None
        await db.flush()
        after = audit_service.snapshot(customer, ("archived_at",))
        await audit_service.record(
            db,
            who,
            "archive" if archived else "unarchive",
            "customer",
            customer.id,
            diff(before, after),
        )
        return customer

    async def anonymize(self, db: AsyncSession, who: Principal, customer_id: uuid.UUID) -> Customer:
        """GDPR erasure of a B2C customer and its contacts; invoices keep their buyer copy."""
        customer = await repo.get(db, customer_id, lock=True)
        if customer is None:
            raise NotFound("customer")
        if customer.type != "B2C":
            raise Conflict(
                "only B2C customers are persons; anonymise the contact persons instead",
                field="type",
            )
        if customer.anonymized_at is None:
            customer.name = f"{ANONYMISED} {customer.number}"
            for key in PERSONAL_CUSTOMER_FIELDS:
                setattr(customer, key, None)
            customer.anonymized_at = clock.now()
            await repo.anonymize_contacts_of(db, customer.id)
            await db.flush()
            await audit_service.record(
                db,
                who,
                "anonymize",
                "customer",
                customer.id,
                _masked(("name", *PERSONAL_CUSTOMER_FIELDS)),
            )
        return customer

    # ---- contacts ----

    async def _customer_for_contacts(self, db: AsyncSession, customer_id: uuid.UUID) -> Customer:
        customer = await repo.get(db, customer_id)
        if customer is None:
            raise NotFound("customer")
        return customer

    async def contacts(self, db: AsyncSession, customer_id: uuid.UUID) -> Sequence[Contact]:
        """The customer's contacts, primary first."""
        await self._customer_for_contacts(db, customer_id)
        return await repo.contacts_of(db, customer_id)

    async def get_contact(
        self, db: AsyncSession, customer_id: uuid.UUID, contact_id: uuid.UUID
    ) -> Contact:
        """One contact of this customer or 404."""
        contact = await repo.get_contact(db, customer_id, contact_id)
        if contact is None:
            raise NotFound("contact")
        return contact

    async def create_contact(
        self, db: AsyncSession, who: Principal | None, customer_id: uuid.UUID, data: ContactCreate
    ) -> Contact:
        """Add a contact; a new primary contact replaces the old one in the same transaction."""
        await self._customer_for_contacts(db, customer_id)
        contact = Contact(id=uuid.uuid4(), customer_id=customer_id, **data.model_dump())
        if data.is_primary:
            await repo.unset_primary(db, customer_id, keep=None)
        db.add(contact)
        await db.flush()
        await audit_service.record(
            db, who, "create", "contact", contact.id, diff(None, audit_service.snapshot(contact))
        )
        return contact

    async def update_contact(
        self,
        db: AsyncSession,
        who: Principal,
        customer_id: uuid.UUID,
        contact_id: uuid.UUID,
        data: ContactUpdate,
    ) -> Contact:
        """Change a contact; making it primary unsets the previous primary contact."""
        contact = await self.get_contact(db, customer_id, contact_id)
        if contact.anonymized_at is not None:
            raise Conflict("the contact is anonymised and cannot be changed", field="id")
        before = audit_service.snapshot(contact)
        changes = data.model_dump(exclude_unset=True)
        for key in ("firstname", "lastname", "is_primary"):
            if key in changes and changes[key] is None:
                raise Invalid("{field} cannot be empty", field=key, params={"field": key})
        if changes.get("is_primary"):
            await repo.unset_primary(db, customer_id, keep=contact.id)
        for key, value in changes.items():
            setattr(contact, key, value)
        await db.flush()
        await audit_service.record(
            db, who, "update", "contact", contact.id, diff(before, audit_service.snapshot(contact))
        )
        return contact

    async def delete_contact(
        self, db: AsyncSession, who: Principal, customer_id: uuid.UUID, contact_id: uuid.UUID
    ) -> None:
        """Remove a contact; of parallel deletes one succeeds, the others get 404."""
        contact = await repo.get_contact(db, customer_id, contact_id, lock=True)
        if contact is None:
            raise NotFound("contact")
        before = audit_service.snapshot(contact)
        await db.delete(contact)
        await db.flush()
        await audit_service.record(db, who, "delete", "contact", contact_id, diff(before, None))

    async def anonymize_contact(
        self, db: AsyncSession, who: Principal, customer_id: uuid.UUID, contact_id: uuid.UUID
    ) -> Contact:
        """GDPR erasure of one contact person: names, e-mail, phone and position replaced."""
        contact = await self.get_contact(db, customer_id, contact_id)
        if contact.anonymized_at is None:
            contact.firstname = ANONYMISED
            contact.lastname = ANONYMISED
            contact.email = contact.phone = contact.position = None
            contact.anonymized_at = clock.now()
            await db.flush()
            await audit_service.record(
                db,
                who,
                "anonymize",
                "contact",
                contact.id,
                _masked(("firstname", "lastname", "email", "phone", "position")),
            )
        return contact

    async def export_contact(
        self, db: AsyncSession, who: Principal, customer_id: uuid.UUID, contact_id: uuid.UUID
    ) -> dict[str, Any]:
        """GDPR access: the contact, its customer and every audit entry about the contact."""
        contact = await self.get_contact(db, customer_id, contact_id)
        customer = await self.get(db, customer_id)
        await db.flush()  # audit rows added earlier in this transaction count too
        audit = [
            {
                "at": row.at.isoformat(),
                "action": row.action,
                "actor": row.actor_email,
                "changes": row.changes,
            }
            for row in await repo.audit_rows_for(db, "contact", contact_id)
        ]
        await audit_service.record(db, who, "gdpr_export", "contact", contact_id)
        return {
            "contact": ContactRead.model_validate(contact),
            "customer": CustomerRead.model_validate(customer),
            "audit": audit,
        }


customer_service = CustomerService()

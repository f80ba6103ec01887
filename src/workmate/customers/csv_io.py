"""CSV import and export of customers with their contacts.

One row per contact; customer columns repeat on each of its rows. On import, rows sharing a
non-empty `number` form one customer (the first row's customer columns count); a row with an
empty `number` is a customer of its own. Imported customers get fresh numbers from the counter:
numbers from another system would collide with ours.
"""

from __future__ import annotations

import csv
import io
import uuid
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from workmate.audit.service import diff, entry
from workmate.auth.principal import Principal
from workmate.customers import repository as repo
from workmate.customers.schemas import (
    ContactCreate,
    CustomerCreate,
    ImportResult,
    ImportRowError,
)
from workmate.errors import Invalid
from workmate.models import AuditLog, Contact, Customer

CUSTOMER_COLUMNS = (
    "number",
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
CONTACT_COLUMNS = (
    "contact_firstname",
    "contact_lastname",
    "contact_email",
    "contact_phone",
    "contact_position",
    "contact_is_primary",
)
COLUMNS = CUSTOMER_COLUMNS + CONTACT_COLUMNS
TRUE = {"1", "true", "yes", "ja", "x", "wahr"}
# Enough to fix a file in one go without flooding the answer.
MAX_REPORTED = 50


class ImportRejected(Invalid):
    """Nothing was imported; `errors` names every bad row (file line numbers, header = 1)."""

    def __init__(self, errors: list[ImportRowError]) -> None:
        shown = "; ".join(
            f"row {e.row}" + (f" ({e.field})" if e.field else "") + f": {e.message}"
            for e in errors[:MAX_REPORTED]
        )
        more = f"; and {len(errors) - MAX_REPORTED} more" if len(errors) > MAX_REPORTED else ""
        first = errors[0]
        super().__init__(
            f"nothing imported, {len(errors)} bad row(s): {shown}{more}",
            field=f"row {first.row}",
        )
        self.errors = errors


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252, the two encodings Excel writes here."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise Invalid("the file is neither UTF-8 nor Windows-1252", field="file") from None


def sniff_delimiter(text: str) -> str:
    header = text.split("\n", 1)[0]
    return ";" if header.count(";") >= header.count(",") else ","


def _errors_of(exc: ValidationError, row: int, prefix: str) -> list[ImportRowError]:
    return [
        ImportRowError(
            row=row,
            field=prefix + str(err["loc"][0]) if err["loc"] else None,
            message=str(err["msg"]),
        )
        for err in exc.errors()
    ]


def _values(model: type[BaseModel], raw: dict[str, str], prefix: str) -> dict[str, Any]:
    fields = model.model_fields
    return {
        name: value for name in fields if (value := (raw.get(prefix + name) or "").strip()) != ""
    }


def parse(data: bytes) -> tuple[list[dict[str, Any]], list[list[dict[str, Any]]]]:
    """Validate the whole file; return customers and their contacts, or raise ImportRejected."""
    text = decode(data)
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    header = [h.strip() for h in reader.fieldnames or []]
    reader.fieldnames = header
    if "name" not in header:
        raise Invalid("the header must contain a 'name' column (separator ; or ,)", field="name")
    unknown = [h for h in header if h and h not in COLUMNS]
    if unknown:
        raise Invalid(
            f"unknown column {unknown[0]!r}; known: {', '.join(COLUMNS)}", field=unknown[0]
        )
    errors: list[ImportRowError] = []
    customers: list[dict[str, Any]] = []
    contacts: list[list[dict[str, Any]]] = []
    by_number: dict[str, int] = {}
    primaries: set[int] = set()
    for row_no, raw in enumerate(reader, start=2):
        if None in raw:
            errors.append(ImportRowError(row=row_no, field=None, message="too many columns"))
            continue
        if not any((v or "").strip() for v in raw.values()):
            continue
        key = (raw.get("number") or "").strip()
        index = by_number.get(key) if key else None
        if index is None:
            try:
                customer = CustomerCreate.model_validate(_values(CustomerCreate, raw, ""))
            except ValidationError as exc:
                errors.extend(_errors_of(exc, row_no, ""))
                continue
            index = len(customers)
            customers.append(customer.model_dump())
            contacts.append([])
            if key:
                by_number[key] = index
        contact_raw = _values(ContactCreate, raw, "contact_")
        if not contact_raw:
            continue
        contact_raw["is_primary"] = (raw.get("contact_is_primary") or "").strip().lower() in TRUE
        try:
            contact = ContactCreate.model_validate(contact_raw)
        except ValidationError as exc:
            errors.extend(_errors_of(exc, row_no, "contact_"))
            continue
        if contact.is_primary:
            if index in primaries:
                errors.append(
                    ImportRowError(
                        row=row_no,
                        field="contact_is_primary",
                        message="a second primary contact for the same customer",
                    )
                )
                continue
            primaries.add(index)
        contacts[index].append(contact.model_dump())
    if errors:
        raise ImportRejected(errors)
    if not customers:
        raise Invalid("the file holds no customer rows", field="file")
    return customers, contacts


async def import_csv(db: AsyncSession, who: Principal | None, data: bytes) -> ImportResult:
    """Import every row in the caller's transaction, or nothing (bulk inserts, audited)."""
    customers, contacts = parse(data)
    first = await repo.take_numbers(db, len(customers))
    customer_rows: list[dict[str, Any]] = []
    contact_rows: list[dict[str, Any]] = []
    for offset, (values, own_contacts) in enumerate(zip(customers, contacts, strict=True)):
        customer_id = uuid.uuid4()
        customer_rows.append(
            {**values, "id": customer_id, "number": repo.format_number(first + offset)}
        )
        contact_rows.extend(
            {**c, "id": uuid.uuid4(), "customer_id": customer_id} for c in own_contacts
        )
    await db.execute(insert(Customer), customer_rows)
    if contact_rows:
        await db.execute(insert(Contact), contact_rows)
    audit = [_audit_row(who, "customer", row) for row in customer_rows] + [
        _audit_row(who, "contact", row) for row in contact_rows
    ]
    await db.execute(insert(AuditLog), audit)
    return ImportResult(customers=len(customer_rows), contacts=len(contact_rows))


def _audit_row(who: Principal | None, entity: str, row: dict[str, Any]) -> dict[str, Any]:
    log = entry(who, "import", entity, row["id"], diff(None, row))
    return {
        "actor_id": log.actor_id,
        "actor_email": log.actor_email,
        "action": log.action,
        "entity": log.entity,
        "entity_id": log.entity_id,
        "changes": log.changes,
        "client_addr": log.client_addr,
    }


async def export_csv(db: AsyncSession, *, encoding: str = "utf-8", delimiter: str = ";") -> bytes:
    """All customers (archived included) and their contacts as CSV, one row per contact."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for customer, contact in await repo.export_rows(db):
        cells = [getattr(customer, c) or "" for c in CUSTOMER_COLUMNS]
        if contact is None:
            cells += [""] * len(CONTACT_COLUMNS)
        else:
            cells += [
                contact.firstname,
                contact.lastname,
                contact.email or "",
                contact.phone or "",
                contact.position or "",
                "yes" if contact.is_primary else "",
            ]
        writer.writerow(cells)
    # Characters Windows-1252 lacks become '?' rather than failing the whole export.
    return out.getvalue().encode(encoding, errors="replace")

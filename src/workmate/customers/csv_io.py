"""CSV import and export of customers with their contacts.

One row per contact; customer columns repeat on each of its rows. On import, rows sharing a
non-empty `number` form one customer (the first row's customer columns count); a row with an
empty `number` is a customer of its own. Imported customers get fresh numbers from the counter:
numbers from another system would collide with ours.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import operator
import os
import re
import uuid
from collections.abc import Iterator
from typing import Any

import anyio.to_thread
import email_validator
from pydantic import BaseModel, Field, ValidationError, field_validator
from pydantic.networks import validate_email
from sqlalchemy.ext.asyncio import AsyncSession

from workmate.auth.principal import Principal
from workmate.customers import repository as repo
from workmate.customers.schemas import (
    ContactCreate,
    CustomerCreate,
    ImportResult,
    ImportRowError,
)
from workmate.errors import Invalid
from workmate.exports.csvfile import CsvWriter, unescape

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


# Rows one import may hold (contacts count, each is a row). A larger file is refused with a
# message saying so, before its rows are validated; 50,000 rows parse in about 2 s.
MAX_ROWS = 50_000


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


# An unquoted ASCII local part (RFC 5322 dot-atom): email-validator accepts every such local
# part up to 64 characters and returns it unchanged.
_DOT_ATOM = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")


@functools.lru_cache(maxsize=4096)
def _normalized_domain(domain: str) -> str | None:
    """The domain as email-validator normalizes it, or None if it rejects it. A file holds
    thousands of addresses but few domains; the domain check (IDNA, UTS #46) is most of the
    cost of validating an address, so it runs once per domain."""
    try:
        return email_validator.validate_email(f"a@{domain}", check_deliverability=False).domain
    except email_validator.EmailNotValidError:
        return None


def email_address(value: str) -> str:
    """What pydantic's EmailStr makes of `value` (same normalization, same error messages):
    plain addresses take the cached domain check, anything else the full validator."""
    local, at, domain = value.rpartition("@")
    if at and len(value) <= 254 and len(local) <= 64 and _DOT_ATOM.fullmatch(local):
        normalized = _normalized_domain(domain)
        if normalized is not None:
            return f"{local}@{normalized}"
    return validate_email(value)[1]


class _CustomerRow(CustomerCreate):
    """CustomerCreate with the cached e-mail check; every other rule is inherited."""

    email: str | None = Field(None, max_length=254)

    @field_validator("email")
    @classmethod
    def _email_address(cls, v: str | None) -> str | None:
        return None if v is None else email_address(v)


class _ContactRow(ContactCreate):
    """ContactCreate with the cached e-mail check; every other rule is inherited."""

    email: str | None = Field(None, max_length=254)

    @field_validator("email")
    @classmethod
    def _email_address(cls, v: str | None) -> str | None:
        return None if v is None else email_address(v)


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
        name: unescape(value)
        for name in fields
        if (value := (raw.get(prefix + name) or "").strip()) != ""
    }


async def parse_off_loop(data: bytes) -> tuple[list[CustomerCreate], list[list[ContactCreate]]]:
    """parse() in a worker thread: validating a large file must not stop the event loop (every
    other request of the process waited for a 200,000-row file, 5 s)."""
    return await anyio.to_thread.run_sync(parse, data)


def parse(data: bytes) -> tuple[list[CustomerCreate], list[list[ContactCreate]]]:
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
    customers: list[CustomerCreate] = []
    contacts: list[list[ContactCreate]] = []
    by_number: dict[str, int] = {}
    primaries: set[int] = set()
    for row_no, raw in enumerate(reader, start=2):
        if row_no - 1 > MAX_ROWS:
            raise Invalid(
                "the file has more than {rows} rows; import it in parts of at most {rows} rows",
                field="file",
                params={"rows": MAX_ROWS},
            )
        if None in raw:
            errors.append(ImportRowError(row=row_no, field=None, message="too many columns"))
            continue
        if not any((v or "").strip() for v in raw.values()):
            continue
        key = (raw.get("number") or "").strip()
        index = by_number.get(key) if key else None
        if index is None:
            try:
                customer = _CustomerRow.model_validate(_values(CustomerCreate, raw, ""))
            except ValidationError as exc:
                errors.extend(_errors_of(exc, row_no, ""))
                continue
            index = len(customers)
            customers.append(customer)
            contacts.append([])
            if key:
                by_number[key] = index
        contact_raw = _values(ContactCreate, raw, "contact_")
        if not contact_raw:
            continue
        contact_raw["is_primary"] = (raw.get("contact_is_primary") or "").strip().lower() in TRUE
        try:
            contact = _ContactRow.model_validate(contact_raw)
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
        contacts[index].append(contact)
    if errors:
        raise ImportRejected(errors)
    if not customers:
        raise Invalid("the file holds no customer rows", field="file")
    return customers, contacts


def created_changes(values: dict[str, Any]) -> str:
    """JSON of `diff(None, values)` for an imported row, without its generic cost: the values
    are str, int, bool, None or UUID and none is a secret."""
    return json.dumps(
        {
            key: [None, str(value) if isinstance(value, uuid.UUID) else value]
            for key, value in values.items()
            if value is not None
        },
        sort_keys=True,
    )


def uuid4s(count: int) -> list[uuid.UUID]:
    """`count` random (version 4) UUIDs from one read of the OS random source; uuid.uuid4()
    reads it once per id, which costs more than the rest of building the id."""
    random = os.urandom(16 * count)
    return [uuid.UUID(bytes=random[i : i + 16], version=4) for i in range(0, 16 * count, 16)]


# Model fields in the column order of repo.IMPORT_*_COLUMNS after the generated ones.
_CUSTOMER_VALUES = operator.attrgetter(*repo.IMPORT_CUSTOMER_COLUMNS[2:])
_CONTACT_VALUES = operator.attrgetter(*repo.IMPORT_CONTACT_COLUMNS[2:])


async def import_csv(db: AsyncSession, who: Principal | None, data: bytes) -> ImportResult:
    """Import every row in the caller's transaction, or nothing.

    The whole file is validated in Python before the first write; the customer numbers are
    taken as one block from the counter row; customers, contacts and audit rows then go in
    with binary COPY on the session's own connection, inside its transaction (an error later
    still rolls everything back, and the numbers with it). Ids are made here, so contacts
    point to their customers without reading anything back. The records are generated while
    COPY sends them, so building them overlaps with PostgreSQL writing the previous ones.
    """
    customers, contacts = await parse_off_loop(data)
    first = await repo.take_numbers(db, len(customers))
    numbers = [repo.format_number(first + offset) for offset in range(len(customers))]
    customer_ids = uuid4s(len(customers))
    contact_count = sum(map(len, contacts))
    contact_ids = uuid4s(contact_count)

    def customer_rows() -> Iterator[tuple[Any, ...]]:
        for customer_id, number, customer in zip(customer_ids, numbers, customers, strict=True):
            yield (customer_id, number, *_CUSTOMER_VALUES(customer))

    def contact_rows() -> Iterator[tuple[Any, ...]]:
        ids = iter(contact_ids)
        for customer_id, own in zip(customer_ids, contacts, strict=True):
            for contact in own:
                yield (next(ids), customer_id, *_CONTACT_VALUES(contact))

    # One audit row per created customer, found by the customer's id like any other change to
    # it: who imported it, when, and its values. Its contacts are counted there, not copied:
    # audit_log is append-only, so a contact person's name and e-mail written into it could
    # never be erased by anonymisation, and an import copies thousands of persons at a time.
    # (One summary row per import would be cheaper still, but the customer's own history
    # would then not say where the customer came from.)
    actor_id, actor_email, client_addr = (
        (who.employee_id, who.email, who.client_addr) if who else (None, None, None)
    )

    def audit_rows() -> Iterator[tuple[Any, ...]]:
        for row, own in zip(customer_rows(), contacts, strict=True):
            values = dict(zip(repo.IMPORT_CUSTOMER_COLUMNS, row, strict=True))
            values["contacts"] = len(own)
            changes = created_changes(values)
            yield (actor_id, actor_email, "import", "customer", str(row[0]), changes, client_addr)

    await repo.copy_imported(db, customer_rows(), contact_rows(), audit_rows())
    return ImportResult(customers=len(customers), contacts=contact_count)


async def export_csv(db: AsyncSession, *, encoding: str = "utf-8", delimiter: str = ";") -> bytes:
    """All customers (archived included) and their contacts as CSV, one row per contact."""
    writer = CsvWriter(delimiter=delimiter)
    writer.row(COLUMNS)
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
        writer.row(cells)
    # Characters Windows-1252 lacks become '?' rather than failing the whole export.
    return writer.encoded(encoding)

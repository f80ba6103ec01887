"""SQL for customers and contacts: one query builder for list items and their count."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable, Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    String,
    Uuid,
    bindparam,
    exists,
    func,
    literal,
    literal_column,
    or_,
    select,
    text,
    tuple_,
    union,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from workmate.customers.schemas import (
    ContactRead,
    CustomerDetail,
    CustomerRead,
    OpenInvoice,
    ProjectSummary,
)
from workmate.invoices.overdue import OPEN_STATUSES, is_open
from workmate.models import (
    AuditLog,
    Contact,
    Customer,
    Invoice,
    NumberCounter,
    Project,
)
from workmate.reads import Reader, json_object, read_sql

SORTS: dict[str, Any] = {
    "name": Customer.name,
    "number": Customer.number,
    "created_at": Customer.created_at,
    "city": Customer.city,
}


async def take_numbers(db: AsyncSession, count: int = 1) -> int:
    """Reserve `count` customer numbers; returns the first. The row lock queues concurrent
    takers and a rollback gives the numbers back, so numbers are unique and never reused."""
    stmt = (
        pg_insert(NumberCounter)
        .values(scope="customer", year=0, next_value=count + 1)
        .on_conflict_do_update(
            index_elements=[NumberCounter.scope, NumberCounter.year],
            set_={"next_value": NumberCounter.next_value + count},
        )
        .returning(NumberCounter.next_value)
    )
    after = (await db.execute(stmt)).scalar_one()
    return int(after) - count


def format_number(n: int) -> str:
    return f"K-{n:05d}"


# Column order of the records `copy_imported` takes; created_at and updated_at (and the
# audit row's id and time) come from the column defaults, as for an INSERT.
IMPORT_CUSTOMER_COLUMNS = (
    "id",
    "number",
    "name",
    "type",
    "email",
    "phone",
    "tax_id",
    "address",
    "street",
    "postal_code",
    "city",
    "country",
    "buyer_reference",
)
IMPORT_CONTACT_COLUMNS = (
    "id",
    "customer_id",
    "firstname",
    "lastname",
    "email",
    "phone",
    "position",
    "is_primary",
)
IMPORT_AUDIT_COLUMNS = (
    "actor_id",
    "actor_email",
    "action",
    "entity",
    "entity_id",
    "changes",
    "client_addr",
)


async def copy_imported(
    db: AsyncSession,
    customers: Iterable[tuple[Any, ...]],
    contacts: Iterable[tuple[Any, ...]],
    audit: Iterable[tuple[Any, ...]],
) -> None:
    """Bulk-write imported rows with binary COPY on the session's connection, inside its open
    transaction: constraints, defaults and triggers apply as for INSERT, a rollback undoes it.
    Records follow IMPORT_*_COLUMNS (`changes` is JSON text); iterators are consumed while
    the rows are sent, so producing them overlaps with the server writing them."""
    await db.flush()
    raw = await (await db.connection()).get_raw_connection()
    conn = raw.driver_connection
    assert conn is not None
    await conn.copy_records_to_table(
        Customer.__tablename__, records=customers, columns=IMPORT_CUSTOMER_COLUMNS
    )
    await conn.copy_records_to_table(
        Contact.__tablename__, records=contacts, columns=IMPORT_CONTACT_COLUMNS
    )
    await conn.copy_records_to_table(
        AuditLog.__tablename__, records=audit, columns=IMPORT_AUDIT_COLUMNS
    )


def _matches(q: str) -> ColumnElement[bool]:
    # Substring for fragments ("K-0004", "@firma"), word similarity (pg_trgm, <%) for typos.
    escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    like = f"%{escaped}%"
    # Two id sets joined by UNION, not one OR with a correlated EXISTS: an OR across tables
    # forces a scan computing trigram similarity for every customer row (466 ms at S when the
    # planner is kept from it), while each half alone is a BitmapOr over the trigram indexes.
    # An alias, so the inner select can never be auto-correlated to the outer customers.
    matched = aliased(Customer, name="matched")
    own = select(matched.id).where(
        or_(
            matched.name.ilike(like, escape="\\"),
            matched.number.ilike(like, escape="\\"),
            matched.email.ilike(like, escape="\\"),
            literal(q).op("<%")(matched.name),
            literal(q).op("<%")(matched.email),
        )
    )
    by_contact = select(Contact.customer_id).where(
        or_(
            Contact.lastname.ilike(like, escape="\\"),
            Contact.firstname.ilike(like, escape="\\"),
            literal(q).op("<%")(Contact.lastname),
            literal(q).op("<%")(Contact.firstname),
        )
    )
    return Customer.id.in_(union(own, by_contact))


def _relevance(q: str) -> ColumnElement[Any]:
    return func.greatest(
        func.word_similarity(q, Customer.name),
        func.word_similarity(q, func.coalesce(Customer.email, "")),
        func.word_similarity(q, Customer.number),
    )


def has_open_invoices() -> ColumnElement[bool]:
    return exists().where(Invoice.customer_id == Customer.id, is_open())


def filtered(
    *,
    q: str | None,
    type_: str | None,
    open_invoices: bool | None,
    archived: bool,
) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [
        Customer.archived_at.is_not(None) if archived else Customer.archived_at.is_(None),
        # Pure suppliers are business partners too, but not customers (purchases).
        Customer.is_customer.is_(True),
    ]
    if q:
        where.append(_matches(q))
    if type_:
        where.append(Customer.type == type_)
    if open_invoices is not None:
        where.append(has_open_invoices() if open_invoices else ~has_open_invoices())
    return where


# Sorts a keyset cursor can continue: their columns are NOT NULL, so (column, id) is a total
# order that a row comparison can resume from. city is nullable and relevance is computed;
# those lists page by offset only.
KEYSET_SORTS = frozenset({"name", "number", "created_at"})


def after(sort: str, value: Any, last_id: uuid.UUID) -> ColumnElement[bool]:
    """Rows after (value, last_id) in the list's order (sort column, then id ascending)."""
    column = SORTS[sort.lstrip("-")]
    if sort.startswith("-"):
        # Mixed directions (column descending, id ascending) cannot be one row comparison.
        return or_(column < value, (column == value) & (Customer.id > last_id))
    return tuple_(column, Customer.id) > tuple_(literal(value, column.type), literal(last_id))


_ROW_JSON = f"({json_object(CustomerRead, 'customers')})::text"


async def list_customers(
    db: AsyncSession,
    where: list[ColumnElement[bool]],
    *,
    q: str | None,
    sort: str,
    limit: int,
    offset: int,
    keyset: ColumnElement[bool] | None = None,
    as_json: bool = False,
) -> tuple[Sequence[Any], int, bool]:
    """A page of customers, the total under `where`, and whether more rows follow.

    `keyset` (rows after the previous page's last row) replaces the offset: the index on
    (name, id) then starts at the cursor, so page 1,000 costs what page 1 costs. One row
    beyond `limit` is read to learn whether there is a next page, without another query.
    `as_json`: rows of (json, id, sort column) instead of Customer objects.
    """
    desc = sort.startswith("-")
    column = SORTS.get(sort.lstrip("-"))
    stmt: Any
    if as_json:
        # Each row as the JSON of CustomerRead, built by PostgreSQL (the API's bytes path),
        # with the id and sort column beside it for the next page's cursor.
        keys = [Customer.id] + ([column] if column is not None else [])
        stmt = select(literal_column(_ROW_JSON, String()).label("json"), *keys).where(*where)
    else:
        stmt = select(Customer).where(*where)
    if keyset is not None:
        stmt = stmt.where(keyset)
    order: list[Any] = []
    if q and sort.lstrip("-") == "relevance":
        order.append(_relevance(q).desc())
    elif column is not None:
        order.append(column.desc() if desc else column.asc())
    # id breaks ties so pages never overlap or skip rows.
    order.append(Customer.id)
    stmt = stmt.order_by(*order).limit(limit + 1).offset(offset)
    if q and keyset is None:
        # A search matches few rows but costs a trigram pass; counting the matches in the same
        # statement (a window over them, before LIMIT) saves running the search twice.
        found = (await db.execute(stmt.add_columns(func.count().over()))).all()
        rows = list(found) if as_json else [row[0] for row in found]
        if found:
            return rows[:limit], int(found[0][-1]), len(rows) > limit
    else:
        rows = list((await db.execute(stmt)).all() if as_json else (await db.scalars(stmt)).all())
    if keyset is None and not offset and len(rows) <= limit:
        # The whole list fits on the first page: its length is the total.
        return rows, len(rows), False
    # Past the last row (no row to carry a window count) or a page of a longer list.
    total = await db.scalar(select(func.count()).select_from(Customer).where(*where))
    return rows[:limit], int(total or 0), len(rows) > limit


async def get(db: AsyncSession, customer_id: uuid.UUID, *, lock: bool = False) -> Customer | None:
    stmt = select(Customer).where(Customer.id == customer_id)
    if lock:
        stmt = stmt.with_for_update()
    return (await db.scalars(stmt)).one_or_none()


async def names(db: AsyncSession, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    rows = await db.execute(select(Customer.id, Customer.name).where(Customer.id.in_(list(ids))))
    return {row.id: row.name for row in rows}


async def has_invoices(db: AsyncSession, customer_id: uuid.UUID) -> bool:
    return bool(await db.scalar(select(exists().where(Invoice.customer_id == customer_id))))


async def has_projects(db: AsyncSession, customer_id: uuid.UUID) -> bool:
    return bool(await db.scalar(select(exists().where(Project.customer_id == customer_id))))


async def contacts_of(db: AsyncSession, customer_id: uuid.UUID) -> Sequence[Contact]:
    stmt = (
        select(Contact)
        .where(Contact.customer_id == customer_id)
        .order_by(Contact.is_primary.desc(), Contact.lastname, Contact.firstname, Contact.id)
    )
    return (await db.scalars(stmt)).all()


_CUSTOMER_COLUMNS = [c.name for c in Customer.__table__.columns]
_OPEN_STATUSES = ", ".join(f"'{status}'" for status in OPEN_STATUSES)

# The detail page in one statement and one round trip: the customer row with its contacts,
# projects and open invoices as JSON arrays, each ordered as its own list would be. Amounts
# leave PostgreSQL as text, so Decimal keeps their exact scale ("119.00", and "0" for an
# invoice without payments, as the sum has always answered). Payments are summed per
# invoice through idx_payments_invoice_id, never over all payments.
_DETAIL = text(
    f"""
SELECT {", ".join(f"c.{name}" for name in _CUSTOMER_COLUMNS)},
  (SELECT coalesce(json_agg(json_build_object(
            'id', k.id, 'customer_id', k.customer_id, 'firstname', k.firstname,
            'lastname', k.lastname, 'email', k.email, 'phone', k.phone,
            'position', k.position, 'is_primary', k.is_primary,
            'anonymized_at', k.anonymized_at, 'created_at', k.created_at,
            'updated_at', k.updated_at)
          ORDER BY k.is_primary DESC, k.lastname, k.firstname, k.id), '[]')
     FROM contacts k WHERE k.customer_id = c.id) AS contacts,
  (SELECT coalesce(json_agg(json_build_object(
            'id', p.id, 'title', p.title, 'status', p.status,
            'start_date', p.start_date, 'end_date', p.end_date)
          ORDER BY p.start_date DESC NULLS LAST, p.title, p.id), '[]')
     FROM projects p WHERE p.customer_id = c.id) AS projects,
  (SELECT coalesce(json_agg(json_build_object(
            'id', i.id, 'number', i.number, 'status', i.status, 'due_date', i.due_date,
            'total', i.total::text,
            'paid', (SELECT coalesce(sum(y.amount), 0) FROM payments y
                     WHERE y.invoice_id = i.id)::text,
            'credited', wm_invoice_credited(i.id)::text)
          ORDER BY i.due_date, i.number, i.id), '[]')
     FROM invoices i
     WHERE i.customer_id = c.id AND i.kind = 'invoice' AND i.status IN ({_OPEN_STATUSES})
  ) AS open_invoices
FROM customers c
WHERE c.id = :customer_id
"""  # noqa: S608 (built at import from model column names and constants; no input)
).bindparams(bindparam("customer_id", type_=Uuid()))


async def detail(db: AsyncSession, customer_id: uuid.UUID) -> dict[str, Any] | None:
    """The customer's columns plus `contacts`, `projects` and `open_invoices` (lists of dicts,
    amounts as text), or None."""
    row = (await db.execute(_DETAIL, {"customer_id": customer_id})).mappings().one_or_none()
    return dict(row) if row is not None else None


# The same answer as JSON built by PostgreSQL (the read path, workmate.reads): the response
# body in one statement, formatted as the CustomerDetail model would write it. Each open
# invoice's payments are summed once (LATERAL), for its paid and open amounts.
_DETAIL_JSON = read_sql(
    f"""
SELECT {
        json_object(
            CustomerDetail,
            "c",
            {
                "contacts": "(SELECT coalesce(json_agg("
                + json_object(ContactRead, "k")
                + " ORDER BY k.is_primary DESC, k.lastname, k.firstname, k.id), '[]')"
                " FROM contacts k WHERE k.customer_id = c.id)",
                "projects": "(SELECT coalesce(json_agg("
                + json_object(ProjectSummary, "p")
                + " ORDER BY p.start_date DESC NULLS LAST, p.title, p.id), '[]')"
                " FROM projects p WHERE p.customer_id = c.id)",
                "open_invoices": "coalesce(o.items, '[]')",
                "open_receivables": "coalesce(o.open_sum, 0.00)",
            },
        )
    }::text
FROM customers c
LEFT JOIN LATERAL (
  SELECT json_agg({
        json_object(
            OpenInvoice, "i", {"paid": "y.paid", "open_amount": "i.total - y.paid - y.credited"}
        )
    } ORDER BY i.due_date, i.number, i.id) AS items,
    sum(i.total - y.paid - y.credited) AS open_sum
  FROM invoices i
  CROSS JOIN LATERAL (
    SELECT coalesce(sum(pay.amount), 0) AS paid, wm_invoice_credited(i.id) AS credited
      FROM payments pay WHERE pay.invoice_id = i.id
  ) y
  WHERE i.customer_id = c.id AND i.kind = 'invoice' AND i.status IN ({_OPEN_STATUSES})
) o ON true
WHERE c.id = $1
"""  # noqa: S608 (built at import from model fields and constants; no input)
)


async def detail_json(reader: Reader, customer_id: uuid.UUID) -> str | None:
    """The CustomerDetail answer as JSON text from PostgreSQL, or None."""
    body: str | None = await reader.fetchval(_DETAIL_JSON, customer_id)
    return body


async def get_contact(
    db: AsyncSession, customer_id: uuid.UUID, contact_id: uuid.UUID, *, lock: bool = False
) -> Contact | None:
    stmt = select(Contact).where(Contact.id == contact_id, Contact.customer_id == customer_id)
    if lock:
        stmt = stmt.with_for_update()
    return (await db.scalars(stmt)).one_or_none()


async def unset_primary(db: AsyncSession, customer_id: uuid.UUID, keep: uuid.UUID | None) -> None:
    """Clear the current primary contact so another can take its place (same transaction)."""
    stmt = update(Contact).where(Contact.customer_id == customer_id, Contact.is_primary)
    if keep is not None:
        stmt = stmt.where(Contact.id != keep)
    await db.execute(stmt.values(is_primary=False))


async def audit_rows_for(db: AsyncSession, entity: str, entity_id: uuid.UUID) -> Sequence[AuditLog]:
    stmt = (
        select(AuditLog)
        .where(AuditLog.entity == entity, AuditLog.entity_id == str(entity_id))
        .order_by(AuditLog.at, AuditLog.id)
    )
    return (await db.scalars(stmt)).all()


async def export_rows(db: AsyncSession) -> Sequence[Any]:
    """Every customer left-joined to its contacts, in a stable order, for CSV export."""
    stmt = (
        select(Customer, Contact)
        .outerjoin(Contact, Contact.customer_id == Customer.id)
        .order_by(Customer.number, Contact.is_primary.desc(), Contact.lastname, Contact.id)
    )
    return (await db.execute(stmt)).all()


async def anonymize_contacts_of(db: AsyncSession, customer_id: uuid.UUID) -> int:
    result = await db.execute(
        update(Contact)
        .where(Contact.customer_id == customer_id, Contact.anonymized_at.is_(None))
        .values(
            firstname="anonymised",
            lastname="anonymised",
            email=None,
            phone=None,
            position=None,
            anonymized_at=func.now(),
        )
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]

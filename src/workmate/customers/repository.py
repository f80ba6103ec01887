"""SQL for customers and contacts: one query builder for list items and their count."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    exists,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from workmate.invoices.overdue import is_open
from workmate.models import (
    AuditLog,
    Contact,
    Customer,
    Invoice,
    NumberCounter,
    Payment,
    Project,
)

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


def _matches(q: str) -> ColumnElement[bool]:
    # Substring for fragments ("K-0004", "@firma"), word similarity (pg_trgm, <%) for typos.
    escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    like = f"%{escaped}%"
    contact_match = exists().where(
        Contact.customer_id == Customer.id,
        or_(
            Contact.lastname.ilike(like, escape="\\"),
            Contact.firstname.ilike(like, escape="\\"),
            literal(q).op("<%")(Contact.lastname),
            literal(q).op("<%")(Contact.firstname),
        ),
    )
    return or_(
        Customer.name.ilike(like, escape="\\"),
        Customer.number.ilike(like, escape="\\"),
        Customer.email.ilike(like, escape="\\"),
        literal(q).op("<%")(Customer.name),
        literal(q).op("<%")(Customer.email),
        contact_match,
    )


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
        Customer.archived_at.is_not(None) if archived else Customer.archived_at.is_(None)
    ]
    if q:
        where.append(_matches(q))
    if type_:
        where.append(Customer.type == type_)
    if open_invoices is not None:
        where.append(has_open_invoices() if open_invoices else ~has_open_invoices())
    return where


async def list_customers(
    db: AsyncSession,
    where: list[ColumnElement[bool]],
    *,
    q: str | None,
    sort: str,
    limit: int,
    offset: int,
) -> tuple[Sequence[Customer], int]:
    if q:
        # pg_trgm's default (0.6) misses one-letter typos in short words ("Hofman"); 0.4 finds
        # them without flooding. Transaction-local, so no other query is affected.
        await db.execute(select(func.set_config("pg_trgm.word_similarity_threshold", "0.4", True)))
    desc = sort.startswith("-")
    column = SORTS[sort.lstrip("-")]
    stmt = select(Customer).where(*where)
    order: list[Any] = []
    if q and sort.lstrip("-") == "relevance":
        order.append(_relevance(q).desc())
    elif sort.lstrip("-") != "relevance":
        order.append(column.desc() if desc else column.asc())
    # id breaks ties so pages never overlap or skip rows.
    order.append(Customer.id)
    items = (await db.scalars(stmt.order_by(*order).limit(limit).offset(offset))).all()
    total = await db.scalar(select(func.count()).select_from(Customer).where(*where))
    return items, int(total or 0)


async def get(db: AsyncSession, customer_id: uuid.UUID, *, lock: bool = False) -> Customer | None:
    stmt = select(Customer).where(Customer.id == customer_id)
    if lock:
        stmt = stmt.with_for_update()
    return (await db.scalars(stmt)).one_or_none()


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


async def projects_of(db: AsyncSession, customer_id: uuid.UUID) -> Sequence[Project]:
    stmt = (
        select(Project)
        .where(Project.customer_id == customer_id)
        .order_by(Project.start_date.desc().nulls_last(), Project.title, Project.id)
    )
    return (await db.scalars(stmt)).all()


async def open_invoices_of(db: AsyncSession, customer_id: uuid.UUID) -> list[dict[str, Any]]:
    """Open invoices with the amount paid so far, payments summed in SQL."""
    # Correlated per invoice (idx_payments_invoice_id), never a sum over all payments.
    paid = (
        select(func.coalesce(func.sum(Payment.amount), 0))
        .where(Payment.invoice_id == Invoice.id)
        .scalar_subquery()
    )
    stmt = (
        select(
            Invoice.id,
            Invoice.number,
            Invoice.status,
            Invoice.due_date,
            Invoice.total,
            paid.label("paid"),
        )
        .where(Invoice.customer_id == customer_id, is_open())
        .order_by(Invoice.due_date.nulls_last(), Invoice.number, Invoice.id)
    )
    rows = (await db.execute(stmt)).mappings().all()
    return [
        {**row, "paid": Decimal(row["paid"]), "open_amount": row["total"] - Decimal(row["paid"])}
        for row in rows
    ]


async def get_contact(
    db: AsyncSession, customer_id: uuid.UUID, contact_id: uuid.UUID
) -> Contact | None:
    stmt = select(Contact).where(Contact.id == contact_id, Contact.customer_id == customer_id)
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

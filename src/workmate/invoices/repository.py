"""SQL for invoices and their lines; one query builder for list items and their count."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Select,
    and_,
    case,
    delete,
    func,
    literal_column,
    not_,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from workmate.invoices.overdue import effective_status, is_open, is_overdue
from workmate.invoices.schemas import InvoiceRead, InvoiceSummary, LineRead
from workmate.invoices.totals import LEGAL_NOTES
from workmate.models import Customer, Invoice, InvoiceLine, Payment, Project, TimeEntry
from workmate.reads import Reader, json_build, json_object, read_sql

NEVER = 1_000_000


async def get(
    db: AsyncSession, invoice_id: uuid.UUID, *, for_update: bool = False
) -> Invoice | None:
    # populate_existing: triggers and bulk updates (payments, overdue job) change invoice rows
    # behind the ORM's back; a read must show the stored row, not a stale identity-map copy.
    query = (
        select(Invoice).where(Invoice.id == invoice_id).execution_options(populate_existing=True)
    )
    if for_update:
        query = query.with_for_update()
    return await db.scalar(query)


async def lines(db: AsyncSession, invoice_id: uuid.UUID) -> list[InvoiceLine]:
    result = await db.scalars(
        select(InvoiceLine)
        .where(InvoiceLine.invoice_id == invoice_id)
        .order_by(InvoiceLine.position, InvoiceLine.id)
    )
    return list(result)


async def get_line(
    db: AsyncSession, invoice_id: uuid.UUID, line_id: uuid.UUID
) -> InvoiceLine | None:
    return await db.scalar(
        select(InvoiceLine).where(InvoiceLine.id == line_id, InvoiceLine.invoice_id == invoice_id)
    )


async def delete_lines(db: AsyncSession, invoice_id: uuid.UUID) -> None:
    await db.execute(delete(InvoiceLine).where(InvoiceLine.invoice_id == invoice_id))


def paid_amount() -> Any:
    """Correlated sum of an invoice's payments (index on payments.invoice_id)."""
    return (
        select(func.coalesce(func.sum(Payment.amount), 0))
        .where(Payment.invoice_id == Invoice.id)
        .correlate(Invoice)
        .scalar_subquery()
    )


def credited_amount() -> Any:
    """Correlated sum of an invoice's issued partial credit notes (wm_invoice_credited, the
    definition the status triggers use; migration 0020)."""
    return func.wm_invoice_credited(Invoice.id)


def open_amount() -> Any:
    """What is still open of an issued invoice: total - payments - partial credit notes, never
    below 0 (a credit after payment is owed back); the rule of the service's _open."""
    return func.greatest(Invoice.total - paid_amount() - credited_amount(), literal_column("0.00"))


async def credited(db: AsyncSession, invoice_id: uuid.UUID) -> Decimal:
    total = await db.scalar(select(func.wm_invoice_credited(invoice_id)))
    return Decimal(total or 0)


async def credited_quantities(db: AsyncSession, invoice_id: uuid.UUID) -> dict[uuid.UUID, Decimal]:
    """Per line of the invoice, the quantity its issued partial credit notes credit."""
    note = aliased(Invoice)
    rows = await db.execute(
        select(InvoiceLine.credits_line_id, func.sum(InvoiceLine.quantity))
        .join(note, note.id == InvoiceLine.invoice_id)
        .where(
            note.cancels_id == invoice_id,
            note.partial,
            note.status != "draft",
            InvoiceLine.credits_line_id.is_not(None),
        )
        .group_by(InvoiceLine.credits_line_id)
    )
    return {line_id: Decimal(q) for line_id, q in rows if line_id is not None}


async def paid(db: AsyncSession, invoice_id: uuid.UUID) -> Decimal:
    total = await db.scalar(
        select(func.coalesce(func.sum(Payment.amount), 0)).where(Payment.invoice_id == invoice_id)
    )
    return Decimal(total or 0)


async def cancelled_by(db: AsyncSession, invoice_id: uuid.UUID) -> uuid.UUID | None:
    return await db.scalar(
        select(Invoice.id).where(Invoice.cancels_id == invoice_id, ~Invoice.partial)
    )


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


# The legal note per VAT treatment, from the one table in totals.py.
_LEGAL_NOTE = (
    "CASE i.vat_treatment "
    + " ".join(
        f"WHEN {_sql_text(k)} THEN {_sql_text(v)}" for k, v in LEGAL_NOTES.items() if v is not None
    )
    + " END"
)

# GET one invoice as InvoiceRead's JSON, built by PostgreSQL in one statement (the read path,
# workmate.reads); each value as the service's _read computes it: the effective status
# (overdue.status_of, today's business date in $2), the payments' sum, the partial credit
# notes' sum (wm_invoice_credited), the open amount by the rule of InvoiceService._open, the
# full credit note that cancels it, and VAT per rate by totals.compute: each rate's net summed,
# its tax rounded half-up to cents, rates descending. Where the service turns a zero Decimal
# into Decimal(0) ("x or 0"), the SQL writes 0 too, and a negative rate net whose tax rounds to
# zero gets Decimal's "-0.00", so the bytes equal the model's.
_DETAIL_JSON = read_sql(
    f"""
SELECT {
        json_object(
            InvoiceRead,
            "i",
            {
                "status": "CASE WHEN i.kind = 'invoice' AND (i.status = 'overdue'"
                " OR (i.status = 'sent' AND i.due_date < $2)) THEN 'overdue' ELSE i.status END",
                "paid_amount": "CASE WHEN y.paid = 0 THEN 0 ELSE y.paid END",
                "open_amount": "CASE WHEN i.kind <> 'invoice' OR i.status IN ('draft', 'cancelled')"
                " THEN 0.00 ELSE greatest(i.total - y.paid - y.credited, 0.00) END",
                "credited_amount": "CASE WHEN y.credited = 0 THEN 0 ELSE y.credited END",
                "cancelled_by_id": "(SELECT x.id FROM invoices x"
                " WHERE x.cancels_id = i.id AND NOT x.partial)",
                "legal_note": _LEGAL_NOTE,
                "lines": "(SELECT coalesce(json_agg("
                + json_object(LineRead, "l")
                + " ORDER BY l.position, l.id), '[]') FROM invoice_lines l"
                " WHERE l.invoice_id = i.id)",
                "per_rate": "(SELECT coalesce(json_agg(json_build_object("
                "'rate', trim_scale(r.rate)::text, 'net', r.net::text, 'tax', "
                "CASE WHEN r.net < 0 AND round(r.net * r.rate / 100, 2) = 0"
                " THEN '-0.00' ELSE round(r.net * r.rate / 100, 2)::text END)"
                " ORDER BY r.rate DESC), '[]')"
                " FROM (SELECT l.vat_rate AS rate, sum(l.net_amount) AS net"
                " FROM invoice_lines l WHERE l.invoice_id = i.id GROUP BY l.vat_rate) r)",
            },
        )
    }::text
FROM invoices i
CROSS JOIN LATERAL (
  SELECT coalesce(sum(p.amount), 0) AS paid, wm_invoice_credited(i.id) AS credited
    FROM payments p WHERE p.invoice_id = i.id
) y
WHERE i.id = $1
"""  # noqa: S608 (built at import from model fields and constants; no input)
)


async def detail_json(reader: Reader, invoice_id: uuid.UUID, today: date) -> str | None:
    """The InvoiceRead answer as JSON text from PostgreSQL, or None."""
    body: str | None = await reader.fetchval(_DETAIL_JSON, invoice_id, today)
    return body


async def customer(db: AsyncSession, customer_id: uuid.UUID) -> Customer | None:
    return await db.scalar(select(Customer).where(Customer.id == customer_id))


async def project(db: AsyncSession, project_id: uuid.UUID) -> Project | None:
    return await db.scalar(select(Project).where(Project.id == project_id))


async def bind_time_entries(
    db: AsyncSession, invoice_id: uuid.UUID, entry_ids: list[uuid.UUID]
) -> None:
    """Mark time entries as billed on the invoice (they are locked by the caller's query)."""
    await db.execute(
        update(TimeEntry).where(TimeEntry.id.in_(entry_ids)).values(invoice_id=invoice_id)
    )


async def next_number(db: AsyncSession, scope: str, year: int) -> int:
    """The next gapless value of (scope, year): the counter row stays locked until commit."""
    value = await db.scalar(
        text(
            "INSERT INTO number_counters (scope, year, next_value) VALUES (:scope, :year, 2) "
            "ON CONFLICT (scope, year) DO UPDATE "
            "SET next_value = number_counters.next_value + 1 "
            "RETURNING next_value - 1"
        ),
        {"scope": scope, "year": year},
    )
    return int(value)


@dataclass(frozen=True)
class ListFilter:
    status: str | None = None
    kind: str | None = None
    customer_id: uuid.UUID | None = None
    project_id: uuid.UUID | None = None
    issued_from: date | None = None
    issued_to: date | None = None
    number: str | None = None
    # Number, buyer or customer name contain this (the web list's search box).
    text: str | None = None
    # The invoices that bill a quote (down payments, final, or the quote as one invoice).
    quote_id: uuid.UUID | None = None


def _where(f: ListFilter, today: date) -> list[Any]:
    conditions: list[Any] = []
    if f.status == "overdue":
        conditions.append(is_overdue(today))
    elif f.status == "open":
        conditions.append(is_open())
    elif f.status == "sent":
        conditions += [Invoice.status == "sent", not_(is_overdue(today))]
    elif f.status is not None:
        conditions.append(Invoice.status == f.status)
    if f.kind is not None:
        conditions.append(Invoice.kind == f.kind)
    if f.customer_id is not None:
        conditions.append(Invoice.customer_id == f.customer_id)
    if f.project_id is not None:
        conditions.append(Invoice.project_id == f.project_id)
    if f.quote_id is not None:
        conditions.append(Invoice.quote_id == f.quote_id)
    if f.issued_from is not None:
        conditions.append(Invoice.issued_date >= f.issued_from)
    if f.issued_to is not None:
        conditions.append(Invoice.issued_date <= f.issued_to)
    if f.number:
        conditions.append(Invoice.number.ilike(f"%{f.number}%"))
    if f.text:
        pattern = "%" + f.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        named = select(Customer.id).where(Customer.name.ilike(pattern))
        conditions.append(
            or_(
                Invoice.number.ilike(pattern),
                Invoice.buyer_name.ilike(pattern),
                Invoice.customer_id.in_(named),
            )
        )
    return conditions


async def sums(db: AsyncSession, f: ListFilter, today: date) -> tuple[Decimal, Decimal]:
    """Gross total of every invoice the filter lists, and what is still open of them."""
    open_part = case((is_open(), open_amount()), else_=0)
    row = (
        await db.execute(
            select(
                func.coalesce(func.sum(Invoice.total), 0), func.coalesce(func.sum(open_part), 0)
            ).where(and_(True, *_where(f, today)))
        )
    ).one()
    return Decimal(row[0]), Decimal(row[1])


def _listing(f: ListFilter, today: date) -> Select[Any]:
    return select(
        Invoice,
        effective_status(today).label("effective_status"),
        paid_amount().label("paid"),
        credited_amount().label("credited"),
    ).where(and_(True, *_where(f, today)))


async def page(
    db: AsyncSession, f: ListFilter, today: date, limit: int, offset: int
) -> tuple[list[tuple[Invoice, str, Decimal, Decimal]], int]:
    """One page of invoices (newest first) with effective status, paid and credited sums, and
    the count."""
    where = and_(True, *_where(f, today))
    total = await db.scalar(select(func.count()).select_from(Invoice).where(where))
    rows = await db.execute(
        _listing(f, today)
        .order_by(Invoice.issued_date.desc().nulls_first(), Invoice.created_at.desc(), Invoice.id)
        .limit(limit)
        .offset(offset)
    )
    return [(inv, status, Decimal(p), Decimal(c)) for inv, status, p, c in rows.all()], int(
        total or 0
    )


async def page_json(
    db: AsyncSession, f: ListFilter, today: date, limit: int, offset: int
) -> tuple[list[str], int]:
    """The same page as `page`, each row as InvoiceSummary's JSON text built by PostgreSQL
    (effective status, paid sum, and the open amount by the rule of the service's _open)."""
    where = and_(True, *_where(f, today))
    total = await db.scalar(select(func.count()).select_from(Invoice).where(where))
    not_open = or_(Invoice.kind != "invoice", Invoice.status.in_(("draft", "cancelled")))
    row = json_build(
        InvoiceSummary,
        "invoices",
        {
            "status": effective_status(today),
            "paid_amount": paid_amount(),
            "open_amount": case((not_open, literal_column("0.00")), else_=open_amount()),
        },
    )
    rows = await db.scalars(
        select(row)
        .select_from(Invoice)
        .where(where)
        .order_by(Invoice.issued_date.desc().nulls_first(), Invoice.created_at.desc(), Invoice.id)
        .limit(limit)
        .offset(offset)
    )
    return list(rows.all()), int(total or 0)


# ---- overdue and dunning ----


async def mark_overdue(db: AsyncSession, today: date) -> list[tuple[uuid.UUID, str]]:
    rows = await db.execute(
        text(
            "UPDATE invoices SET status = 'overdue' "
            "WHERE status = 'sent' AND kind = 'invoice' AND due_date < :today "
            "RETURNING id, number"
        ),
        {"today": today},
    )
    return [(r[0], r[1]) for r in rows.all()]


async def raise_dunning(
    db: AsyncSession, today: date, thresholds: list[int]
) -> list[tuple[uuid.UUID, int, int]]:
    """Set each overdue invoice's dunning level to the highest level its days overdue reached."""
    # Unconfigured levels are never reached.
    days = [*thresholds[:3], *[NEVER] * (3 - len(thresholds[:3]))]
    rows = await db.execute(
        text(
            "WITH target AS ("
            "  SELECT id, dunning_level AS old,"
            "         CASE WHEN :today - due_date >= :d3 THEN 3"
            "              WHEN :today - due_date >= :d2 THEN 2"
            "              WHEN :today - due_date >= :d1 THEN 1 ELSE 0 END AS new"
            "    FROM invoices WHERE status = 'overdue' AND kind = 'invoice'"
            "     AND due_date < :today FOR UPDATE) "
            "UPDATE invoices i SET dunning_level = t.new, last_dunned_on = :today "
            "  FROM target t WHERE i.id = t.id AND t.new > t.old "
            "RETURNING i.id, t.old, t.new"
        ),
        {"today": today, "d1": days[0], "d2": days[1], "d3": days[2]},
    )
    return [(r[0], r[1], r[2]) for r in rows.all()]


# ---- statistics (all in SQL) ----


async def revenue_per_month(
    db: AsyncSession, start: date | None, end: date | None
) -> list[tuple[str, Decimal, Decimal]]:
    """Per month: invoiced gross (credit notes subtract) and payments received."""
    rows = await db.execute(
        text(
            "WITH issued AS ("
            "  SELECT to_char(issued_date, 'YYYY-MM') AS month,"
            "         sum(CASE WHEN kind = 'credit_note' THEN -total ELSE total END) AS amount"
            "    FROM invoices WHERE status <> 'draft'"
            "     AND (CAST(:start AS date) IS NULL OR issued_date >= :start)"
            "     AND (CAST(:end AS date) IS NULL OR issued_date <= :end)"
            "   GROUP BY 1),"
            " paid AS ("
            "  SELECT to_char(payment_date, 'YYYY-MM') AS month, sum(amount) AS amount"
            "    FROM payments"
            "   WHERE (CAST(:start AS date) IS NULL OR payment_date >= :start)"
            "     AND (CAST(:end AS date) IS NULL OR payment_date <= :end)"
            "   GROUP BY 1) "
            "SELECT COALESCE(i.month, p.month) AS month, COALESCE(i.amount, 0),"
            "       COALESCE(p.amount, 0)"
            "  FROM issued i FULL JOIN paid p ON p.month = i.month ORDER BY 1"
        ),
        {"start": start, "end": end},
    )
    return [(r[0], Decimal(r[1]), Decimal(r[2])) for r in rows.all()]


async def receivables(db: AsyncSession, today: date) -> tuple[Decimal, int, Decimal, int]:
    """Open amount and count of open invoices, and of overdue ones (the shared definition)."""
    open_amount_ = open_amount()
    overdue = is_overdue(today)
    row = (
        await db.execute(
            select(
                func.coalesce(func.sum(open_amount_), 0),
                func.count(),
                func.coalesce(func.sum(open_amount_).filter(overdue), 0),
                func.count().filter(overdue),
            ).where(is_open())
        )
    ).one()
    return Decimal(row[0]), int(row[1]), Decimal(row[2]), int(row[3])


async def average_days_to_pay(db: AsyncSession) -> Decimal | None:
    value = await db.scalar(
        text(
            "SELECT round(avg(p.last - i.issued_date), 1) FROM invoices i"
            "  JOIN (SELECT invoice_id, max(payment_date) AS last FROM payments"
            "         GROUP BY invoice_id) p ON p.invoice_id = i.id"
            " WHERE i.status = 'paid' AND i.kind = 'invoice'"
        )
    )
    return None if value is None else Decimal(value)


async def top_customers(
    db: AsyncSession, start: date | None, end: date | None, limit: int
) -> list[tuple[uuid.UUID, str, Decimal]]:
    rows = await db.execute(
        text(
            "SELECT c.id, c.name,"
            "       sum(CASE WHEN i.kind = 'credit_note' THEN -i.total ELSE i.total END) AS rev"
            "  FROM invoices i JOIN customers c ON c.id = i.customer_id"
            " WHERE i.status <> 'draft'"
            "   AND (CAST(:start AS date) IS NULL OR i.issued_date >= :start)"
            "   AND (CAST(:end AS date) IS NULL OR i.issued_date <= :end)"
            " GROUP BY c.id, c.name HAVING sum(CASE WHEN i.kind = 'credit_note'"
            "       THEN -i.total ELSE i.total END) > 0"
            " ORDER BY rev DESC, c.name LIMIT :limit"
        ),
        {"start": start, "end": end, "limit": limit},
    )
    return [(r[0], r[1], Decimal(r[2])) for r in rows.all()]

"""SQL for purchases: received files, suppliers (business partners), bills, payments, VAT."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from workmate.models import (
    Customer,
    IncomingInvoice,
    SupplierBill,
    SupplierBillTax,
    SupplierPayment,
)


async def next_value(db: AsyncSession, scope: str, year: int) -> int:
    """The next gapless value of a counter row, locked until commit (see NumberCounter)."""
    value = await db.scalar(
        text(
            "INSERT INTO number_counters (scope, year, next_value) VALUES (:scope, :year, 2) "
            "ON CONFLICT (scope, year) DO UPDATE "
            "SET next_value = number_counters.next_value + 1 "
            "RETURNING next_value - 1"
        ),
        {"scope": scope, "year": year},
    )
    return int(value or 1)


# ---- received files ----


async def incoming_by_sha(db: AsyncSession, sha256: str) -> IncomingInvoice | None:
    return await db.scalar(select(IncomingInvoice).where(IncomingInvoice.sha256 == sha256))


async def incoming(
    db: AsyncSession, incoming_id: uuid.UUID, *, owner: uuid.UUID | None = None
) -> tuple[IncomingInvoice, uuid.UUID | None] | None:
    """One received file and the id of its bill; `owner` limits to one uploader's files."""
    stmt = (
        select(IncomingInvoice, SupplierBill.id)
        .outerjoin(SupplierBill, SupplierBill.incoming_invoice_id == IncomingInvoice.id)
        .where(IncomingInvoice.id == incoming_id)
    )
    if owner is not None:
        stmt = stmt.where(IncomingInvoice.received_by == owner)
    row = (await db.execute(stmt)).first()
    return (row[0], row[1]) if row else None


def _incoming_filter(
    *, owner: uuid.UUID | None, status: str | None, booked: bool | None
) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if owner is not None:
        where.append(IncomingInvoice.received_by == owner)
    if status:
        where.append(IncomingInvoice.status == status)
    if booked is not None:
        # An alias: the page's query joins supplier_bills itself, and a subquery on the same
        # table would correlate to it and lose its FROM (a 500 on ?booked=).
        bill = aliased(SupplierBill)
        has_bill = select(bill.id).where(bill.incoming_invoice_id == IncomingInvoice.id)
        where.append(has_bill.exists() if booked else ~has_bill.exists())
    return where


async def incoming_page(
    db: AsyncSession,
    *,
    owner: uuid.UUID | None,
    status: str | None,
    booked: bool | None,
    limit: int,
    offset: int,
) -> tuple[list[tuple[IncomingInvoice, uuid.UUID | None]], int]:
    """Newest received first, each with its bill id; the total under the same filter."""
    where = _incoming_filter(owner=owner, status=status, booked=booked)
    rows = await db.execute(
        select(IncomingInvoice, SupplierBill.id)
        .outerjoin(SupplierBill, SupplierBill.incoming_invoice_id == IncomingInvoice.id)
        .where(*where)
        .order_by(IncomingInvoice.received_at.desc(), IncomingInvoice.id)
        .limit(limit)
        .offset(offset)
    )
    total = await db.scalar(select(func.count()).select_from(IncomingInvoice).where(*where))
    return [(r[0], r[1]) for r in rows.all()], int(total or 0)


async def originals_between(db: AsyncSession, start: date, end: date) -> list[IncomingInvoice]:
    """Received files of a period (by the Berlin day of receipt), oldest first."""
    day = func.date(func.timezone("Europe/Berlin", IncomingInvoice.received_at))
    return list(
        (
            await db.scalars(
                select(IncomingInvoice)
                .where(day >= start, day <= end)
                .order_by(IncomingInvoice.received_at, IncomingInvoice.id)
            )
        ).all()
    )


async def stale_incoming(db: AsyncSession, rules_version: str) -> list[uuid.UUID]:
    """E-invoices last checked with other rules than `rules_version`."""
    rows = await db.scalars(
        select(IncomingInvoice.id).where(
            IncomingInvoice.is_einvoice, IncomingInvoice.rules_version != rules_version
        )
    )
    return list(rows.all())


# ---- suppliers ----


def _compact(column: Any) -> ColumnElement[str]:
    return func.upper(func.regexp_replace(column, r"[\s./-]", "", "g"))


async def find_partner(
    db: AsyncSession, *, vat_id: str | None, tax_number: str | None, name: str | None
) -> Customer | None:
    """The business partner an invoice's seller is: by VAT id, then tax number, then the
    exact name (case ignored); suppliers before customers, oldest first. Locked.

    A transaction-level advisory lock on the seller's key makes concurrent bookings of the
    same new seller wait for each other, so the second finds the supplier the first made."""
    key = _compact_text(vat_id or tax_number or name or "")
    await db.execute(
        text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": f"wm-supplier:{key}"}
    )
    tests: list[ColumnElement[bool]] = []
    if vat_id:
        tests.append(_compact(Customer.tax_id) == _compact_text(vat_id))
    if tax_number:
        tests.append(_compact(Customer.tax_number) == _compact_text(tax_number))
        tests.append(_compact(Customer.tax_id) == _compact_text(tax_number))
    for test in tests:
        found = await _first_partner(db, test)
        if found is not None:
            return found
    if name:
        return await _first_partner(db, func.lower(Customer.name) == name.strip().lower())
    return None


def _compact_text(value: str) -> str:
    return "".join(c for c in value.upper() if c not in " \t\n./-")


async def _first_partner(db: AsyncSession, test: ColumnElement[bool]) -> Customer | None:
    return await db.scalar(
        select(Customer)
        .where(test, Customer.anonymized_at.is_(None))
        .order_by(Customer.is_supplier.desc(), Customer.created_at, Customer.id)
        .limit(1)
        .with_for_update()
    )


async def supplier(
    db: AsyncSession, supplier_id: uuid.UUID, *, lock: bool = False
) -> Customer | None:
    stmt = select(Customer).where(Customer.id == supplier_id)
    if lock:
        stmt = stmt.with_for_update()
    return await db.scalar(stmt)


async def suppliers_page(
    db: AsyncSession, q: str | None, limit: int, offset: int
) -> tuple[Sequence[Customer], int]:
    where: list[ColumnElement[bool]] = [
        Customer.is_supplier.is_(True),
        Customer.archived_at.is_(None),
    ]
    if q:
        like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where.append(
            or_(
                Customer.name.ilike(like, escape="\\"),
                Customer.supplier_number.ilike(like, escape="\\"),
                Customer.tax_id.ilike(like, escape="\\"),
            )
        )
    rows = await db.scalars(
        select(Customer)
        .where(*where)
        .order_by(Customer.name, Customer.id)
        .limit(limit)
        .offset(offset)
    )
    total = await db.scalar(select(func.count()).select_from(Customer).where(*where))
    return rows.all(), int(total or 0)


# ---- bills ----


def _paid() -> Any:
    return (
        select(func.coalesce(func.sum(SupplierPayment.amount), 0))
        .where(SupplierPayment.bill_id == SupplierBill.id)
        .correlate(SupplierBill)
        .scalar_subquery()
    )


def bills_select() -> Select[Any]:
    return select(SupplierBill, _paid().label("paid"), Customer.name).join(
        Customer, Customer.id == SupplierBill.supplier_id
    )


async def bill(
    db: AsyncSession, bill_id: uuid.UUID, *, lock: bool = False
) -> tuple[SupplierBill, Decimal, str] | None:
    stmt = bills_select().where(SupplierBill.id == bill_id)
    if lock:
        stmt = stmt.with_for_update(of=SupplierBill)
    row = (await db.execute(stmt)).first()
    return (row[0], Decimal(row[1]), row[2]) if row else None


async def bill_by_number(
    db: AsyncSession, supplier_id: uuid.UUID, invoice_number: str
) -> SupplierBill | None:
    """The bill this supplier's invoice number is already booked as (spaces, case ignored)."""
    key = func.upper(func.regexp_replace(SupplierBill.invoice_number, r"\s", "", "g"))
    return await db.scalar(
        select(SupplierBill).where(
            SupplierBill.supplier_id == supplier_id,
            key == "".join(invoice_number.split()).upper(),
        )
    )


async def bills_page(
    db: AsyncSession,
    where: list[ColumnElement[bool]],
    limit: int,
    offset: int,
) -> tuple[list[tuple[SupplierBill, Decimal, str]], int]:
    rows = await db.execute(
        bills_select()
        .where(*where)
        .order_by(SupplierBill.invoice_date.desc(), SupplierBill.number.desc())
        .limit(limit)
        .offset(offset)
    )
    total = await db.scalar(select(func.count()).select_from(SupplierBill).where(*where))
    return [(r[0], Decimal(r[1]), r[2]) for r in rows.all()], int(total or 0)


async def taxes_of(
    db: AsyncSession, bill_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[SupplierBillTax]]:
    out: dict[uuid.UUID, list[SupplierBillTax]] = {i: [] for i in bill_ids}
    if not bill_ids:
        return out
    rows = await db.scalars(
        select(SupplierBillTax)
        .where(SupplierBillTax.bill_id.in_(bill_ids))
        .order_by(SupplierBillTax.bill_id, SupplierBillTax.rate.desc(), SupplierBillTax.category)
    )
    for t in rows.all():
        out[t.bill_id].append(t)
    return out


async def payments_of(db: AsyncSession, bill_id: uuid.UUID) -> list[SupplierPayment]:
    return list(
        (
            await db.scalars(
                select(SupplierPayment)
                .where(SupplierPayment.bill_id == bill_id)
                .order_by(SupplierPayment.payment_date, SupplierPayment.created_at)
            )
        ).all()
    )


async def payment(
    db: AsyncSession, payment_id: uuid.UUID, *, lock: bool = False
) -> SupplierPayment | None:
    stmt = select(SupplierPayment).where(SupplierPayment.id == payment_id)
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return await db.scalar(stmt)


async def payment_by_key(db: AsyncSession, key: str) -> SupplierPayment | None:
    return await db.scalar(select(SupplierPayment).where(SupplierPayment.idempotency_key == key))


async def bills_between(
    db: AsyncSession, start: date, end: date
) -> list[tuple[SupplierBill, Customer, list[SupplierBillTax], IncomingInvoice | None]]:
    """Bills dated in the period with supplier, VAT rows and received original (DATEV)."""
    rows = (
        await db.execute(
            select(SupplierBill, Customer, IncomingInvoice)
            .join(Customer, Customer.id == SupplierBill.supplier_id)
            .outerjoin(IncomingInvoice, IncomingInvoice.id == SupplierBill.incoming_invoice_id)
            .where(SupplierBill.invoice_date >= start, SupplierBill.invoice_date <= end)
            .order_by(SupplierBill.invoice_date, SupplierBill.number)
        )
    ).all()
    taxes = await taxes_of(db, [r[0].id for r in rows])
    return [(r[0], r[1], taxes[r[0].id], r[2]) for r in rows]


async def payments_between(
    db: AsyncSession, start: date, end: date
) -> list[tuple[SupplierPayment, SupplierBill, Customer]]:
    rows = await db.execute(
        select(SupplierPayment, SupplierBill, Customer)
        .join(SupplierBill, SupplierBill.id == SupplierPayment.bill_id)
        .join(Customer, Customer.id == SupplierBill.supplier_id)
        .where(SupplierPayment.payment_date >= start, SupplierPayment.payment_date <= end)
        .order_by(SupplierPayment.payment_date, SupplierBill.number, SupplierPayment.id)
    )
    return [(r[0], r[1], r[2]) for r in rows.all()]


# ---- VAT figures ----

# Output VAT as the invoices state it: per invoice and rate, net times rate rounded to cents
# (EN 16931 BT-117, as workmate.einvoice computes it), then summed; credit notes count negative.
SALES_VAT = text(
    """
    WITH per_invoice AS (
        SELECT i.id, i.issued_date, i.kind, i.vat_treatment,
               CASE WHEN i.vat_treatment = 'regular' THEN l.vat_rate ELSE 0 END AS rate,
               sum(l.net_amount) AS net
          FROM invoices i JOIN invoice_lines l ON l.invoice_id = i.id
         WHERE i.status <> 'draft' AND i.issued_date BETWEEN :start AND :end
         GROUP BY i.id, 5
    )
    SELECT date_trunc('month', issued_date)::date AS month, rate,
           CASE WHEN vat_treatment = 'regular' THEN CASE WHEN rate = 0 THEN 'Z' ELSE 'S' END
                WHEN vat_treatment = 'reverse_charge' THEN 'AE' ELSE 'E' END AS category,
           sum(CASE WHEN kind = 'credit_note' THEN -net ELSE net END) AS net,
           sum(CASE WHEN kind = 'credit_note' THEN -round(net * rate / 100, 2)
                    ELSE round(net * rate / 100, 2) END) AS vat
      FROM per_invoice
     GROUP BY 1, 2, 3
     ORDER BY 1, 2 DESC, 3
    """
)

PURCHASE_VAT = text(
    """
    SELECT date_trunc('month', b.invoice_date)::date AS month, t.rate, t.category,
           sum(CASE WHEN b.kind = 'credit_note' THEN -t.net ELSE t.net END) AS net,
           sum(CASE WHEN b.kind = 'credit_note' THEN -t.tax ELSE t.tax END) AS vat
      FROM supplier_bills b JOIN supplier_bill_taxes t ON t.bill_id = b.id
     WHERE b.currency = 'EUR' AND b.invoice_date BETWEEN :start AND :end
     GROUP BY 1, 2, 3
     ORDER BY 1, 2 DESC, 3
    """
)

PURCHASES_LEFT_OUT = text(
    """
    SELECT date_trunc('month', b.invoice_date)::date AS month, count(*) AS n
      FROM supplier_bills b
     WHERE b.invoice_date BETWEEN :start AND :end
       AND (b.currency <> 'EUR'
            OR NOT EXISTS (SELECT 1 FROM supplier_bill_taxes t WHERE t.bill_id = b.id))
     GROUP BY 1
    """
)


async def vat_rows(
    db: AsyncSession, start: date, end: date
) -> tuple[list[Any], list[Any], list[Any]]:
    """Sales net per month/rate, purchase net and VAT per month/rate, bills left out."""
    params = {"start": start, "end": end}
    sales = (await db.execute(SALES_VAT, params)).all()
    purchases = (await db.execute(PURCHASE_VAT, params)).all()
    left = (await db.execute(PURCHASES_LEFT_OUT, params)).all()
    return list(sales), list(purchases), list(left)

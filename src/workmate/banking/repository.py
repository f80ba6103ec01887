"""SQL for banking: accounts, files, statements, transactions (bulk), matches, and the bulk
reads the matcher needs (open invoices, credit notes, known IBANs) in one query each."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    Table,
    any_,
    bindparam,
    case,
    func,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from workmate.banking.matching import Item
from workmate.models import (
    BankAccount,
    BankFile,
    BankMatch,
    BankStatement,
    BankTransaction,
    Customer,
    CustomerIban,
    Invoice,
    Payment,
    SupplierBill,
    SupplierPayment,
)

# Columns written by the bulk import, in COPY order.
TX_COLUMNS = (
    "id",
    "account_id",
    "statement_id",
    "key",
    "booking_date",
    "value_date",
    "amount",
    "currency",
    "counterparty_name",
    "counterparty_iban",
    "counterparty_bic",
    "purpose",
    "booking_text",
    "booking_code",
    "bank_reference",
    "end_to_end_id",
    "mandate_id",
    "creditor_id",
)
STAGING = "wm_bank_import"
UUIDS = ARRAY(PG_UUID(as_uuid=True))
TEXTS = ARRAY(String())


def one_of(column: Any, values: Sequence[Any], array_type: Any) -> ColumnElement[bool]:
    """column = ANY(:array): one parameter however many values (an IN list of a year of
    transactions would exceed the protocol's 32,767 parameters)."""
    condition: ColumnElement[bool] = column == any_(bindparam(None, list(values), type_=array_type))
    return condition


_COLUMNS = ", ".join(TX_COLUMNS)
# Keys already stored are skipped, not refused: re-imports and overlapping periods add nothing.
MOVE_STAGED = (
    f"INSERT INTO bank_transactions ({_COLUMNS}) SELECT {_COLUMNS} FROM {STAGING} "  # noqa: S608
    "ORDER BY booking_date, key ON CONFLICT (account_id, key) DO NOTHING RETURNING id"
)


# ---- accounts -------------------------------------------------------------------------------


async def account(
    db: AsyncSession, account_id: uuid.UUID, *, lock: bool = False
) -> BankAccount | None:
    query = select(BankAccount).where(BankAccount.id == account_id)
    if lock:
        # Imports into one account queue here: keys and statement checks see each other.
        query = query.with_for_update().execution_options(populate_existing=True)
    return await db.scalar(query)


async def accounts(db: AsyncSession, *, archived: bool = False) -> list[BankAccount]:
    query = select(BankAccount).order_by(BankAccount.name, BankAccount.id)
    if not archived:
        query = query.where(BankAccount.archived_at.is_(None))
    return list(await db.scalars(query))


async def account_in_use(db: AsyncSession, account_id: uuid.UUID) -> bool:
    return bool(
        await db.scalar(
            select(func.count()).select_from(BankFile).where(BankFile.account_id == account_id)
        )
    )


# ---- files and statements -------------------------------------------------------------------


async def file_by_sha(db: AsyncSession, account_id: uuid.UUID, sha256: str) -> BankFile | None:
    return await db.scalar(
        select(BankFile).where(BankFile.account_id == account_id, BankFile.sha256 == sha256)
    )


async def file(db: AsyncSession, file_id: uuid.UUID) -> BankFile | None:
    return await db.scalar(select(BankFile).where(BankFile.id == file_id))


async def known_fingerprints(
    db: AsyncSession, account_id: uuid.UUID, fingerprints: Sequence[str]
) -> set[str]:
    rows = await db.scalars(
        select(BankStatement.fingerprint).where(
            BankStatement.account_id == account_id,
            BankStatement.fingerprint.in_(list(fingerprints)),
        )
    )
    return set(rows)


def _continuity() -> Select[Any]:
    previous = (
        func.lag(BankStatement.closing_balance)
        .over(
            partition_by=BankStatement.account_id,
            order_by=(
                BankStatement.period_end,
                BankStatement.period_start,
                BankStatement.created_at,
                BankStatement.id,
            ),
        )
        .label("previous_closing")
    )
    return select(BankStatement, previous)


async def statements(
    db: AsyncSession,
    *,
    account_id: uuid.UUID | None = None,
    file_id: uuid.UUID | None = None,
    statement_id: uuid.UUID | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[tuple[BankStatement, Decimal | None]], int]:
    """Statements newest first with the closing balance of the one before each (per account,
    by period), so gaps show whatever order files were imported in."""
    inner = _continuity()
    if account_id is not None:
        inner = inner.where(BankStatement.account_id == account_id)
    else:
        # The window needs the whole account of the statements asked for.
        scope = select(BankStatement.account_id)
        if statement_id is not None:
            scope = scope.where(BankStatement.id == statement_id)
        if file_id is not None:
            scope = scope.where(BankStatement.file_id == file_id)
        inner = inner.where(BankStatement.account_id.in_(scope))
    sub = inner.subquery()
    row = select(BankStatement, sub.c.previous_closing).join(sub, sub.c.id == BankStatement.id)
    if statement_id is not None:
        row = row.where(BankStatement.id == statement_id)
    if file_id is not None:
        row = row.where(BankStatement.file_id == file_id)
    count = select(func.count()).select_from(row.subquery())
    total = int(await db.scalar(count) or 0)
    page = (
        row.order_by(
            BankStatement.period_end.desc(), BankStatement.period_start.desc(), BankStatement.id
        )
        .limit(limit)
        .offset(offset)
    )
    result = await db.execute(page)
    return [(s, prev) for s, prev in result], total


async def neighbours(
    db: AsyncSession, account_id: uuid.UUID, start: date, end: date
) -> tuple[BankStatement | None, list[BankStatement]]:
    """The statement ending last before `start`, and those overlapping [start, end]."""
    before = await db.scalar(
        select(BankStatement)
        .where(BankStatement.account_id == account_id, BankStatement.period_end < start)
        .order_by(BankStatement.period_end.desc(), BankStatement.created_at.desc())
        .limit(1)
    )
    overlapping = await db.scalars(
        select(BankStatement).where(
            BankStatement.account_id == account_id,
            BankStatement.period_start <= end,
            BankStatement.period_end >= start,
        )
    )
    return before, list(overlapping)


# ---- transactions ---------------------------------------------------------------------------


async def insert_transactions(db: AsyncSession, rows: Iterable[tuple[Any, ...]]) -> list[uuid.UUID]:
    """Bulk-write transactions (binary COPY into a staging table, then one INSERT ... ON
    CONFLICT DO NOTHING): keys already stored are skipped; returns the ids added."""
    await db.flush()
    await db.execute(
        text(
            f"CREATE TEMP TABLE IF NOT EXISTS {STAGING} "
            "(LIKE bank_transactions INCLUDING DEFAULTS) ON COMMIT DROP"
        )
    )
    await db.execute(text(f"TRUNCATE {STAGING}"))
    raw = await (await db.connection()).get_raw_connection()
    conn = raw.driver_connection
    assert conn is not None
    await conn.copy_records_to_table(STAGING, records=rows, columns=TX_COLUMNS)
    added = await db.scalars(text(MOVE_STAGED))
    ids = list(added)
    await db.execute(text(f"TRUNCATE {STAGING}"))
    return ids


async def transaction(
    db: AsyncSession, transaction_id: uuid.UUID, *, lock: bool = False
) -> BankTransaction | None:
    query = select(BankTransaction).where(BankTransaction.id == transaction_id)
    if lock:
        # Confirm, undo and ignore queue on the transaction row: one of two people wins.
        query = query.with_for_update().execution_options(populate_existing=True)
    return await db.scalar(query)


@dataclass(frozen=True, slots=True)
class TxFilter:
    account_id: uuid.UUID | None = None
    statement_id: uuid.UUID | None = None
    states: tuple[str, ...] = ()
    direction: str | None = None
    search: str | None = None
    date_from: date | None = None
    date_to: date | None = None


def _where(f: TxFilter) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if f.account_id is not None:
        where.append(BankTransaction.account_id == f.account_id)
    if f.statement_id is not None:
        where.append(BankTransaction.statement_id == f.statement_id)
    if f.states:
        where.append(BankTransaction.state.in_(f.states))
    if f.direction == "in":
        where.append(BankTransaction.amount > 0)
    elif f.direction == "out":
        where.append(BankTransaction.amount < 0)
    if f.date_from is not None:
        where.append(BankTransaction.booking_date >= f.date_from)
    if f.date_to is not None:
        where.append(BankTransaction.booking_date <= f.date_to)
    if f.search:
        escaped = f.search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        like = f"%{escaped}%"
        where.append(
            or_(
                BankTransaction.purpose.ilike(like),
                BankTransaction.counterparty_name.ilike(like),
                BankTransaction.counterparty_iban.ilike(like),
            )
        )
    return where


async def transactions(
    db: AsyncSession, f: TxFilter, limit: int, offset: int
) -> tuple[list[BankTransaction], int]:
    where = _where(f)
    total = int(
        await db.scalar(select(func.count()).select_from(BankTransaction).where(*where)) or 0
    )
    rows = await db.scalars(
        select(BankTransaction)
        .where(*where)
        .order_by(BankTransaction.booking_date.desc(), BankTransaction.key)
        .limit(limit)
        .offset(offset)
    )
    return list(rows), total


@dataclass(frozen=True, slots=True)
class TxRow:
    """What matching and booking read of a transaction (plain columns, no ORM object: a year
    of transactions is matched in one pass)."""

    id: uuid.UUID
    account_id: uuid.UUID
    key: str
    booking_date: date
    amount: Decimal
    counterparty_name: str | None
    counterparty_iban: str | None
    purpose: str | None
    end_to_end_id: str | None
    had_proposals: bool


async def unsettled(
    db: AsyncSession, account_id: uuid.UUID | None, ids: Sequence[uuid.UUID] | None = None
) -> list[TxRow]:
    """Transactions the matcher may look at again (not matched, not ignored), oldest first."""
    t = BankTransaction
    query = select(
        t.id,
        t.account_id,
        t.key,
        t.booking_date,
        t.amount,
        t.counterparty_name,
        t.counterparty_iban,
        t.purpose,
        t.end_to_end_id,
        t.state == "review",
    ).where(BankTransaction.state.in_(("open", "review")))
    if account_id is not None:
        query = query.where(BankTransaction.account_id == account_id)
    if ids is not None:
        query = query.where(one_of(BankTransaction.id, ids, UUIDS))
    query = query.order_by(
        BankTransaction.booking_date, BankTransaction.amount, BankTransaction.key
    )
    return [TxRow(*tuple(row)) for row in await db.execute(query)]


async def lock_unsettled(db: AsyncSession, ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
    """Lock transactions in id order (confirmations lock a transaction before its invoices;
    so does this), returning those still waiting (not matched or ignored meanwhile)."""
    rows = await db.scalars(
        select(BankTransaction.id)
        .where(
            one_of(BankTransaction.id, ids, UUIDS), BankTransaction.state.in_(("open", "review"))
        )
        .order_by(BankTransaction.id)
        .with_for_update()
    )
    return set(rows)


async def save_proposals(db: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """One executemany: {b_id, b_state, b_proposals} per transaction."""
    if not rows:
        return
    table: Table = BankTransaction.__table__  # type: ignore[assignment]
    await db.execute(
        update(table)
        .where(
            table.c.id == bindparam("b_id"),
            # Never over a decision taken meanwhile (matched by someone, ignored).
            or_(
                table.c.state == "open",
                table.c.state == "review",
                table.c.state == bindparam("b_state"),
            ),
        )
        .values(state=bindparam("b_state"), proposals=bindparam("b_proposals")),
        rows,
        execution_options={"synchronize_session": False},
    )


async def set_state(db: AsyncSession, tx: BankTransaction, state: str) -> None:
    tx.state = state
    await db.flush()


# ---- matches --------------------------------------------------------------------------------


async def matches_of(
    db: AsyncSession, transaction_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[tuple[BankMatch, str | None]]]:
    found: dict[uuid.UUID, list[tuple[BankMatch, str | None]]] = defaultdict(list)
    if not transaction_ids:
        return found
    rows = await db.execute(
        select(BankMatch, func.coalesce(Invoice.number, SupplierBill.number))
        .outerjoin(Invoice, Invoice.id == BankMatch.invoice_id)
        .outerjoin(SupplierBill, SupplierBill.id == BankMatch.bill_id)
        .where(BankMatch.transaction_id.in_(list(transaction_ids)))
        .order_by(BankMatch.created_at, BankMatch.id)
    )
    for match, number in rows:
        found[match.transaction_id].append((match, number))
    return found


async def add_matches(db: AsyncSession, matches: list[dict[str, Any]]) -> None:
    """One statement for all; the triggers check each match and set each state."""
    if matches:
        await db.execute(insert(BankMatch), matches)


async def delete_match(db: AsyncSession, match: BankMatch) -> None:
    await db.delete(match)
    await db.flush()


async def matches_for_invoice(db: AsyncSession, invoice_id: uuid.UUID) -> list[BankMatch]:
    return list(await db.scalars(select(BankMatch).where(BankMatch.invoice_id == invoice_id)))


# ---- what the matcher needs, in bulk --------------------------------------------------------


async def open_items(db: AsyncSession) -> list[Item]:
    """Open invoices (sent/overdue, open amount) and credit notes not fully refunded, with the
    customer's name; one query each."""
    paid = (
        select(Payment.invoice_id, func.sum(Payment.amount).label("paid"))
        .group_by(Payment.invoice_id)
        .subquery()
    )
    refunded = (
        select(BankMatch.invoice_id, func.sum(BankMatch.amount).label("refunded"))
        .where(BankMatch.kind == "refund")
        .group_by(BankMatch.invoice_id)
        .subquery()
    )
    name = func.coalesce(Invoice.buyer_name, Customer.name)
    base = (
        select(
            Invoice.id,
            Invoice.number,
            Invoice.kind,
            Invoice.customer_id,
            name,
            Invoice.total,
            Invoice.issued_date,
            Invoice.due_date,
        )
        .join(Customer, Customer.id == Invoice.customer_id)
        .where(Invoice.number.is_not(None), Invoice.currency == "EUR")
    )
    invoices = await db.execute(
        # Settled = payments + partial credit notes (open = total - both, migration 0020).
        base.add_columns(func.coalesce(paid.c.paid, 0) + func.wm_invoice_credited(Invoice.id))
        .outerjoin(paid, paid.c.invoice_id == Invoice.id)
        .where(Invoice.kind == "invoice", Invoice.status.in_(("sent", "overdue")))
    )
    notes = await db.execute(
        base.add_columns(func.coalesce(refunded.c.refunded, 0))
        .outerjoin(refunded, refunded.c.invoice_id == Invoice.id)
        .where(Invoice.kind == "credit_note", Invoice.status != "draft")
    )
    items = []
    for rows in (invoices, notes):
        for id_, number, kind, customer, cname, total, issued, due, done in rows:
            open_ = Decimal(total) - Decimal(done)
            if open_ > 0:
                items.append(Item(id_, number, kind, customer, cname, total, open_, issued, due))
    return items


async def open_bills(db: AsyncSession) -> list[Item]:
    """Supplier bills (not credit notes) in EUR with an open amount, as items of kind
    `supplier_bill`: the supplier's invoice number, the supplier as the customer."""
    paid = (
        select(SupplierPayment.bill_id, func.sum(SupplierPayment.amount).label("paid"))
        .group_by(SupplierPayment.bill_id)
        .subquery()
    )
    rows = await db.execute(
        select(
            SupplierBill.id,
            SupplierBill.invoice_number,
            SupplierBill.supplier_id,
            Customer.name,
            SupplierBill.amount_due,
            SupplierBill.amount_due - func.coalesce(paid.c.paid, 0),
            SupplierBill.invoice_date,
            SupplierBill.due_date,
            SupplierBill.number,
            SupplierBill.payment_reference,
        )
        .join(Customer, Customer.id == SupplierBill.supplier_id)
        .outerjoin(paid, paid.c.bill_id == SupplierBill.id)
        .where(
            SupplierBill.kind == "invoice",
            SupplierBill.status != "paid",
            SupplierBill.currency == "EUR",
        )
    )
    return [
        Item(
            id_,
            number,
            "supplier_bill",
            supplier,
            name,
            due,
            Decimal(open_),
            issued,
            due_date,
            own,
            reference,
        )
        for id_, number, supplier, name, due, open_, issued, due_date, own, reference in rows
        if open_ > 0
    ]


async def payee_ibans(db: AsyncSession, ibans: Iterable[str]) -> dict[str, set[uuid.UUID]]:
    """Suppliers by the IBANs we pay them at: the supplier's IBAN or one on a bill."""
    wanted = sorted({i for i in ibans if i})
    found: dict[str, set[uuid.UUID]] = defaultdict(set)
    if not wanted:
        return found
    compact = func.upper(func.replace(Customer.iban, " ", ""))
    suppliers = select(compact, Customer.id).where(
        Customer.is_supplier, one_of(compact, wanted, TEXTS)
    )
    on_bills = select(
        func.upper(func.replace(SupplierBill.iban, " ", "")), SupplierBill.supplier_id
    ).where(one_of(func.upper(func.replace(SupplierBill.iban, " ", "")), wanted, TEXTS))
    for query in (suppliers, on_bills):
        for iban, supplier in await db.execute(query):
            found[iban].add(supplier)
    return found


async def bills(db: AsyncSession, bill_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, SupplierBill]:
    if not bill_ids:
        return {}
    rows = await db.scalars(select(SupplierBill).where(SupplierBill.id.in_(list(bill_ids))))
    return {bill.id: bill for bill in rows}


async def known_ibans(db: AsyncSession, ibans: Iterable[str]) -> dict[str, set[uuid.UUID]]:
    wanted = sorted({i for i in ibans if i})
    found: dict[str, set[uuid.UUID]] = defaultdict(set)
    if not wanted:
        return found
    rows = await db.execute(
        select(CustomerIban.iban, CustomerIban.customer_id).where(
            one_of(CustomerIban.iban, wanted, TEXTS)
        )
    )
    for iban, customer in rows:
        found[iban].add(customer)
    return found


async def candidates(
    db: AsyncSession, query: str | None, kind: str, limit: int
) -> list[tuple[Invoice, str, Decimal]]:
    """Invoices (or credit notes) one may book on, searched by number, customer or amount."""
    paid = (
        select(func.coalesce(func.sum(Payment.amount), 0))
        .where(Payment.invoice_id == Invoice.id)
        .correlate(Invoice)
        .scalar_subquery()
    )
    refunded = (
        select(func.coalesce(func.sum(BankMatch.amount), 0))
        .where(BankMatch.invoice_id == Invoice.id, BankMatch.kind == "refund")
        .correlate(Invoice)
        .scalar_subquery()
    )
    done = case(
        (Invoice.kind == "invoice", paid + func.wm_invoice_credited(Invoice.id)), else_=refunded
    )
    name = func.coalesce(Invoice.buyer_name, Customer.name)
    statuses = ("sent", "overdue") if kind == "invoice" else ("sent", "overdue", "paid")
    stmt = (
        select(Invoice, name, Invoice.total - done)
        .join(Customer, Customer.id == Invoice.customer_id)
        .where(Invoice.kind == kind, Invoice.status.in_(statuses), Invoice.total - done > 0)
    )
    if query:
        escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        like = f"%{escaped}%"
        conditions: list[ColumnElement[bool]] = [
            Invoice.number.ilike(like),
            name.ilike(like),
            Customer.number.ilike(like),
        ]
        amount = _as_amount(query)
        if amount is not None:
            conditions.append(Invoice.total == amount)
            conditions.append(Invoice.total - done == amount)
        stmt = stmt.where(or_(*conditions))
    rows = await db.execute(stmt.order_by(Invoice.issued_date.desc(), Invoice.number).limit(limit))
    return [(inv, cname, Decimal(open_)) for inv, cname, open_ in rows]


async def bill_candidates(
    db: AsyncSession, query: str | None, limit: int
) -> list[tuple[SupplierBill, str, Decimal]]:
    """Open supplier bills one may pay, by the supplier's or our number, supplier or amount."""
    paid = (
        select(func.coalesce(func.sum(SupplierPayment.amount), 0))
        .where(SupplierPayment.bill_id == SupplierBill.id)
        .correlate(SupplierBill)
        .scalar_subquery()
    )
    open_ = SupplierBill.amount_due - paid
    stmt = (
        select(SupplierBill, Customer.name, open_)
        .join(Customer, Customer.id == SupplierBill.supplier_id)
        .where(SupplierBill.kind == "invoice", SupplierBill.status != "paid", open_ > 0)
    )
    if query:
        escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        like = f"%{escaped}%"
        conditions: list[ColumnElement[bool]] = [
            SupplierBill.invoice_number.ilike(like),
            SupplierBill.number.ilike(like),
            Customer.name.ilike(like),
        ]
        amount = _as_amount(query)
        if amount is not None:
            conditions += [SupplierBill.amount_due == amount, open_ == amount]
        stmt = stmt.where(or_(*conditions))
    rows = await db.execute(
        stmt.order_by(SupplierBill.invoice_date.desc(), SupplierBill.number).limit(limit)
    )
    return [(bill, name, Decimal(o)) for bill, name, o in rows]


def _as_amount(query: str) -> Decimal | None:
    text_ = query.strip().replace("€", "").replace(" ", "")
    if "," in text_:
        text_ = text_.replace(".", "").replace(",", ".")
    try:
        value = Decimal(text_)
    except ArithmeticError:
        return None
    return value if value.is_finite() and 0 < value < Decimal("1e10") else None


# ---- customer IBANs -------------------------------------------------------------------------


async def customer_ibans(db: AsyncSession, customer_id: uuid.UUID | None) -> list[CustomerIban]:
    query = select(CustomerIban).order_by(CustomerIban.created_at, CustomerIban.id)
    if customer_id is not None:
        query = query.where(CustomerIban.customer_id == customer_id)
    return list(await db.scalars(query))


async def customer_iban(
    db: AsyncSession, iban_id: uuid.UUID, *, lock: bool = False
) -> CustomerIban | None:
    stmt = select(CustomerIban).where(CustomerIban.id == iban_id)
    if lock:
        stmt = stmt.with_for_update()
    return await db.scalar(stmt)


async def remember_iban(
    db: AsyncSession, customer_id: uuid.UUID, iban: str, source: str, by: uuid.UUID | None
) -> bool:
    """Store the IBAN for the customer; False when it was known already."""
    result = await db.execute(
        pg_insert(CustomerIban)
        .values(id=uuid.uuid4(), customer_id=customer_id, iban=iban, source=source, created_by=by)
        .on_conflict_do_nothing(index_elements=["customer_id", "iban"])
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def customer_exists(db: AsyncSession, customer_id: uuid.UUID) -> bool:
    return bool(
        await db.scalar(
            select(func.count()).select_from(Customer).where(Customer.id == customer_id)
        )
    )


async def invoices(db: AsyncSession, invoice_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Invoice]:
    rows = await db.scalars(select(Invoice).where(Invoice.id.in_(list(invoice_ids))))
    return {invoice.id: invoice for invoice in rows}

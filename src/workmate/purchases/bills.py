"""Supplier bills (Eingangsrechnungen): booked from a received e-invoice or typed in from
paper, one per supplier and invoice number, paid in one or more payments.

How a payment is booked (also for the bank statement matching): `bill_service.pay(db, who,
bill_id, PaymentCreate(amount=..., payment_date=..., method="bank_transfer"),
idempotency_key=...)`. The bill row is locked by the database trigger, the sum can never pass
the amount due, and the bill's status (open / partly_paid / paid) follows the payments.
The open amount is `amount_due - paid` (BillRead.open_amount).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import AsyncSession

from workmate.audit.service import audit_service, diff
from workmate.auth.principal import Principal
from workmate.errors import Conflict, Invalid, NotFound
from workmate.models import SupplierBill, SupplierBillTax, SupplierPayment
from workmate.models.supplier_bill_tax import VAT_CATEGORIES
from workmate.pagination import Page, PageParams
from workmate.purchases import repository as repo
from workmate.purchases.schemas import (
    BillCreate,
    BillRead,
    BillUpdate,
    PaymentCreate,
    PaymentRead,
    TaxIn,
    TaxRead,
)
from workmate.purchases.suppliers import supplier_service

CENT = Decimal("0.01")
LIMIT = Decimal("1e10")  # NUMERIC(12, 2), the project's money type


class DuplicateBill(Conflict):
    """The supplier's invoice number is booked already; the message names the first bill."""

    def __init__(self, first: SupplierBill) -> None:
        super().__init__(
            "invoice {invoice_number} of this supplier is already booked as {number} "
            "(supplier bill {id})",
            field="invoice_number",
            params={
                "invoice_number": first.invoice_number,
                "number": first.number,
                "id": str(first.id),
            },
        )
        self.first_id = first.id


@dataclass
class BillFilter:
    supplier_id: uuid.UUID | None = None
    status: str | None = None
    project_id: uuid.UUID | None = None
    start: date | None = None
    end: date | None = None

    def where(self) -> list[ColumnElement[bool]]:
        out: list[ColumnElement[bool]] = []
        if self.supplier_id:
            out.append(SupplierBill.supplier_id == self.supplier_id)
        if self.status == "unpaid":
            out.append(SupplierBill.status != "paid")
        elif self.status:
            out.append(SupplierBill.status == self.status)
        if self.project_id:
            out.append(SupplierBill.project_id == self.project_id)
        if self.start:
            out.append(SupplierBill.invoice_date >= self.start)
        if self.end:
            out.append(SupplierBill.invoice_date <= self.end)
        return out


def _read(
    bill: SupplierBill, paid: Decimal, supplier: str, taxes: list[SupplierBillTax]
) -> BillRead:
    out = BillRead.model_validate(bill)
    out.supplier_name = supplier
    out.paid = paid.quantize(CENT)
    out.open_amount = max(bill.amount_due - paid, Decimal(0)).quantize(CENT)
    out.taxes = [TaxRead.model_validate(t) for t in taxes]
    return out


def _dec(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if value is not None else None
    except ArithmeticError:
        return None


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def taxes_from_invoice(groups: list[dict[str, Any]]) -> list[TaxIn]:
    """The VAT breakdown of a read invoice as bill rows (same category and rate merged)."""
    merged: dict[tuple[str, Decimal], list[Decimal]] = {}
    for g in groups:
        category = str(g.get("category") or "")
        rate = _dec(g.get("rate")) or Decimal(0)
        net, tax = _dec(g.get("basis")), _dec(g.get("amount"))
        if category not in VAT_CATEGORIES or net is None or tax is None or not 0 <= rate < 100:
            continue
        if abs(net) >= LIMIT or abs(tax) >= LIMIT:
            continue
        key = (category, rate.quantize(CENT))
        total = merged.setdefault(key, [Decimal(0), Decimal(0)])
        total[0] += net
        total[1] += tax
    return [
        TaxIn(category=c, rate=r, net=n.quantize(CENT), tax=t.quantize(CENT))
        for (c, r), (n, t) in merged.items()
    ]


@dataclass
class Stated:
    """A bill as a received invoice states it: the fields and its own net and VAT totals."""

    bill: BillCreate
    net: Decimal
    tax: Decimal


def bill_from_invoice(
    data: dict[str, Any], supplier_id: uuid.UUID, incoming_id: uuid.UUID
) -> Stated | str:
    """The bill a read invoice makes, or why it cannot be booked as stated."""
    totals = data.get("totals") or {}
    net, vat, gross = (
        _dec(totals.get("net")),
        _dec(totals.get("vat")) or Decimal(0),
        _dec(totals.get("gross")),
    )
    prepaid = _dec(totals.get("prepaid")) or Decimal(0)
    rounding = _dec(totals.get("rounding")) or Decimal(0)
    due = _dec(totals.get("due"))
    issued = _day(data.get("issue_date"))
    if not data.get("number") or issued is None:
        return "the invoice has no number or no date"
    if net is None or gross is None or gross != net + vat:
        return "the invoice's gross total is not its net total plus VAT"
    amounts = [net, vat, gross, prepaid, rounding, due or Decimal(0)]
    if any(abs(a) >= LIMIT or a != a.quantize(CENT) for a in amounts):
        return "the amounts have more than 10 digits before or 2 after the decimal point"
    if due is not None and due != gross - prepaid + rounding:
        if "extension" not in str(data.get("customization_id") or "").lower():
            return "the invoice's amount due is not gross minus prepaid plus rounding"
        # XRechnung Extension: third-party payments (BG-DEX-09) are part of the amount due;
        # they are kept in `prepaid` (negative), so the bill still adds up.
        prepaid = gross + rounding - due
    currency = str(data.get("currency") or "EUR").upper()
    iban = next((p.get("iban") for p in data.get("payment_means") or [] if p.get("iban")), None)
    bill = BillCreate.model_construct(
        supplier_id=supplier_id,
        invoice_number=str(data["number"])[:100],
        invoice_date=issued,
        kind="credit_note" if data.get("credit_note") else "invoice",
        category="other",
        service_start=_day(data.get("period_start")) or _day(data.get("delivery_date")),
        service_end=_day(data.get("period_end")),
        due_date=_day(data.get("due_date")),
        currency=currency if len(currency) == 3 and currency.isalpha() else "EUR",
        taxes=taxes_from_invoice(data.get("vat") or []),
        prepaid=prepaid,
        rounding=rounding,
        project_id=None,
        incoming_invoice_id=incoming_id,
        iban=str(iban).replace(" ", "")[:34] if iban else None,
        payment_reference=(data.get("payment_reference") or None)
        and str(data["payment_reference"])[:140],
        note=None,
    )
    return Stated(bill, net, vat)


class BillService:
    async def create(
        self,
        db: AsyncSession,
        who: Principal,
        data: BillCreate,
        *,
        totals: tuple[Decimal, Decimal] | None = None,
    ) -> BillRead:
        """Book a bill; the supplier's invoice number must be new for that supplier (409
        naming the first bill otherwise, in the database too). Net and VAT are the sums of
        the VAT rows, or the `totals` a received invoice states."""
        await supplier_service.get(db, data.supplier_id)
        first = await repo.bill_by_number(db, data.supplier_id, data.invoice_number)
        if first is not None:
            raise DuplicateBill(first)
        if data.service_start and data.service_end and data.service_end < data.service_start:
            raise Invalid("service_end must be on or after service_start", field="service_end")
        if totals is not None:
            net, tax = totals
        else:
            net = sum((t.net for t in data.taxes), Decimal(0))
            tax = sum((t.tax for t in data.taxes), Decimal(0))
        gross = net + tax
        year = data.invoice_date.year
        number = f"ER-{year}-{await repo.next_value(db, 'supplier_bill', year):05d}"
        bill = SupplierBill(
            number=number,
            supplier_id=data.supplier_id,
            incoming_invoice_id=data.incoming_invoice_id,
            project_id=data.project_id,
            kind=data.kind,
            category=data.category,
            invoice_number=data.invoice_number,
            invoice_date=data.invoice_date,
            service_start=data.service_start,
            service_end=data.service_end,
            due_date=data.due_date,
            currency=data.currency,
            net_total=net,
            tax_total=tax,
            gross_total=gross,
            prepaid=data.prepaid,
            rounding=data.rounding,
            amount_due=gross - data.prepaid + data.rounding,
            iban=data.iban,
            payment_reference=data.payment_reference,
            note=data.note,
            created_by=who.employee_id,
        )
        db.add(bill)
        await db.flush()
        keys = set()
        for t in data.taxes:
            key = (t.category, t.rate)
            if key in keys:
                raise Invalid("each VAT category and rate once", field="taxes")
            keys.add(key)
            db.add(
                SupplierBillTax(
                    bill_id=bill.id, category=t.category, rate=t.rate, net=t.net, tax=t.tax
                )
            )
        await db.flush()
        await audit_service.record(
            db, who, "create", "supplier_bill", bill.id, diff(None, audit_service.snapshot(bill))
        )
        return await self.get(db, bill.id)

    async def get(self, db: AsyncSession, bill_id: uuid.UUID) -> BillRead:
        """One bill with its VAT rows, what was paid and what is open (404 if unknown)."""
        found = await repo.bill(db, bill_id)
        if found is None:
            raise NotFound("supplier bill", field="bill_id")
        bill, paid, supplier = found
        await db.refresh(bill)
        taxes = await repo.taxes_of(db, [bill.id])
        return _read(bill, paid, supplier, taxes[bill.id])

    async def list_bills(
        self, db: AsyncSession, f: BillFilter, paging: PageParams
    ) -> Page[BillRead]:
        """Bills newest first (by invoice date), with paid and open amounts."""
        rows, total = await repo.bills_page(db, f.where(), paging.limit, paging.offset)
        taxes = await repo.taxes_of(db, [r[0].id for r in rows])
        return Page(
            items=[_read(b, p, s, taxes[b.id]) for b, p, s in rows],
            total=total,
            limit=paging.limit,
            offset=paging.offset,
        )

    async def update(
        self, db: AsyncSession, who: Principal, bill_id: uuid.UUID, data: BillUpdate
    ) -> BillRead:
        """Change category, project, due date or note; what the supplier stated stays."""
        found = await repo.bill(db, bill_id, lock=True)
        if found is None:
            raise NotFound("supplier bill", field="bill_id")
        bill = found[0]
        before = audit_service.snapshot(bill)
        for key, value in data.model_dump(exclude_unset=True).items():
            if value is None and key == "category":
                raise Invalid("category cannot be empty", field=key)
            setattr(bill, key, value)
        await db.flush()
        await audit_service.record(
            db, who, "update", "supplier_bill", bill.id, diff(before, audit_service.snapshot(bill))
        )
        return await self.get(db, bill.id)

    async def delete(self, db: AsyncSession, who: Principal, bill_id: uuid.UUID) -> None:
        """Undo a booking without payments (409 once paid); a received file stays kept."""
        found = await repo.bill(db, bill_id, lock=True)
        if found is None:
            raise NotFound("supplier bill", field="bill_id")
        bill, paid, _ = found
        if paid > 0:
            raise Conflict("the bill has payments and cannot be deleted", field="bill_id")
        before = audit_service.snapshot(bill)
        await db.delete(bill)
        await db.flush()
        await audit_service.record(db, who, "delete", "supplier_bill", bill_id, diff(before, None))

    async def pay(
        self,
        db: AsyncSession,
        who: Principal,
        bill_id: uuid.UUID,
        data: PaymentCreate,
        *,
        idempotency_key: str | None = None,
    ) -> PaymentRead:
        """Book a payment; never more than the open amount (the database locks the bill and
        checks the sum); a retry with the same Idempotency-Key returns the first payment."""
        if idempotency_key is not None:
            earlier = await repo.payment_by_key(db, idempotency_key)
            if earlier is not None:
                if earlier.bill_id != bill_id or earlier.amount != data.amount:
                    raise Conflict(
                        "this Idempotency-Key is already used for another payment",
                        field="Idempotency-Key",
                    )
                return PaymentRead.model_validate(earlier)
        found = await repo.bill(db, bill_id, lock=True)
        if found is None:
            raise NotFound("supplier bill", field="bill_id")
        bill, paid, _ = found
        open_amount = bill.amount_due - paid
        if data.amount > open_amount:
            raise Conflict(
                "payment exceeds the open amount of {open} {currency}",
                field="amount",
                params={"open": str(max(open_amount, Decimal(0))), "currency": bill.currency},
            )
        payment = SupplierPayment(
            bill_id=bill_id,
            amount=data.amount,
            payment_date=data.payment_date,
            method=data.method,
            note=data.note,
            idempotency_key=idempotency_key,
        )
        db.add(payment)
        await db.flush()
        await db.refresh(payment)
        await audit_service.record(
            db,
            who,
            "create",
            "supplier_payment",
            payment.id,
            diff(None, audit_service.snapshot(payment)),
        )
        return PaymentRead.model_validate(payment)

    async def delete_payment(self, db: AsyncSession, who: Principal, payment_id: uuid.UUID) -> None:
        """Remove a payment (a bank match's undo); the bill's status follows (open again).
        The bill is locked first, as booking does; of parallel deletes one finds it."""
        payment = await repo.payment(db, payment_id)
        if payment is None:
            raise NotFound("supplier payment", field="payment_id")
        await repo.bill(db, payment.bill_id, lock=True)
        payment = await repo.payment(db, payment_id, lock=True)
        if payment is None:
            raise NotFound("supplier payment", field="payment_id")
        before = audit_service.snapshot(payment)
        await db.delete(payment)
        await db.flush()
        await audit_service.record(
            db, who, "delete", "supplier_payment", payment_id, diff(before, None)
        )

    async def payments(self, db: AsyncSession, bill_id: uuid.UUID) -> list[PaymentRead]:
        """The payments of a bill, oldest first."""
        if await repo.bill(db, bill_id) is None:
            raise NotFound("supplier bill", field="bill_id")
        return [PaymentRead.model_validate(p) for p in await repo.payments_of(db, bill_id)]


bill_service = BillService()

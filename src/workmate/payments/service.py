"""Payments: the invoice row is locked while a payment is checked and written; the invoice's
status follows from the payments (a trigger, migration 0001), never from a client."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from workmate.audit.service import audit_service, diff
from workmate.auth.principal import Principal
from workmate.db import written_with
from workmate.errors import Conflict, Invalid, NotFound
from workmate.invoices.overdue import today as business_today
from workmate.models import Payment
from workmate.payments import repository
from workmate.payments.repository import PAYMENTS
from workmate.payments.schemas import PaymentCreate

IDEMPOTENCY_HEADER = "Idempotency-Key"


@dataclass(frozen=True)
class Booked:
    payment: Payment
    # True when an Idempotency-Key retry returned the payment booked the first time.
    replayed: bool


def request_hash(invoice_id: uuid.UUID, data: PaymentCreate) -> str:
    canonical = json.dumps(
        {
            "invoice_id": str(invoice_id),
            "amount": str(data.amount.quantize(Decimal("0.01"))),
            "payment_date": data.payment_date.isoformat() if data.payment_date else None,
            "method": data.method,
            "note": data.note,
        },
        sort_keys=True,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


class PaymentService:
    async def create(
        self,
        db: AsyncSession,
        who: Principal,
        invoice_id: uuid.UUID,
        data: PaymentCreate,
        idempotency_key: str | None = None,
    ) -> Booked:
        """Book a payment on an open invoice; more than the open amount is a 409 stating it.
        A retry with the same Idempotency-Key returns the first payment; another body, 422."""
        invoice = await repository.lock_invoice(db, invoice_id)
        if invoice is None:
            raise NotFound("invoice", field="invoice_id")
        digest = request_hash(invoice_id, data)
        if idempotency_key is not None:
            # Looked up after taking the lock: a concurrent first attempt has committed by now.
            earlier = await repository.by_key(db, idempotency_key)
            if earlier is not None:
                if earlier.request_hash != digest:
                    raise Invalid(
                        "this Idempotency-Key was used with a different payment",
                        field=IDEMPOTENCY_HEADER,
                    )
                return Booked(earlier, replayed=True)
        if invoice.kind != "invoice":
            raise Conflict("credit notes take no payments", field="invoice_id")
        paid, credited = await repository.settled(db, invoice.id)
        open_amount = invoice.total - paid - credited
        if invoice.status == "paid":
            raise Conflict(
                "invoice {number} is already paid; the open amount is 0.00 EUR",
                field="amount",
                params={"number": invoice.number},
            )
        if invoice.status not in ("sent", "overdue"):
            raise Conflict(
                "invoice is {status}; payments are booked on issued, open invoices only",
                field="invoice_id",
                params={"status": invoice.status},
            )
        if data.amount > open_amount:
            raise Conflict(
                "payment of {amount} EUR exceeds the open amount of {open} EUR",
                field="amount",
                params={"amount": data.amount, "open": open_amount},
            )
        payment_date = data.payment_date or business_today()
        if payment_date > business_today():
            raise Invalid("payment_date must not be in the future", field="payment_date")
        values: dict[str, Any] = {
            "id": uuid.uuid4(),
            "invoice_id": invoice.id,
            "amount": data.amount,
            "payment_date": payment_date,
            "method": data.method,
            "note": data.note,
            "idempotency_key": idempotency_key,
            "request_hash": digest if idempotency_key else None,
        }
        changes = diff(None, {k: values[k] for k in _AUDITED})
        table = PAYMENTS
        # The INSERT returns the row with its server defaults and carries its audit row: one
        # statement, no re-read.
        payment = await written_with(
            db,
            Payment,
            insert(table).values(values).returning(*table.c),
            lambda _: [audit_service.insert(who, "create", "payment", values["id"], changes)],
        )
        assert payment is not None
        return Booked(payment, replayed=False)

    async def create_many(
        self,
        db: AsyncSession,
        who: Principal,
        bookings: list[tuple[uuid.UUID, PaymentCreate, str]],
    ) -> list[Payment]:
        """Book several payments (invoice, payment, Idempotency-Key) under the rules of
        `create`, for bulk paths such as bank matching: the invoices are locked together (id
        order), none beyond its open amount, no key used before; one refusal refuses all."""
        if not bookings:
            return []
        ids = sorted({invoice_id for invoice_id, _, _ in bookings})
        invoices = await repository.lock_invoices(db, ids)
        paid = await repository.paid_many(db, ids)
        credited = await repository.credited_many(db, ids)
        keys = [key for _, _, key in bookings]
        if len(set(keys)) != len(keys) or await repository.keys_in_use(db, keys):
            raise Conflict(
                "an Idempotency-Key of these payments is already used", field=IDEMPOTENCY_HEADER
            )
        today = business_today()
        payments = []
        for invoice_id, data, key in bookings:
            invoice = invoices.get(invoice_id)
            if invoice is None:
                raise NotFound("invoice", field="invoice_id")
            if invoice.kind != "invoice" or invoice.status not in ("sent", "overdue"):
                raise Conflict(
                    "invoice {number} takes no payment ({status})",
                    field="invoice_id",
                    params={"number": invoice.number, "status": invoice.status},
                )
            open_amount = (
                invoice.total
                - paid.get(invoice_id, Decimal(0))
                - credited.get(invoice_id, Decimal(0))
            )
            if data.amount > open_amount:
                raise Conflict(
                    "payment of {amount} EUR exceeds the open amount of {open} EUR",
                    field="amount",
                    params={"amount": data.amount, "open": open_amount},
                )
            paid[invoice_id] = paid.get(invoice_id, Decimal(0)) + data.amount
            payment_date = data.payment_date or today
            if payment_date > today:
                raise Invalid("payment_date must not be in the future", field="payment_date")
            payments.append(
                Payment(
                    id=uuid.uuid4(),
                    invoice_id=invoice_id,
                    amount=data.amount,
                    payment_date=payment_date,
                    method=data.method,
                    note=data.note,
                    idempotency_key=key,
                    request_hash=request_hash(invoice_id, data),
                )
            )
        # One statement for all (no RETURNING: the ids are ours); the triggers still check
        # every row and set each invoice's status.
        await db.flush()
        await db.execute(insert(Payment), [{c: getattr(p, c) for c in _COLUMNS} for p in payments])
        await audit_service.record_many(
            db,
            who,
            "create",
            "payment",
            [(p.id, diff(None, audit_service.snapshot(p, _AUDITED))) for p in payments],
        )
        return payments

    async def list_for_invoice(self, db: AsyncSession, invoice_id: uuid.UUID) -> list[Payment]:
        """The payments of an invoice, oldest first."""
        if not await repository.invoice_exists(db, invoice_id):
            raise NotFound("invoice", field="invoice_id")
        return await repository.of_invoice(db, invoice_id)

    async def delete(self, db: AsyncSession, who: Principal, payment_id: uuid.UUID) -> None:
        """Remove a payment; the invoice reopens (sent, or overdue when past due)."""
        payment = await repository.get(db, payment_id)
        if payment is None:
            raise NotFound("payment", field="payment_id")
        # Same lock order as booking: invoice first, so a delete and a payment queue. Then the
        # payment itself, read again: of parallel deletes only the first finds it, the others
        # answer 404 and write no audit row.
        await repository.lock_invoice(db, payment.invoice_id)
        if await repository.get(db, payment_id, lock=True) is None:
            raise NotFound("payment", field="payment_id")
        before = audit_service.snapshot(payment, _AUDITED)
        await db.delete(payment)
        await db.flush()
        await audit_service.record(db, who, "delete", "payment", payment_id, diff(before, None))


_AUDITED = ("invoice_id", "amount", "payment_date", "method", "note", "idempotency_key")
_COLUMNS = ("id", *_AUDITED, "request_hash")

payment_service = PaymentService()

"""HTTP routes for payments (thin: validate, call the service, shape the answer)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Response

from workmate.db import SessionDep
from workmate.models import Payment
from workmate.payments.auth import PaymentsDelete, PaymentsRead, PaymentsWrite
from workmate.payments.schemas import PaymentCreate, PaymentRead
from workmate.payments.service import payment_service

router = APIRouter(prefix="", tags=["payments"])


@router.post("/invoices/{invoice_id}/payments", response_model=PaymentRead, status_code=201)
async def create_payment(
    invoice_id: uuid.UUID,
    data: PaymentCreate,
    who: PaymentsWrite,
    db: SessionDep,
    response: Response,
    idempotency_key: Annotated[
        str | None, Header(alias="Idempotency-Key", min_length=1, max_length=200)
    ] = None,
) -> Payment:
    """Book a payment; above the open amount is 409. Same Idempotency-Key: same result."""
    booked = await payment_service.create(db, who, invoice_id, data, idempotency_key)
    if booked.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return booked.payment


@router.get("/invoices/{invoice_id}/payments", response_model=list[PaymentRead])
async def list_payments(invoice_id: uuid.UUID, who: PaymentsRead, db: SessionDep) -> list[Payment]:
    """The payments booked on an invoice, oldest first."""
    return await payment_service.list_for_invoice(db, invoice_id)


@router.delete("/payments/{payment_id}", status_code=204)
async def delete_payment(payment_id: uuid.UUID, who: PaymentsDelete, db: SessionDep) -> Response:
    """Remove a payment; the invoice is open again (sent or overdue)."""
    await payment_service.delete(db, who, payment_id)
    return Response(status_code=204)

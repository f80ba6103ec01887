"""GiroCode: the EPC QR code asks for the open amount, and only where a transfer is due."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.einvoice import SCENARIOS, make_payment, make_seller, single_rate
from workmate.einvoice.girocode import epc_qr, payload_fields
from workmate.einvoice.service import einvoice_service


async def test_code_carries_iban_open_amount_and_number(db: AsyncSession) -> None:
    await make_seller(db)
    invoice = await single_rate(db)
    await make_payment(db, invoice, Decimal("200.00"))
    doc = await einvoice_service.document(db, invoice.id)
    fields = payload_fields(doc)
    assert fields is not None
    name, iban, amount, text = fields
    assert name == "Müller & Söhne Softwareentwicklung GmbH"
    assert iban == "DE89370400440532013000"
    assert amount == invoice.total - Decimal("200.00")
    assert invoice.number in text
    qr = epc_qr(doc)
    assert qr is not None
    assert qr.error == "M"
    assert qr.version <= 13  # the EPC limit


async def test_no_code_for_credit_notes_or_paid_invoices(db: AsyncSession) -> None:
    await make_seller(db)
    note = await SCENARIOS["credit_note"](db)
    assert epc_qr(await einvoice_service.document(db, note.id)) is None
    paid = await single_rate(db)
    await make_payment(db, paid, paid.total)
    assert epc_qr(await einvoice_service.document(db, paid.id)) is None


async def test_no_code_without_iban(db: AsyncSession) -> None:
    await make_seller(db, iban=None)
    invoice = await single_rate(db)
    assert epc_qr(await einvoice_service.document(db, invoice.id)) is None

"""GiroCode (EPC QR code, version 002): a banking app fills in a SEPA transfer from it."""

from __future__ import annotations

from decimal import Decimal

import segno
from segno import helpers

from workmate.einvoice.data import InvoiceDocument

# EPC limits: beneficiary name 70 characters, unstructured remittance 140, amount at most
# 999,999,999.99 EUR.
MAX_NAME = 70
MAX_TEXT = 140
MAX_AMOUNT = Decimal("999999999.99")


def payload_fields(doc: InvoiceDocument) -> tuple[str, str, Decimal, str] | None:
    """(name, IBAN, amount, text) for the open amount, or None where no transfer is due."""
    amount = doc.open_amount
    iban = (doc.bank.iban or "").replace(" ", "")
    if (
        doc.is_credit_note
        or doc.currency != "EUR"
        or not iban
        or not doc.seller.name
        or amount <= 0
        or amount > MAX_AMOUNT
    ):
        return None
    text = f"{doc.number} Kd {doc.customer_number}"[:MAX_TEXT]
    return doc.seller.name[:MAX_NAME], iban, amount, text


def epc_qr(doc: InvoiceDocument) -> segno.QRCode | None:
    """The GiroCode for the open amount of an invoice in EUR; None for credit notes and paid."""
    fields = payload_fields(doc)
    if fields is None:
        return None
    name, iban, amount, text = fields
    return helpers.make_epc_qr(
        name=name, iban=iban, amount=amount, text=text, bic=doc.bank.bic or None
    )

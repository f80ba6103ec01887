"""Rules for invoice documents: only issued invoices with consistent totals are rendered."""

from __future__ import annotations

import re
import uuid
from datetime import date

import anyio.to_thread
from sqlalchemy.ext.asyncio import AsyncSession

from workmate import clock
from workmate.einvoice import repository
from workmate.einvoice.data import InvoiceDocument
from workmate.errors import Conflict, NotFound
from workmate.models import Invoice

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class InvoiceNotIssued(Conflict):
    def __init__(self) -> None:
        super().__init__("a draft has no invoice document yet; issue it first")


class SellerIncomplete(Conflict):
    def __init__(self, missing: list[str]) -> None:
        super().__init__(
            "company settings lack " + ", ".join(missing) + " (needed on every invoice)",
            field=missing[0],
        )


class TotalsMismatch(Conflict):
    def __init__(self, number: str) -> None:
        super().__init__(f"the stored totals of invoice {number} do not match its lines")


def safe_filename(number: str, fallback: str) -> str:
    """A file name made from an invoice number: letters, digits, . _ - only, never a path."""
    name = _UNSAFE.sub("_", number).strip("._")[:100]
    return name or fallback


def check_totals(doc: InvoiceDocument) -> InvoiceDocument:
    """The stored totals equal the lines' sums, VAT per rate on the rate's net."""
    groups = doc.vat_groups()
    tax = sum((g.amount for g in groups), start=doc.tax_total * 0)
    if (
        not doc.lines
        or doc.line_total != doc.net_total
        or tax != doc.tax_total
        or doc.net_total + doc.tax_total != doc.total
    ):
        # A document that disagrees with the books is worse than none.
        raise TotalsMismatch(doc.number)
    return doc


def check(doc: InvoiceDocument) -> InvoiceDocument:
    """§14 UStG data of the seller present, and the stored totals equal to the lines' sums."""
    seller = doc.seller
    missing = [
        name
        for name, value in (
            ("name", seller.name),
            ("street", seller.street),
            ("postal_code", seller.postal_code),
            ("city", seller.city),
            ("tax_number or vat_id", seller.tax_number or seller.vat_id),
        )
        if not value
    ]
    if missing:
        raise SellerIncomplete(missing)
    return check_totals(doc)


class EinvoiceService:
    async def documents(
        self, session: AsyncSession, invoice_ids: list[uuid.UUID], *, printable: bool = True
    ) -> dict[uuid.UUID, InvoiceDocument]:
        """Checked snapshots of issued invoices, loaded in a fixed number of queries;
        `printable` also demands the seller data every printed invoice needs."""
        docs = await repository.load_documents(session, invoice_ids)
        rule = check if printable else check_totals
        return {key: rule(doc) for key, doc in docs.items()}

    async def issued_between(
        self, session: AsyncSession, start: date | None, end: date | None
    ) -> list[Invoice]:
        """Issued invoices and credit notes with an issue date in the period."""
        return await repository.issued_between(session, start, end)

    async def document(self, session: AsyncSession, invoice_id: uuid.UUID) -> InvoiceDocument:
        """The checked snapshot of one issued invoice; 404 if unknown, 409 for a draft."""
        invoice = await repository.get_invoice(session, invoice_id)
        if invoice is None:
            raise NotFound("invoice")
        if invoice.status == "draft":
            raise InvoiceNotIssued()
        return (await self.documents(session, [invoice_id]))[invoice_id]

    async def draft_preview(self, session: AsyncSession, invoice_id: uuid.UUID) -> bytes:
        """A draft's PDF as it would look when issued, marked ENTWURF instead of a number;
        nothing is stored and no number is taken (404 unknown, 409 already issued)."""
        from dataclasses import replace

        from workmate.einvoice.pdf import render_page_pdf

        invoice = await repository.get_invoice(session, invoice_id)
        if invoice is None:
            raise NotFound("invoice")
        if invoice.status != "draft":
            raise Conflict(
                "invoice {number} is issued; open its PDF", params={"number": invoice.number}
            )
        doc = (await repository.load_documents(session, [invoice_id]))[invoice_id]
        draft = replace(doc, number="ENTWURF", issued_date=clock.today())
        return await anyio.to_thread.run_sync(render_page_pdf, draft)


einvoice_service = EinvoiceService()

"""SQL for invoice documents: read invoices with everything printed on them, in few queries."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from workmate import clock
from workmate.company.service import legal_line
from workmate.einvoice.data import Bank, Deduction, InvoiceDocument, Line, Party
from workmate.models import (
    CompanySettings,
    Customer,
    Employee,
    Invoice,
    InvoiceLine,
    Payment,
    Quote,
    Role,
)


async def get_invoice(
    session: AsyncSession, invoice_id: uuid.UUID, *, lock: bool = False
) -> Invoice | None:
    query = select(Invoice).where(Invoice.id == invoice_id)
    if lock:
        # Two first requests for the same document queue here; the second finds pdf_path set.
        query = query.with_for_update().execution_options(populate_existing=True)
    return await session.scalar(query)


async def settings(session: AsyncSession) -> CompanySettings | None:
    return await session.get(CompanySettings, 1)


async def issued_between(
    session: AsyncSession, start: date | None, end: date | None
) -> list[Invoice]:
    """Issued invoices and credit notes of a period, by number."""
    query = select(Invoice).where(Invoice.status != "draft")
    if start is not None:
        query = query.where(Invoice.issued_date >= start)
    if end is not None:
        query = query.where(Invoice.issued_date <= end)
    return list(await session.scalars(query.order_by(Invoice.issued_date, Invoice.number)))


async def lock_without_document(
    session: AsyncSession, invoice_ids: list[uuid.UUID]
) -> list[Invoice]:
    """Of these invoices, those without a stored PDF, locked and re-read (a parallel request
    may have stored one since they were loaded)."""
    if not invoice_ids:
        return []
    query = (
        select(Invoice)
        .where(Invoice.id.in_(invoice_ids), Invoice.pdf_path.is_(None))
        .order_by(Invoice.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return list(await session.scalars(query))


async def operator_id(session: AsyncSession) -> uuid.UUID | None:
    """The first administrator: owner of documents the command line generates."""
    query = (
        select(Employee.id)
        .join(Role, Role.id == Employee.role_id)
        .where(Role.name == "Admin")
        .order_by(Employee.created_at)
        .limit(1)
    )
    return await session.scalar(query)


def _party(seller: CompanySettings) -> Party:
    return Party(
        name=seller.name or "",
        street=seller.street,
        postal_code=seller.postal_code,
        city=seller.city,
        country=seller.country or "DE",
        vat_id=seller.vat_id,
        tax_number=seller.tax_number,
        email=seller.contact_email,
        phone=seller.contact_phone,
        contact_name=seller.contact_name,
    )


async def load_documents(
    session: AsyncSession, invoice_ids: list[uuid.UUID]
) -> dict[uuid.UUID, InvoiceDocument]:
    """Snapshots of the given invoices: five queries, whatever their number."""
    if not invoice_ids:
        return {}
    seller = await settings(session)
    if seller is None:
        seller = CompanySettings(id=1, country="DE")
    original = aliased(Invoice)
    rows = (
        await session.execute(
            select(Invoice, Customer, original.number, original.issued_date)
            .join(Customer, Customer.id == Invoice.customer_id)
            .outerjoin(original, original.id == Invoice.cancels_id)
            .where(Invoice.id.in_(invoice_ids))
        )
    ).all()
    lines: dict[uuid.UUID, list[Line]] = defaultdict(list)
    for line in await session.scalars(
        select(InvoiceLine)
        .where(InvoiceLine.invoice_id.in_(invoice_ids))
        .order_by(InvoiceLine.invoice_id, InvoiceLine.position)
    ):
        lines[line.invoice_id].append(
            Line(
                position=line.position,
                description=line.description,
                quantity=line.quantity,
                unit=line.unit,
                unit_price=line.unit_price,
                vat_rate=line.vat_rate,
                discount_percent=line.discount_percent,
                net_amount=line.net_amount,
            )
        )
    paid: dict[uuid.UUID, Decimal] = {
        invoice_id: amount
        for invoice_id, amount in (
            await session.execute(
                select(Payment.invoice_id, func.sum(Payment.amount))
                # A credit note tells whether its original was paid (refund or nothing due).
                .where(
                    Payment.invoice_id.in_(
                        [*invoice_ids, *(i.cancels_id for i, *_ in rows if i.cancels_id)]
                    )
                )
                .group_by(Payment.invoice_id)
            )
        ).all()
    }
    quotes = await _quote_numbers(session, {i.quote_id for i, *_ in rows if i.quote_id})
    deductions = await _deductions(
        session, {i.quote_id for i, *_ in rows if i.billing == "final" and i.quote_id}
    )
    seller_party = _party(seller)
    bank = Bank(iban=seller.iban, bic=seller.bic, name=seller.bank_name)
    result: dict[uuid.UUID, InvoiceDocument] = {}
    for invoice, customer, original_number, original_date in rows:
        # Issued invoices carry the buyer frozen at issue; older rows fall back to the customer.
        buyer = Party(
            name=invoice.buyer_name or customer.name,
            street=invoice.buyer_street or customer.street,
            postal_code=invoice.buyer_postal_code or customer.postal_code,
            city=invoice.buyer_city or customer.city,
            country=invoice.buyer_country or customer.country or "DE",
            vat_id=invoice.buyer_tax_id or customer.tax_id,
            email=customer.email,
        )
        result[invoice.id] = InvoiceDocument(
            id=invoice.id,
            number=invoice.number or "",
            kind=invoice.kind,
            issued_date=invoice.issued_date or clock.today(),
            due_date=invoice.due_date,
            service_start=invoice.service_start,
            service_end=invoice.service_end,
            currency=invoice.currency,
            vat_treatment=invoice.vat_treatment,
            note=invoice.note,
            seller=seller_party,
            buyer=buyer,
            bank=bank,
            customer_number=customer.number,
            buyer_reference=invoice.buyer_reference or customer.buyer_reference,
            lines=tuple(lines.get(invoice.id, ())),
            net_total=invoice.net_total,
            tax_total=invoice.tax_total,
            # A final invoice stores what is still due; the document shows the whole service.
            total=invoice.total + invoice.prepaid_total,
            paid=paid.get(invoice.id, Decimal("0.00")),
            original_number=original_number,
            original_date=original_date,
            logo_key=seller.logo_path,
            extra={
                "legal": legal_line(seller),
                "original_paid": str(paid.get(invoice.cancels_id, Decimal("0.00")))
                if invoice.cancels_id
                else "0.00",
            },
            billing=invoice.billing,
            deductions=tuple(deductions.get(invoice.quote_id, ()))
            if invoice.billing == "final" and invoice.quote_id is not None
            else (),
            quote_number=quotes.get(invoice.quote_id) if invoice.quote_id else None,
        )
    return result


async def _quote_numbers(session: AsyncSession, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    rows = await session.execute(select(Quote.id, Quote.number).where(Quote.id.in_(ids)))
    return {quote_id: number or "" for quote_id, number in rows.all()}


async def _deductions(
    session: AsyncSession, quote_ids: set[uuid.UUID]
) -> dict[uuid.UUID, list[Deduction]]:
    """Per quote: its issued, not cancelled down-payment invoices, net and VAT per rate."""
    if not quote_ids:
        return {}
    rows = await session.execute(
        select(
            Invoice.quote_id,
            Invoice.number,
            Invoice.issued_date,
            InvoiceLine.vat_rate,
            func.sum(InvoiceLine.net_amount),
        )
        .join(InvoiceLine, InvoiceLine.invoice_id == Invoice.id)
        .where(
            Invoice.quote_id.in_(quote_ids),
            Invoice.billing == "down_payment",
            Invoice.status.notin_(("draft", "cancelled")),
        )
        .group_by(Invoice.quote_id, Invoice.number, Invoice.issued_date, InvoiceLine.vat_rate)
        .order_by(Invoice.issued_date, Invoice.number, InvoiceLine.vat_rate.desc())
    )
    result: dict[uuid.UUID, list[Deduction]] = defaultdict(list)
    for quote_id, number, issued, rate, net in rows.all():
        tax = (net * rate / 100).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
        if quote_id is not None and issued is not None:
            result[quote_id].append(Deduction(number or "", issued, Decimal(rate), net, tax))
    return result

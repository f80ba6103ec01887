"""Quote side effects: its PDF (rendered off the event loop, stored once) and sending it by
e-mail through the outbox."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import anyio.to_thread
from sqlalchemy.ext.asyncio import AsyncSession

from workmate.auth.principal import Principal
from workmate.company.service import company_service
from workmate.documents.service import document_service
from workmate.documents.storage import get_storage
from workmate.einvoice.letter import Letter, render_letter
from workmate.einvoice.pdf import day, money, percent, quantity
from workmate.errors import Conflict, Invalid, NotFound
from workmate.models import CompanySettings, Customer, Quote, QuoteLine
from workmate.outbox import templates
from workmate.outbox.schemas import MessageRead, SendByEmail
from workmate.outbox.service import Attachment, NewMessage, outbox_service
from workmate.quotes import repository
from workmate.quotes.service import status_of


def _letter(
    quote: Quote, lines: Sequence[QuoteLine], seller: CompanySettings, customer: Customer
) -> Letter:
    cur = quote.currency
    address = [customer.name, *(customer.address or "").splitlines()]
    if not customer.address:
        address += [customer.street or "", f"{customer.postal_code or ''} {customer.city or ''}"]
    rows = [
        [
            str(ln.position),
            ln.description,
            f"{quantity(ln.quantity)} {ln.unit}",
            money(ln.unit_price, cur),
            percent(ln.vat_rate),
            money(ln.net_amount, cur),
        ]
        for ln in lines
    ]
    return Letter(
        widths=(0.07, 0.43, 0.13, 0.14, 0.08, 0.15),
        sender_line=", ".join(
            p for p in (seller.name, seller.street, seller.postal_code, seller.city) if p
        ),
        recipient=[a for a in address if a.strip()],
        title=f"Angebot {quote.number}",
        facts=[
            ("Angebotsdatum", day(quote.issued_date) if quote.issued_date else ""),
            ("Gültig bis", day(quote.valid_until) if quote.valid_until else ""),
            ("Kundennummer", customer.number),
        ],
        header=["Pos.", "Beschreibung", "Menge", "Einzelpreis", "USt", "Netto"],
        rows=rows,
        totals=[
            ("Nettobetrag", money(quote.net_total, cur)),
            ("Umsatzsteuer", money(quote.tax_total, cur)),
            ("Gesamtbetrag", money(quote.total, cur)),
        ],
        paragraphs=[p for p in (quote.title, quote.note) if p],
        footer=[p for p in (seller.name, seller.vat_id or seller.tax_number, seller.iban) if p],
    )


class QuoteFlows:
    async def pdf(self, db: AsyncSession, quote_id: uuid.UUID) -> tuple[str, bytes]:
        """(file name, PDF) of an issued quote; stored on first use, the same bytes after."""
        quote = await repository.get(db, quote_id, for_update=True)
        if quote is None:
            raise NotFound("quote", field="quote_id")
        if quote.status == "draft":
            raise Conflict("a draft quote has no document yet; issue it first", field="status")
        storage = get_storage()
        if quote.pdf_path is None:
            seller = await company_service.get(db)
            customer = await db.get(Customer, quote.customer_id)
            assert seller is not None
            assert customer is not None
            lines = list(await repository.lines(db, quote.id))
            data = await anyio.to_thread.run_sync(
                render_letter, _letter(quote, lines, seller, customer)
            )
            stored = await anyio.to_thread.run_sync(storage.put_bytes, data)
            document_service.track_stored(db, storage, stored.key)
            quote.pdf_path = stored.key
            await db.flush()
        content = await anyio.to_thread.run_sync(
            lambda: b"".join(storage.open(quote.pdf_path or ""))
        )
        return f"{quote.number}.pdf", content

    async def send_by_email(
        self, db: AsyncSession, who: Principal, quote_id: uuid.UUID, data: SendByEmail
    ) -> MessageRead:
        """Queue the quote's e-mail with its PDF; a queued or sent message is the answer."""
        filename, _ = await self.pdf(db, quote_id)
        quote = await repository.get(db, quote_id)
        assert quote is not None
        for existing in await outbox_service.for_object(db, "quote", quote.id):
            if existing.state == "queued" or (existing.state == "sent" and not data.resend):
                return existing
        if status_of(quote) not in ("sent", "accepted"):
            raise Conflict("only an open or accepted quote is sent", field="status")
        customer = await db.get(Customer, quote.customer_id)
        assert customer is not None
        to = [str(a) for a in data.to] if data.to else ([customer.email] if customer.email else [])
        if not to:
            raise Invalid("the customer has no e-mail address; give one in `to`", field="to")
        language = data.language or templates.language_for(customer.country)
        text = await outbox_service.text(db, "quote", language)
        seller = await company_service.get(db)
        values = {
            "number": quote.number or "",
            "amount": templates.money(quote.total, language, quote.currency),
            "valid_until": templates.day(quote.valid_until, language),
            "customer": customer.name,
            "company": (seller.name or "") if seller else "",
        }
        assert quote.pdf_path is not None
        message = await outbox_service.enqueue(
            db,
            who,
            NewMessage(
                purpose="quote",
                related_type="quote",
                related_id=quote.id,
                to=to,
                cc=[str(a) for a in data.cc],
                subject=templates.fill(text.subject, values),
                body=templates.fill(text.body, values),
                language=language,
                attachments=[Attachment(filename, "application/pdf", quote.pdf_path)],
            ),
        )
        return await outbox_service.read(db, message)


quote_flows = QuoteFlows()

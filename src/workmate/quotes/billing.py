"""Billing an accepted quote: one invoice (all or chosen lines), a series of down-payment
invoices (a share of the quote's net per VAT rate, each with its own VAT), and the final
invoice: the whole service, less the issued down payments with their VAT per rate (§ 14
Abs. 5 UStG), expressed in EN 16931 as prepaid amount (BT-113). Drafts are created; they are
issued like every invoice. Never commits."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from workmate import clock
from workmate.audit.service import audit_service
from workmate.auth.principal import Principal
from workmate.errors import Conflict, Invalid, NotFound
from workmate.invoices.schemas import InvoiceCreate, InvoiceRead, LineIn
from workmate.invoices.service import invoice_service
from workmate.invoices.totals import cents
from workmate.models import Invoice, Quote, QuoteLine
from workmate.quotes import repository
from workmate.quotes.schemas import DownPayments, ToInvoice
from workmate.quotes.service import status_of

HUNDRED = Decimal(100)


def _line(line: QuoteLine) -> LineIn:
    return LineIn(
        description=line.description,
        quantity=Decimal(line.quantity),
        unit=line.unit,
        unit_price=Decimal(line.unit_price),
        # The chosen rate: the invoice's own treatment decides the effective one.
        vat_rate=Decimal(line.chosen_vat_rate),
        discount_percent=Decimal(line.discount_percent),
    )


def _live(invoices: Sequence[Invoice], billing: str) -> list[Invoice]:
    return [i for i in invoices if i.billing == billing and i.status != "cancelled"]


class QuoteBilling:
    async def to_invoice(
        self, db: AsyncSession, who: Principal, quote_id: uuid.UUID, data: ToInvoice
    ) -> InvoiceRead:
        """A draft invoice with all lines of the accepted quote, or the chosen ones."""
        quote, lines = await self._accepted(db, quote_id)
        if data.line_ids is not None:
            chosen = set(data.line_ids)
            unknown = chosen - {ln.id for ln in lines}
            if unknown:
                raise Invalid("line_ids: lines not on this quote", field="line_ids")
            lines = [ln for ln in lines if ln.id in chosen]
        return await self._draft(db, who, quote, [_line(ln) for ln in lines], "standard")

    async def down_payments(
        self, db: AsyncSession, who: Principal, quote_id: uuid.UUID, data: DownPayments
    ) -> list[InvoiceRead]:
        """Draft down-payment invoices, each a share of the quote's net per VAT rate; all
        down payments together stay within the quote; none after the final invoice."""
        quote, lines = await self._accepted(db, quote_id)
        billed = await repository.invoices(db, quote.id)
        if _live(billed, "final"):
            raise Conflict("the quote already has its final invoice", field="shares")
        for share in data.shares:
            if not Decimal(0) < share < HUNDRED:
                raise Invalid("each share is a percentage between 0 and 100", field="shares")
        already = sum((Decimal(i.net_total) for i in _live(billed, "down_payment")), Decimal(0))
        per_rate: dict[Decimal, Decimal] = {}
        for line in lines:
            rate = Decimal(line.vat_rate)
            per_rate[rate] = per_rate.get(rate, Decimal(0)) + Decimal(line.net_amount)
        planned = sum(cents(net * s / HUNDRED) for net in per_rate.values() for s in data.shares)
        if already + planned > Decimal(quote.net_total):
            raise Conflict("the down payments would exceed the quote's net amount", field="shares")
        created = []
        count = len(_live(billed, "down_payment"))
        for index, share in enumerate(data.shares, start=count + 1):
            items = [
                LineIn(
                    description=f"{index}. Abschlag {share.normalize():f} % zu Angebot "
                    f"{quote.number} (Leistungen zu {rate.normalize():f} % USt)",
                    quantity=Decimal(1),
                    unit="C62",
                    unit_price=cents(net * share / HUNDRED),
                    vat_rate=rate,
                )
                for rate, net in sorted(per_rate.items(), reverse=True)
                if cents(net * share / HUNDRED) > 0
            ]
            created.append(await self._draft(db, who, quote, items, "down_payment"))
        return created

    async def final_invoice(
        self, db: AsyncSession, who: Principal, quote_id: uuid.UUID
    ) -> InvoiceRead:
        """The final invoice: every line of the quote, less the issued down payments (gross);
        refused while a down payment is still a draft or a final invoice exists."""
        quote, lines = await self._accepted(db, quote_id)
        billed = await repository.invoices(db, quote.id)
        if _live(billed, "final"):
            raise Conflict("the quote already has its final invoice", field="quote_id")
        down = _live(billed, "down_payment")
        if any(i.status == "draft" for i in down):
            raise Conflict(
                "issue or delete the draft down-payment invoices first", field="quote_id"
            )
        prepaid = sum((Decimal(i.total) for i in down), Decimal("0.00"))
        return await self._draft(db, who, quote, [_line(ln) for ln in lines], "final", prepaid)

    async def _accepted(
        self, db: AsyncSession, quote_id: uuid.UUID
    ) -> tuple[Quote, list[QuoteLine]]:
        # Locked: two billing requests for one quote run one after the other.
        quote = await repository.get(db, quote_id, for_update=True)
        if quote is None:
            raise NotFound("quote", field="quote_id")
        if status_of(quote) != "accepted":
            raise Conflict("only an accepted quote can be billed", field="status")
        return quote, list(await repository.lines(db, quote.id))

    async def _draft(
        self,
        db: AsyncSession,
        who: Principal,
        quote: Quote,
        lines: list[LineIn],
        billing: str,
        prepaid: Decimal = Decimal("0.00"),
    ) -> InvoiceRead:
        if not lines:
            raise Invalid("nothing to bill", field="line_ids")
        today = clock.today()
        created = await invoice_service.create(
            db,
            who,
            InvoiceCreate(
                customer_id=quote.customer_id,
                project_id=quote.project_id,
                vat_treatment=quote.vat_treatment,
                service_start=today,
                note=quote.note if billing != "down_payment" else None,
                lines=lines,
            ),
        )
        invoice = await db.get(Invoice, created.id)
        assert invoice is not None
        invoice.quote_id = quote.id
        invoice.billing = billing
        invoice.prepaid_total = prepaid
        invoice.total = Decimal(invoice.total) - prepaid
        if invoice.total < 0:
            raise Conflict("the down payments exceed the final amount", field="quote_id")
        await db.flush()
        await audit_service.record(
            db,
            who,
            "bill_quote",
            "invoice",
            invoice.id,
            {"quote": [None, quote.number], "billing": [None, billing]},
        )
        return await invoice_service.get(db, invoice.id)


quote_billing = QuoteBilling()

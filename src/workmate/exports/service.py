"""Exports for the tax advisor: DATEV bookings of a period's invoices, credit notes,
payments, and the purchase side: supplier bills and the payments on them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from workmate import clock
from workmate.einvoice.service import einvoice_service
from workmate.errors import Invalid
from workmate.exports import repository
from workmate.exports.datev import Booking, DatevConfig, DatevConfigError, render
from workmate.purchases.archive import archive_service


class ExportService:
    async def datev(self, session: AsyncSession, start: date, end: date) -> bytes:
        """EXTF Buchungsstapel: every issued invoice (debit debtor), credit note (credit
        debtor) and payment (debit bank) of one fiscal year's period, gross amounts; every
        supplier bill in EUR (credit creditor, expense account, input VAT BU key, the received
        file as receipt link) and payment to a supplier (credit bank)."""
        if start > end:
            raise Invalid("'from' is after 'to'", field="from")
        if start.year != end.year:
            # Belegdatum carries no year: DATEV takes one batch per fiscal year.
            raise Invalid("a DATEV batch covers one calendar year", field="to")
        try:
            config = DatevConfig.from_extra(await repository.datev_settings(session))
            bookings = await self._bookings(session, config, start, end)
        except DatevConfigError as exc:
            raise Invalid(str(exc), field=exc.field) from None
        return render(config, start, end, bookings, clock.now())

    async def _bookings(
        self, session: AsyncSession, config: DatevConfig, start: date, end: date
    ) -> list[Booking]:
        invoices = await einvoice_service.issued_between(session, start, end)
        docs = await einvoice_service.documents(session, [i.id for i in invoices], printable=False)
        bookings: list[Booking] = []
        for invoice in invoices:
            doc = docs[invoice.id]
            debtor = config.debtor(doc.customer_number)
            # A credit note reverses its invoice: same positive amounts, other side.
            side = "H" if doc.is_credit_note else "S"
            for group in doc.vat_groups():
                bookings.append(
                    Booking(
                        amount=group.basis + group.amount,
                        side=side,
                        account=debtor,
                        contra=config.revenue_account(doc.vat_treatment, group.rate),
                        day=doc.issued_date,
                        document=doc.number,
                        text=doc.buyer.name,
                    )
                )
        for payment in await repository.payments_between(session, start, end):
            bookings.append(
                Booking(
                    amount=payment.amount,
                    side="S",
                    account=config.accounts["bank"],
                    contra=config.debtor(payment.customer_number),
                    day=payment.payment_date,
                    document=payment.invoice_number,
                    text=f"Zahlung {payment.buyer_name}",
                )
            )
        bookings += await self._purchases(session, config, start, end)
        return bookings

    async def _purchases(
        self, session: AsyncSession, config: DatevConfig, start: date, end: date
    ) -> list[Booking]:
        bookings: list[Booking] = []
        for bill in await archive_service.bills_between(session, start, end):
            if bill.currency != "EUR":
                continue  # DATEV's EUR batch; foreign-currency bills are booked by hand
            creditor = config.creditor(bill.supplier_number)
            # A supplier credit note reverses a bill: same positive amounts, other side.
            side = "S" if bill.kind == "credit_note" else "H"
            rows = [(t.category, t.rate, t.net + t.tax) for t in bill.taxes] or [
                ("", Decimal(0), bill.net_total + bill.tax_total)
            ]
            for category, rate, gross in rows:
                if gross == 0:
                    continue
                bookings.append(
                    Booking(
                        amount=abs(gross),
                        side=side if gross > 0 else ("H" if side == "S" else "S"),
                        account=creditor,
                        contra=config.expense_account(bill.category),
                        day=bill.invoice_date,
                        document=bill.invoice_number,
                        text=bill.supplier_name,
                        key=config.input_vat_key(category, rate),
                        link=bill.receipt,
                    )
                )
        for payment in await archive_service.payments_between(session, start, end):
            if payment.currency != "EUR":
                continue
            bookings.append(
                Booking(
                    amount=payment.amount,
                    side="S" if payment.kind == "credit_note" else "H",
                    account=config.accounts["bank"],
                    contra=config.creditor(payment.supplier_number),
                    day=payment.payment_date,
                    document=payment.invoice_number,
                    text=f"Zahlung an {payment.supplier_name}",
                )
            )
        return bookings


export_service = ExportService()

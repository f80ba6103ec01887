"""The dunning letter as PDF (German, as the firm's letters are)."""

from __future__ import annotations

from decimal import Decimal

from workmate.dunning.schemas import LEVEL_NAMES
from workmate.einvoice.letter import Letter, render_letter
from workmate.einvoice.pdf import day, money
from workmate.models import CompanySettings, Customer, DunningLetter, Invoice

OPENINGS = {
    1: "sicher ist es Ihrer Aufmerksamkeit entgangen: Unsere Rechnung ist noch nicht beglichen.",
    2: "leider konnten wir trotz Fälligkeit noch keinen Zahlungseingang feststellen. "
    "Sie befinden sich in Zahlungsverzug.",
    3: "trotz unserer Mahnung ist die Rechnung weiterhin offen. Bitte begleichen Sie den "
    "Gesamtbetrag umgehend; andernfalls müssen wir die Forderung gerichtlich geltend machen.",
}


def letter_pdf(
    letter: DunningLetter,
    invoice: Invoice,
    customer: Customer,
    seller: CompanySettings | None,
) -> bytes:
    """Render one letter: the invoice, its open amount, fees and interest, the total claimed."""
    cur = invoice.currency
    totals = [("Offener Rechnungsbetrag", money(letter.open_amount, cur))]
    if letter.flat_fee:
        totals.append(("Verzugspauschale (§ 288 Abs. 5 BGB)", money(letter.flat_fee, cur)))
    if letter.level_fee:
        totals.append(("Mahngebühr", money(letter.level_fee, cur)))
    if letter.interest:
        totals.append(
            (
                f"Verzugszinsen {Decimal(letter.interest_rate):.2f} % p. a. "
                f"für {letter.interest_days} Tage (§ 288 BGB)",
                money(letter.interest, cur),
            )
        )
    claim = letter.open_amount + letter.flat_fee + letter.level_fee + letter.interest
    totals.append(("Zu zahlender Betrag", money(claim, cur)))
    name = seller.name if seller and seller.name else ""
    address = [invoice.buyer_name or customer.name, *(invoice.buyer_address or "").splitlines()]
    pay = (
        f"Bitte überweisen Sie {money(claim, cur)} innerhalb von 7 Tagen auf das Konto "
        f"IBAN {seller.iban}, Verwendungszweck {invoice.number}."
        if seller and seller.iban
        else f"Bitte überweisen Sie {money(claim, cur)} innerhalb von 7 Tagen."
    )
    return render_letter(
        Letter(
            sender_line=", ".join(
                p
                for p in (name, seller.street if seller else None, seller.city if seller else None)
                if p
            ),
            recipient=[a for a in address if a.strip()],
            title=f"{LEVEL_NAMES[letter.level]} zur Rechnung {invoice.number}",
            facts=[
                ("Datum", day(letter.letter_date)),
                (
                    "Rechnung",
                    f"{invoice.number} vom {day(invoice.issued_date)}"
                    if invoice.issued_date
                    else invoice.number or "",
                ),
                ("Fällig seit", day(invoice.due_date) if invoice.due_date else ""),
                ("Kundennummer", customer.number),
            ],
            totals=totals,
            paragraphs=[
                "Sehr geehrte Damen und Herren,",
                OPENINGS[letter.level],
                pay,
                "Sollten Sie die Zahlung bereits veranlasst haben, betrachten Sie dieses "
                "Schreiben bitte als gegenstandslos.",
                f"Mit freundlichen Grüßen\n{name}",
            ],
        )
    )

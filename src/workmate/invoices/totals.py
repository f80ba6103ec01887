"""Invoice arithmetic, one rounding rule (EN 16931): line nets rounded half-up to cents, VAT
per rate on that rate's summed net, gross = net + VAT. Pure functions, Decimal only."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from workmate.errors import Invalid

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
ZERO = Decimal("0.00")

# The legally required note per VAT treatment (printed on the document; empty for regular).
LEGAL_NOTES = {
    "regular": None,
    "reverse_charge": "Steuerschuldnerschaft des Leistungsempfängers (§ 13b UStG) / "
    "Reverse charge: VAT to be accounted for by the recipient.",
    "small_business": "Gemäß § 19 UStG wird keine Umsatzsteuer berechnet.",
    "non_taxable": "Nicht im Inland steuerbare Leistung (Leistungsort beim Leistungsempfänger, "
    "§ 3a Abs. 2 UStG) / Service not taxable in Germany (place of supply: the recipient).",
    "intra_eu_goods": "Steuerfreie innergemeinschaftliche Lieferung (§ 4 Nr. 1 Buchst. b, "
    "§ 6a UStG) / Tax-exempt intra-Community supply of goods.",
}


# Amounts are NUMERIC(12, 2): a line's net and the invoice's totals must stay below this.
MAX_AMOUNT = Decimal(10) ** 10


def check_line_amount(quantity: Decimal, unit_price: Decimal, field: str) -> None:
    """422 naming the field when quantity x unit price does not fit a stored amount."""
    if abs(quantity * unit_price) >= MAX_AMOUNT:
        raise Invalid(
            "quantity x unit_price must stay below {limit}",
            field=field,
            params={"limit": MAX_AMOUNT},
        )


def cents(value: Decimal) -> Decimal:
    """Round half-up to cents (never banker's rounding)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def billed_hours(hours: Decimal) -> Decimal:
    """Hours as billed and as the time report shows them: the exact sum of the entries,
    rounded once, half-up to hundredths (never a sum of rounded entries)."""
    return hours.quantize(CENT, rounding=ROUND_HALF_UP)


def line_gross(quantity: Decimal, unit_price: Decimal) -> Decimal:
    """quantity x unit price, rounded to cents: the basis of a line discount (EN 16931)."""
    return cents(quantity * unit_price)


def line_allowance(quantity: Decimal, unit_price: Decimal, discount_percent: Decimal) -> Decimal:
    """The line discount in money: round(gross x percent / 100) (EN 16931 BT-136 = BT-137 x
    BT-138)."""
    return cents(line_gross(quantity, unit_price) * discount_percent / HUNDRED)


def line_net(quantity: Decimal, unit_price: Decimal, discount_percent: Decimal) -> Decimal:
    """The line net (BT-131): gross less the rounded allowance, so net + allowance = gross
    exactly in the database, the PDF and the XML."""
    gross = line_gross(quantity, unit_price)
    return gross - line_allowance(quantity, unit_price, discount_percent)


def effective_rate(vat_treatment: str, vat_rate: Decimal) -> Decimal:
    """Reverse charge and §19 invoices carry 0 % whatever the line says."""
    return vat_rate if vat_treatment == "regular" else Decimal(0)


@dataclass(frozen=True)
class RateTotal:
    rate: Decimal
    net: Decimal
    tax: Decimal


@dataclass(frozen=True)
class Totals:
    net: Decimal
    tax: Decimal
    gross: Decimal
    per_rate: tuple[RateTotal, ...]


def compute(lines: Iterable[tuple[Decimal, Decimal]]) -> Totals:
    """Totals of (rounded line net, VAT rate) pairs: VAT per rate on the rate's net sum."""
    by_rate: dict[Decimal, Decimal] = {}
    for net, rate in lines:
        key = Decimal(rate).normalize() + 0
        by_rate[key] = by_rate.get(key, ZERO) + net
    per_rate = tuple(
        RateTotal(rate=rate, net=cents(net), tax=cents(net * rate / HUNDRED))
        for rate, net in sorted(by_rate.items(), reverse=True)
    )
    net = cents(sum((r.net for r in per_rate), ZERO))
    tax = cents(sum((r.tax for r in per_rate), ZERO))
    return Totals(net=net, tax=tax, gross=net + tax, per_rate=per_rate)

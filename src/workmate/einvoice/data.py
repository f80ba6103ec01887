"""Plain snapshots of an invoice for the renderers: no ORM objects cross into worker threads."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")

# EN 16931 VAT category per treatment; a 0 % line of a regular invoice is zero rated (Z).
SMALL_BUSINESS_NOTE = (
    "Gemäß § 19 UStG wird keine Umsatzsteuer berechnet (Kleinunternehmerregelung)."
)
REVERSE_CHARGE_NOTE = "Steuerschuldnerschaft des Leistungsempfängers"
REVERSE_CHARGE_CODE = "VATEX-EU-AE"
NOT_TAXABLE_NOTE = (
    "Nicht im Inland steuerbare Leistung (Leistungsort beim Leistungsempfänger, § 3a Abs. 2 UStG)"
)
NOT_TAXABLE_CODE = "VATEX-EU-O"
INTRA_EU_NOTE = "Steuerfreie innergemeinschaftliche Lieferung (§ 4 Nr. 1 Buchst. b, § 6a UStG)"
INTRA_EU_CODE = "VATEX-EU-IC"


def cents(value: Decimal) -> Decimal:
    """Half-up to cents, the one rounding rule of EN 16931 and of the invoicing core."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Party:
    name: str
    street: str | None
    postal_code: str | None
    city: str | None
    country: str
    vat_id: str | None = None
    tax_number: str | None = None
    email: str | None = None
    phone: str | None = None
    contact_name: str | None = None


@dataclass(frozen=True, slots=True)
class Line:
    position: int
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    vat_rate: Decimal
    discount_percent: Decimal
    net_amount: Decimal

    @property
    def gross_amount(self) -> Decimal:
        """Quantity times price before the line discount (the allowance's basis)."""
        return cents(self.quantity * self.unit_price)

    @property
    def discount_amount(self) -> Decimal:
        """The allowance (BT-136): gross less the stored net, which is gross less
        round(gross x percent) (invoices.totals.line_net)."""
        return self.gross_amount - self.net_amount


@dataclass(frozen=True, slots=True)
class VatGroup:
    category: str  # S, Z, AE, E
    rate: Decimal
    basis: Decimal
    amount: Decimal
    exemption_reason: str | None = None
    exemption_code: str | None = None


@dataclass(frozen=True, slots=True)
class Bank:
    iban: str | None
    bic: str | None
    name: str | None


@dataclass(frozen=True, slots=True)
class Deduction:
    """A down payment deducted on a final invoice, per VAT rate (§ 14 Abs. 5 UStG)."""

    number: str
    issued_date: date
    rate: Decimal
    net: Decimal
    tax: Decimal

    @property
    def gross(self) -> Decimal:
        return self.net + self.tax


# UNTDID 1001: commercial invoice, prepayment invoice (Abschlagsrechnung).
TYPE_BY_BILLING = {"standard": "380", "down_payment": "386", "final": "380"}


@dataclass(frozen=True, slots=True)
class InvoiceDocument:
    """Everything printed on an invoice or credit note, read once from the database."""

    id: uuid.UUID
    number: str
    kind: str  # invoice | credit_note
    issued_date: date
    due_date: date | None
    service_start: date | None
    service_end: date | None
    currency: str
    vat_treatment: str
    note: str | None
    seller: Party
    buyer: Party
    bank: Bank
    customer_number: str
    buyer_reference: str | None
    lines: tuple[Line, ...]
    net_total: Decimal
    tax_total: Decimal
    total: Decimal
    paid: Decimal
    original_number: str | None = None
    original_date: date | None = None
    logo_key: str | None = None
    extra: dict[str, str] = field(default_factory=dict)
    # standard, down_payment or final (see TYPE_BY_BILLING); a final invoice's deductions.
    billing: str = "standard"
    deductions: tuple[Deduction, ...] = ()
    quote_number: str | None = None

    @property
    def is_credit_note(self) -> bool:
        return self.kind == "credit_note"

    @property
    def without_vat_ids(self) -> bool:
        """EN 16931 BR-O-2: an invoice not subject to VAT carries no VAT identifiers."""
        return self.vat_treatment == "non_taxable"

    @property
    def ships_goods(self) -> bool:
        """BR-IC-12: an intra-EU supply names the country the goods go to."""
        return self.vat_treatment == "intra_eu_goods"

    @property
    def type_code(self) -> str:
        """EN 16931 BT-3: 381 credit note, 386 down-payment invoice, else 380."""
        return "381" if self.is_credit_note else TYPE_BY_BILLING.get(self.billing, "380")

    @property
    def prepaid(self) -> Decimal:
        """The down payments deducted on a final invoice (gross)."""
        return sum((d.gross for d in self.deductions), Decimal("0.00"))

    @property
    def open_amount(self) -> Decimal:
        return max(self.total - self.prepaid - self.paid, Decimal("0.00"))

    @property
    def line_total(self) -> Decimal:
        return sum((line.net_amount for line in self.lines), Decimal("0.00"))

    def vat_groups(self) -> list[VatGroup]:
        """One group per VAT category and rate; VAT is the rate applied to the group's net."""
        bases: dict[tuple[str, Decimal], Decimal] = {}
        for line in self.lines:
            key = self.category(line.vat_rate)
            bases[key] = bases.get(key, Decimal("0.00")) + line.net_amount
        groups = []
        for (category, rate), basis in sorted(bases.items(), key=lambda kv: (-kv[0][1], kv[0][0])):
            reason, code = None, None
            if category == "AE":
                reason, code = REVERSE_CHARGE_NOTE, REVERSE_CHARGE_CODE
            elif category == "E":
                reason = SMALL_BUSINESS_NOTE
            elif category == "O":
                reason, code = NOT_TAXABLE_NOTE, NOT_TAXABLE_CODE
            elif category == "K":
                reason, code = INTRA_EU_NOTE, INTRA_EU_CODE
            groups.append(VatGroup(category, rate, basis, cents(basis * rate / 100), reason, code))
        return groups

    def category(self, rate: Decimal) -> tuple[str, Decimal]:
        """(EN 16931 category code, rate) of a line; exempt treatments always carry 0 %."""
        if self.vat_treatment == "reverse_charge":
            return "AE", Decimal("0")
        if self.vat_treatment == "small_business":
            return "E", Decimal("0")
        if self.vat_treatment == "non_taxable":
            return "O", Decimal("0")
        if self.vat_treatment == "intra_eu_goods":
            return "K", Decimal("0")
        return ("S" if rate > 0 else "Z"), Decimal(rate)

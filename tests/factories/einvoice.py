"""Issued invoices as rows (no invoicing service involved), and the document scenarios of the
e-invoice tests: one VAT rate, mixed rates, discounts, credit note, reverse charge, §19,
many lines, umlauts and long names."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.records import make_customer
from workmate.models import CompanySettings, Customer, Invoice, InvoiceLine, Payment

_seq = itertools.count(1)
D = Decimal
CENT = D("0.01")

SELLER: dict[str, Any] = {
    "name": "Müller & Söhne Softwareentwicklung GmbH",
    "street": "Königstraße 12",
    "postal_code": "70173",
    "city": "Stuttgart",
    "country": "DE",
    "tax_number": "99/815/08150",
    "vat_id": "DE136695976",
    "iban": "DE89370400440532013000",
    "bic": "COBADEFFXXX",
    "bank_name": "Commerzbank Stuttgart",
    "contact_name": "Jürgen Weiß",
    "contact_email": "rechnung@mueller-soehne.example",
    "contact_phone": "+49 711 123456",
    "payment_terms_days": 14,
}


async def make_buyer(db: AsyncSession, **overrides: Any) -> Customer:
    """A customer numbered like the customers domain does (K-00042), so DATEV finds a debtor."""
    overrides.setdefault("number", f"K-{next(_seq) % 50000 + 1:05d}")
    return await make_customer(db, **overrides)


async def make_seller(db: AsyncSession, **overrides: Any) -> CompanySettings:
    """The company settings row (id 1), created or overwritten."""
    values = {**SELLER, **overrides}
    settings = await db.get(CompanySettings, 1)
    if settings is None:
        settings = CompanySettings(id=1, **values)
        db.add(settings)
    else:
        for key, value in values.items():
            setattr(settings, key, value)
    await db.flush()
    return settings


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class L:
    """A line as the tests write it: description, quantity, price, VAT rate, discount %."""

    description: str
    quantity: Decimal
    price: Decimal
    rate: Decimal = Decimal(19)
    discount: Decimal = Decimal(0)
    unit: str = "C62"

    @property
    def net(self) -> Decimal:
        gross = _cents(self.quantity * self.price)
        return gross - _cents(gross * self.discount / 100)  # EN 16931: allowance rounded


def totals(lines: list[L], treatment: str) -> tuple[Decimal, Decimal]:
    """(net, VAT) with VAT per rate on the rate's net, as EN 16931 and the invoicing core do."""
    net = sum((line.net for line in lines), D("0.00"))
    if treatment != "regular":
        return net, D("0.00")
    per_rate: dict[Decimal, Decimal] = {}
    for line in lines:
        per_rate[line.rate] = per_rate.get(line.rate, D("0")) + line.net
    return net, sum((_cents(b * r / 100) for r, b in per_rate.items()), D("0.00"))


async def make_issued_invoice(
    db: AsyncSession,
    lines: list[L],
    customer: Customer | None = None,
    *,
    kind: str = "invoice",
    cancels: Invoice | None = None,
    vat_treatment: str = "regular",
    number: str | None = None,
    issued_date: date = date(2026, 3, 2),
    **overrides: Any,
) -> Invoice:
    """A draft with these lines, then issued: number, dates and frozen buyer data set."""
    customer = customer or await make_buyer(db)
    net, tax = totals(lines, vat_treatment)
    invoice = Invoice(
        customer_id=customer.id,
        kind=kind,
        cancels_id=cancels.id if cancels else None,
        vat_treatment=vat_treatment,
        net_total=net,
        tax_total=tax,
        total=net + tax,
        service_start=overrides.pop("service_start", date(2026, 2, 1)),
        service_end=overrides.pop("service_end", date(2026, 2, 28)),
        **overrides,
    )
    db.add(invoice)
    await db.flush()
    db.add_all(
        InvoiceLine(
            invoice_id=invoice.id,
            position=index,
            description=line.description,
            quantity=line.quantity,
            unit=line.unit,
            unit_price=line.price,
            vat_rate=line.rate if vat_treatment == "regular" else D("0"),
            discount_percent=line.discount,
            net_amount=line.net,
        )
        for index, line in enumerate(lines, start=1)
    )
    await db.flush()
    prefix = "GS" if kind == "credit_note" else "RE"
    invoice.status = "sent"
    invoice.number = number or f"{prefix}-2026-{next(_seq):05d}-{uuid.uuid4().hex[:4]}"
    invoice.issued_date = issued_date
    invoice.due_date = date.fromordinal(issued_date.toordinal() + 14)
    invoice.buyer_name = customer.name
    invoice.buyer_street = customer.street
    invoice.buyer_postal_code = customer.postal_code
    invoice.buyer_city = customer.city
    invoice.buyer_country = customer.country
    invoice.buyer_tax_id = customer.tax_id
    invoice.buyer_reference = customer.buyer_reference
    await db.flush()
    return invoice


async def make_payment(db: AsyncSession, invoice: Invoice, amount: Decimal, **kw: Any) -> Payment:
    payment = Payment(
        invoice_id=invoice.id,
        amount=amount,
        payment_date=kw.pop("payment_date", date(2026, 3, 10)),
        method=kw.pop("method", "bank_transfer"),
        **kw,
    )
    db.add(payment)
    await db.flush()
    return payment


# ---- the scenarios of the "done when" list ----

Scenario = Callable[[AsyncSession], Awaitable[Invoice]]


async def single_rate(db: AsyncSession) -> Invoice:
    lines = [L("Beratung Softwarearchitektur", D("8"), D("120.00"), unit="HUR")]
    return await make_issued_invoice(db, lines)


async def mixed_rates(db: AsyncSession) -> Invoice:
    lines = [
        L("Entwicklung", D("12.5"), D("95.00"), D("19"), unit="HUR"),
        L("Fachbuch „Clean Code“", D("2"), D("39.90"), D("7")),
        L("Photovoltaik-Modul (§ 12 Abs. 3 UStG)", D("1"), D("249.00"), D("0")),
        L("Kleinmaterial", D("3"), D("1.99"), D("19")),
    ]
    return await make_issued_invoice(db, lines)


async def discounts(db: AsyncSession) -> Invoice:
    lines = [
        L("Lizenz Jahresabo", D("3"), D("333.33"), discount=D("12.5")),
        L("Schulung", D("1.5"), D("799.99"), D("19"), D("3"), unit="DAY"),
        L("Handbuch", D("7"), D("14.95"), D("7"), D("10")),
    ]
    return await make_issued_invoice(db, lines)


async def credit_note(db: AsyncSession) -> Invoice:
    customer = await make_buyer(db)
    lines = [L("Wartungsvertrag März", D("1"), D("450.00")), L("Hotline", D("2"), D("60.00"))]
    original = await make_issued_invoice(db, lines, customer)
    return await make_issued_invoice(db, lines, customer, kind="credit_note", cancels=original)


async def reverse_charge(db: AsyncSession) -> Invoice:
    customer = await make_buyer(
        db,
        name="Österreichische Beispiel GmbH",
        street="Mariahilfer Straße 1",
        postal_code="1060",
        city="Wien",
        country="AT",
        tax_id="ATU13585627",
        address="Mariahilfer Straße 1\n1060 Wien\nÖsterreich",
    )
    lines = [L("IT-Dienstleistung", D("20"), D("110.00"), unit="HUR")]
    return await make_issued_invoice(db, lines, customer, vat_treatment="reverse_charge")


async def small_business(db: AsyncSession) -> Invoice:
    await make_seller(db, vat_id=None, vat_mode="small_business")
    lines = [L("Gartenpflege", D("6"), D("35.00"), unit="HUR"), L("Pflanzen", D("4"), D("12.50"))]
    return await make_issued_invoice(db, lines, vat_treatment="small_business")


async def many_lines(db: AsyncSession) -> Invoice:
    rates = (D("19"), D("7"), D("0"))
    lines = [
        L(
            f"Position {i}: Arbeitszeit laut Stundenzettel KW {i % 52 + 1}"
            + (" mit ausführlicher Beschreibung der erbrachten Leistung" * (i % 3)),
            D(i % 7 + 1) + D("0.25"),
            D("17.35") + i,
            rates[i % 3],
            D("5") if i % 4 == 0 else D("0"),
            "HUR",
        )
        for i in range(1, 121)
    ]
    return await make_issued_invoice(db, lines)


async def umlauts_long_names(db: AsyncSession) -> Invoice:
    customer = await make_buyer(
        db,
        name=(
            "Bäckerei & Konditorei Größenwahn – Überregionale Spezialitäten für Feinschmecker "
            "aus Düsseldorf-Öberkassel GmbH & Co. KG <Zweigniederlassung>"
        ),
        street="Schloßstraße 123a, Hinterhaus, 3. Obergeschoß",
        postal_code="40545",
        city="Düsseldorf",
        tax_id="DE811569869",
        buyer_reference="04011000-12345-67",
    )
    lines = [
        L(
            "Überarbeitung der Außenwerbung für Straßenbahnhaltestellen „Ölmühle“ & „Süd“",
            D("1"),
            D("1234.56"),
        ),
        L(
            "Maßanfertigung Geschäftsausstattung (Größe XXL) – ÄÖÜäöüß €",
            D("2"),
            D("99.95"),
            D("7"),
        ),
    ]
    return await make_issued_invoice(db, lines, customer, note="Vielen Dank für Ihren Auftrag!")


SCENARIOS: dict[str, Scenario] = {
    "single_rate": single_rate,
    "mixed_rates": mixed_rates,
    "discounts": discounts,
    "credit_note": credit_note,
    "reverse_charge": reverse_charge,
    "small_business": small_business,
    "many_lines": many_lines,
    "umlauts_long_names": umlauts_long_names,
}

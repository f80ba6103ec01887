"""The demo company's purchase side, written through the services (so every rule holds):
three suppliers and their bills of the last months (hosting monthly, office supplies at two
VAT rates, the tax adviser quarterly), most paid, one open and one overdue."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from workmate import clock
from workmate.auth.principal import Principal
from workmate.models import Customer
from workmate.purchases.bills import bill_service
from workmate.purchases.schemas import BillCreate, PaymentCreate, SupplierCreate, TaxIn
from workmate.purchases.suppliers import supplier_service

SUPPLIERS = (
    {
        "name": "Hosting Nord GmbH",
        "street": "Am Sandtorkai 50",
        "postal_code": "20457",
        "city": "Hamburg",
        "email": "rechnung@hosting-nord.example",
        "vat_id": "DE813495425",
        "iban": "DE65100700000123456789",
    },
    {
        "name": "Bürobedarf Schulze GmbH",
        "street": "Friedrichstraße 120",
        "postal_code": "10117",
        "city": "Berlin",
        "email": "buchhaltung@schulze-buero.example",
        "vat_id": "DE129273398",
        "iban": "DE34200505501234567890",
    },
    {
        "name": "Steuerberatung Krüger & Partner mbB",
        "street": "Zeil 42",
        "postal_code": "60313",
        "city": "Frankfurt am Main",
        "email": "kanzlei@krueger-partner.example",
        "tax_number": "04522658002",
        "iban": "DE98500105175556667778",
    },
)
CENT = Decimal("0.01")


def _tax(net: str, rate: int) -> TaxIn:
    amount = Decimal(net)
    return TaxIn(rate=Decimal(rate), net=amount, tax=(amount * rate / 100).quantize(CENT))


def _month(today: date, back: int) -> date:
    first = today.replace(day=1)
    for _ in range(back):
        first = (first - timedelta(days=1)).replace(day=1)
    return first


async def load_purchases(db: AsyncSession, who: Principal) -> None:
    """Suppliers and bills of the last three months, inside the caller's transaction."""
    if await db.scalar(select(Customer.id).where(Customer.is_supplier).limit(1)) is not None:
        return  # a database that has suppliers is not the demo's to fill
    hosting, office, adviser = [
        (await supplier_service.create(db, who, SupplierCreate(**values))).id
        for values in SUPPLIERS
    ]
    today = clock.today()
    bills: list[tuple[BillCreate, bool]] = []
    for back in (3, 2, 1):
        month = _month(today, back)
        bills.append(
            (
                BillCreate(
                    supplier_id=hosting,
                    invoice_number=f"HN-{month:%Y%m}-0815",
                    invoice_date=month + timedelta(days=1),
                    due_date=month + timedelta(days=15),
                    category="service",
                    service_start=month,
                    service_end=_month(today, back - 1) - timedelta(days=1),
                    taxes=[_tax("249.00", 19)],
                    payment_reference=f"HN-{month:%Y%m}-0815",
                ),
                True,
            )
        )
    office_month = _month(today, 2)
    bills.append(
        (
            BillCreate(
                supplier_id=office,
                invoice_number=f"{office_month:%y}-40117",
                invoice_date=office_month + timedelta(days=9),
                due_date=office_month + timedelta(days=23),
                category="material",
                taxes=[_tax("312.40", 19), _tax("48.90", 7)],
            ),
            True,
        )
    )
    # The tax adviser's quarter: one paid, the latest one open (due in the future) and a
    # special engagement overdue.
    quarter = _month(today, 3)
    for number, issued, due, net, paid in (
        (
            f"KP-{quarter:%Y}-{quarter.month:02d}1",
            quarter,
            quarter + timedelta(days=14),
            "890.00",
            True,
        ),
        (
            f"KP-{today:%Y}-{today.month:02d}1",
            today - timedelta(days=3),
            today + timedelta(days=11),
            "890.00",
            False,
        ),
        (
            f"KP-{today:%Y}-{today.month:02d}9",
            today - timedelta(days=40),
            today - timedelta(days=26),
            "450.00",
            False,
        ),
    ):
        bills.append(
            (
                BillCreate(
                    supplier_id=adviser,
                    invoice_number=number,
                    invoice_date=issued,
                    due_date=due,
                    category="service",
                    taxes=[_tax(net, 19)],
                ),
                paid,
            )
        )
    for data, paid in bills:
        bill = await bill_service.create(db, who, data)
        if paid:
            assert data.due_date is not None
            await bill_service.pay(
                db,
                who,
                bill.id,
                PaymentCreate(
                    amount=bill.gross_total - bill.prepaid, payment_date=min(data.due_date, today)
                ),
            )

"""Bank accounts, open invoices with chosen amounts, statements as files, uploads."""

from __future__ import annotations

import io
import uuid
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.documents import multipart
from tests.factories.records import make_customer
from workmate.banking.formats import camt_write
from workmate.banking.formats.common import Entry, Statement
from workmate.models import BankAccount, Customer, Invoice

SAMPLES = Path(__file__).resolve().parents[1] / "banking" / "samples"
COMPANY_IBAN = "DE89370400440532013000"
PAYER_IBAN = "DE02120300000000202051"
OTHER_IBAN = "DE12500105170648489890"


async def make_account(db: AsyncSession, iban: str = COMPANY_IBAN, **overrides: Any) -> BankAccount:
    account = BankAccount(name=overrides.pop("name", "Geschäftskonto"), iban=iban, **overrides)
    db.add(account)
    await db.flush()
    return account


async def make_open_invoice(
    db: AsyncSession,
    customer: Customer | None = None,
    total: str = "119.00",
    number: str | None = None,
    issued: date = date(2026, 3, 1),
    kind: str = "invoice",
    cancels: Invoice | None = None,
) -> Invoice:
    """An issued invoice (or credit note) with the given gross total and number."""
    customer = customer or await make_customer(db)
    amount = Decimal(total)
    invoice = Invoice(
        customer_id=customer.id,
        total=amount,
        net_total=(amount / Decimal("1.19")).quantize(Decimal("0.01")),
        tax_total=amount - (amount / Decimal("1.19")).quantize(Decimal("0.01")),
        kind=kind,
        cancels_id=cancels.id if cancels else None,
    )
    db.add(invoice)
    await db.flush()
    invoice.status = "sent"
    invoice.number = number or f"RE-2026-{uuid.uuid4().int % 100000:05d}"
    invoice.issued_date = issued
    invoice.due_date = None if kind == "credit_note" else date(issued.year, issued.month, 28)
    invoice.buyer_name = customer.name
    await db.flush()
    return invoice


def entry(
    amount: str, purpose: str | None = None, day: date = date(2026, 3, 10), **kw: Any
) -> Entry:
    return Entry(booking_date=day, amount=Decimal(amount), currency="EUR", purpose=purpose, **kw)


def camt(
    entries: list[Entry],
    *,
    iban: str = COMPANY_IBAN,
    opening: str = "1000.00",
    closing: str | None = None,
    start: date | None = None,
    end: date | None = None,
    sequence: str | None = None,
) -> bytes:
    """A camt.053.001.08 file of one statement."""
    days = [e.booking_date for e in entries] or [date(2026, 3, 10)]
    statement = Statement(
        "camt053",
        iban,
        "EUR",
        entries,
        opening=Decimal(opening),
        closing=Decimal(closing) if closing is not None else None,
        period_start=start or min(days),
        period_end=end or max(days),
        sequence=sequence,
    )
    return camt_write.document(f"test-{uuid.uuid4().hex[:12]}", max(days), [statement])


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


async def upload(
    client: httpx.AsyncClient,
    account: BankAccount | uuid.UUID | str,
    data: bytes,
    filename: str = "statement.xml",
    **fields: Any,
) -> httpx.Response:
    account_id = account.id if isinstance(account, BankAccount) else account
    body, headers = multipart(data, filename, account_id=str(account_id), **fields)
    return await client.post("/api/v1/bank-statements", content=body, headers=headers)

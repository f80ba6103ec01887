"""The archive of received originals for the tax advisor or an audit (GoBD): every file
received in a period, unchanged, in a ZIP with a manifest of SHA-256 sums, and the plain
rows the DATEV export books purchases from.

Each file's name in the archive is its receipt link in the DATEV export (Beleglink).
"""

from __future__ import annotations

import hashlib
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import IO

import anyio.to_thread
from sqlalchemy.ext.asyncio import AsyncSession

from workmate import clock
from workmate.documents.storage import Storage, StorageError
from workmate.errors import Invalid, WorkmateError
from workmate.exports.csvfile import CsvWriter
from workmate.models import IncomingInvoice
from workmate.purchases import repository as repo

MAX_DAYS = 400  # a year and a bit; bigger periods are several downloads
CHUNK = 64 * 1024


def archive_name(day: date, sha256: str, filename: str) -> str:
    """originals/2026-03-04_ab12cd34ef56_rechnung.pdf: unique, sortable, readable."""
    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in filename)[:120] or "file"
    return f"originals/{day.isoformat()}_{sha256[:12]}_{safe}"


def name_of(row: IncomingInvoice) -> str:
    return archive_name(clock.day_of(row.received_at), row.sha256, row.original_filename)


@dataclass(frozen=True, slots=True)
class TaxRow:
    category: str
    rate: Decimal
    net: Decimal
    tax: Decimal


@dataclass(frozen=True, slots=True)
class BillRow:
    number: str
    invoice_number: str
    invoice_date: date
    kind: str
    category: str
    currency: str
    supplier_name: str
    supplier_number: str | None
    taxes: list[TaxRow]
    net_total: Decimal
    tax_total: Decimal
    receipt: str  # archive file name, "" for a typed-in bill


@dataclass(frozen=True, slots=True)
class PaymentRow:
    amount: Decimal
    payment_date: date
    bill_number: str
    invoice_number: str
    kind: str
    currency: str
    supplier_name: str
    supplier_number: str | None


class ArchiveService:
    async def bills_between(self, db: AsyncSession, start: date, end: date) -> list[BillRow]:
        """Supplier bills dated in the period, with VAT rows and receipt name (for DATEV)."""
        out = []
        for bill, supplier, taxes, original in await repo.bills_between(db, start, end):
            receipt = name_of(original) if original is not None else ""
            out.append(
                BillRow(
                    bill.number,
                    bill.invoice_number,
                    bill.invoice_date,
                    bill.kind,
                    bill.category,
                    bill.currency,
                    supplier.name,
                    supplier.supplier_number,
                    [TaxRow(t.category, t.rate, t.net, t.tax) for t in taxes],
                    bill.net_total,
                    bill.tax_total,
                    receipt,
                )
            )
        return out

    async def payments_between(self, db: AsyncSession, start: date, end: date) -> list[PaymentRow]:
        """Payments on supplier bills in the period (for DATEV)."""
        return [
            PaymentRow(
                p.amount,
                p.payment_date,
                b.number,
                b.invoice_number,
                b.kind,
                b.currency,
                s.name,
                s.supplier_number,
            )
            for p, b, s in await repo.payments_between(db, start, end)
        ]

    async def export(
        self, db: AsyncSession, storage: Storage, start: date, end: date
    ) -> tuple[IO[bytes], int]:
        """A ZIP of the period's received originals and MANIFEST.csv / SHA256SUMS; each file
        is checked against its SHA-256 while it is packed (a mismatch stops the export)."""
        if start > end:
            raise Invalid("'from' is after 'to'", field="from")
        if (end - start).days > MAX_DAYS:
            raise Invalid(f"a period of at most {MAX_DAYS} days", field="to")
        rows = await repo.originals_between(db, start, end)
        return await anyio.to_thread.run_sync(_pack, storage, rows, start, end)


def _pack(
    storage: Storage, rows: list[IncomingInvoice], start: date, end: date
) -> tuple[IO[bytes], int]:
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (returned)
    writer = CsvWriter()
    writer.row(
        [
            "file",
            "sha256",
            "size_bytes",
            "received_at",
            "original_filename",
            "status",
            "profile",
            "id",
        ]
    )
    sums = []
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for row in rows:
            name = name_of(row)
            with archive.open(name, "w", force_zip64=True) as target:
                if _copy(storage, row.storage_key, target) != row.sha256:
                    raise WorkmateError(
                        "received file {id} does not match its checksum; the archive is not "
                        "made (restore the file from a backup)",
                        params={"id": str(row.id)},
                    )
            writer.row(
                [
                    name,
                    row.sha256,
                    row.size_bytes,
                    row.received_at.isoformat(),
                    row.original_filename,
                    row.status,
                    row.profile or "",
                    str(row.id),
                ]
            )
            sums.append(f"{row.sha256}  {name}\n")
        archive.writestr("MANIFEST.csv", writer.encoded())
        archive.writestr("SHA256SUMS", "".join(sums))
        archive.writestr(
            "README.txt",
            f"Workmate: received originals {start.isoformat()} .. {end.isoformat()}, "
            f"{len(rows)} files, unchanged. Check: sha256sum -c SHA256SUMS\n",
        )
    size = out.tell()
    out.seek(0)
    return out, size


def _copy(storage: Storage, key: str, target: IO[bytes]) -> str:
    digest = hashlib.sha256()
    try:
        for chunk in storage.open(key):
            digest.update(chunk)
            target.write(chunk)
    except (OSError, StorageError):
        return ""
    return digest.hexdigest()


def chunks(handle: IO[bytes]) -> Iterator[bytes]:
    try:
        while data := handle.read(CHUNK):
            yield data
    finally:
        handle.close()


archive_service = ArchiveService()

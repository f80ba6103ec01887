"""Receiving supplier invoices: take the file, check it by the official rules in a worker
process, keep the original unchanged, and book it as a supplier bill.

Rules:
- XML (CII, UBL Invoice / CreditNote) and PDF (ZUGFeRD / Factur-X / XRechnung attached) are
  accepted; a PDF without invoice XML is kept as a receipt, marked "not an e-invoice".
- The same file (SHA-256) is received once: a second upload is 409 naming the first.
- Hostile or unreadable files are refused (4xx) and nothing is stored.
- An invoice with errors is stored, marked invalid, with a reply to the supplier.
- Callers with purchases.write book it at once (unless `book=false`): supplier found or
  created, one bill per supplier and invoice number (409 naming the first bill).
- Callers with only purchases.submit hand files in and see only their own.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import date
from typing import Any

import anyio.to_thread
from sqlalchemy.ext.asyncio import AsyncSession

from workmate import clock
from workmate.audit.service import audit_service, diff
from workmate.auth.principal import Principal
from workmate.company.service import company_service
from workmate.config import get_settings
from workmate.documents.multipart import FILE_FIELD, FORM_OVERHEAD, read_form
from workmate.documents.service import IntegrityFailure, document_service, safe_filename
from workmate.documents.storage import Storage, StorageError, Stored, key_for
from workmate.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    PayloadTooLarge,
    UnsupportedMediaType,
    WorkmateError,
)
from workmate.models import IncomingInvoice
from workmate.pagination import Page, PageParams
from workmate.purchases import examine, pool, reply
from workmate.purchases import repository as repo
from workmate.purchases.bills import DuplicateBill, Stated, bill_from_invoice, bill_service
from workmate.purchases.schemas import IncomingInvoiceDetail, IncomingInvoiceRead
from workmate.purchases.suppliers import supplier_service
from workmate.purchases.xmlsafe import kind_of

log = logging.getLogger(__name__)

RETENTION_YEARS = 8  # § 147 AO: booking vouchers, counted from the end of the calendar year
FORM_FIELDS = {"book", "category", "project_id", "note"}


class AlreadyReceived(Conflict):
    """This very file (same SHA-256) was received before."""

    def __init__(self, first: IncomingInvoice) -> None:
        super().__init__(
            "this file was already received on {day} (incoming invoice {id})",
            field=FILE_FIELD,
            params={"day": clock.day_of(first.received_at).isoformat(), "id": str(first.id)},
        )
        self.first_id = first.id


class InvoiceRefused(Invalid):
    """The file is not accepted: unsafe, unreadable, or no invoice at all."""


def retain_until(received: date) -> date:
    """Kept until the end of the 8th calendar year after the year of receipt."""
    return date(received.year + RETENTION_YEARS, 12, 31)


def _status(result: dict[str, Any]) -> str:
    if not result["einvoice"]:
        return "not_einvoice"
    errors = any(f.get("level") == "error" for f in result["findings"])
    return "invalid" if result["official"] != "ok" or errors else "valid"


def _flag(fields: dict[str, str], name: str, default: bool) -> bool:
    raw = fields.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise Invalid(f"{name} must be true or false", field=name)


def _filing(fields: dict[str, str]) -> tuple[str, uuid.UUID | None, str | None]:
    """Category, project and note for the bill, checked before any work is done."""
    category = fields.get("category", "").strip() or "other"
    if category not in ("material", "personnel", "service", "other"):
        raise Invalid("unknown category", field="category")
    project_id = None
    if fields.get("project_id", "").strip():
        try:
            project_id = uuid.UUID(fields["project_id"].strip())
        except ValueError:
            raise Invalid("project_id is not a UUID", field="project_id") from None
    note = fields.get("note", "").strip() or None
    if note is not None and ("\x00" in note or len(note) > 10_000):
        raise Invalid("note must be text of at most 10000 characters", field="note")
    return category, project_id, note


class IncomingService:
    async def read_upload(
        self, body: AsyncIterator[bytes], content_type: str | None, content_length: str | None
    ) -> tuple[bytes, str, dict[str, str]]:
        """The one file of a multipart body (in memory, at most the upload limit), its name
        and the form fields."""
        limit = get_settings().upload_max_bytes
        too_large = PayloadTooLarge(f"the file is larger than {limit} bytes", field=FILE_FIELD)
        if content_length is not None:
            try:
                if int(content_length) > limit + FORM_OVERHEAD:
                    raise too_large
            except ValueError:
                raise BadRequest("invalid Content-Length", field="Content-Length") from None
        buffer = bytearray()

        async def store(
            filename: str, declared: str | None, chunks: AsyncIterator[bytes]
        ) -> Stored:
            async for chunk in chunks:
                buffer.extend(chunk)
                if len(buffer) > limit:
                    raise too_large
            sha = hashlib.sha256(buffer).hexdigest()
            return Stored(key_for(sha), sha, len(buffer), bytes(buffer[:8192]))

        form = await read_form(body, content_type, max_file_bytes=limit, store=store)
        if form.stored is None:
            raise Invalid(
                f"no file sent; send it in the form field '{FILE_FIELD}'", field=FILE_FIELD
            )
        unknown = sorted(set(form.fields) - FORM_FIELDS)
        if unknown:
            raise Invalid(f"unknown form field {unknown[0]}", field=unknown[0])
        return bytes(buffer), safe_filename(form.filename), form.fields

    async def receive(
        self,
        db: AsyncSession,
        who: Principal,
        storage: Storage,
        data: bytes,
        filename: str,
        fields: dict[str, str] | None = None,
    ) -> IncomingInvoiceDetail:
        """Receive one file (see the module docstring for the rules)."""
        fields = fields or {}
        may_book = who.can("purchases", "write")
        book = _flag(fields, "book", may_book)
        if book and not may_book:
            raise Forbidden("your role may not book supplier bills", field="book")
        category, project_id, note = _filing(fields)
        if not data:
            raise Invalid("the file is empty", field=FILE_FIELD)
        if kind_of(data[:1024]) is None:
            raise UnsupportedMediaType(
                "send an e-invoice as XML (XRechnung, CII, UBL) or as PDF (ZUGFeRD, Factur-X)",
                field=FILE_FIELD,
            )
        sha = hashlib.sha256(data).hexdigest()
        first = await repo.incoming_by_sha(db, sha)
        if first is not None:
            raise AlreadyReceived(first)
        settings = get_settings()
        try:
            result: dict[str, Any] = await pool.run(
                examine.examine, data, settings.einvoice_max_xml_bytes
            )
        except pool.ExaminationFailed as exc:
            raise InvoiceRefused(
                "the file could not be checked ({reason}); it is not accepted",
                field=FILE_FIELD,
                params={"reason": str(exc)},
            ) from None
        refused = result.get("refused")
        if refused:
            if refused["code"] == "TooLarge":
                raise PayloadTooLarge(refused["message"], field=FILE_FIELD)
            raise InvoiceRefused(refused["message"], field=FILE_FIELD)
        log.info("examined %s in %.3f s: %s", filename, result["seconds"], result["official"])
        invoice_data = result.get("invoice")
        supplier = None
        stated: Stated | str | None = None
        if book and invoice_data is not None:
            supplier = await supplier_service.from_invoice(db, who, self._seller(invoice_data))
            stated = bill_from_invoice(invoice_data, supplier.id, uuid.uuid4())
            if isinstance(stated, Stated):
                duplicate = await repo.bill_by_number(db, supplier.id, stated.bill.invoice_number)
                if duplicate is not None:
                    raise DuplicateBill(duplicate)
        try:
            stored = await anyio.to_thread.run_sync(storage.put_bytes, data)
        except (OSError, StorageError) as exc:
            log.exception("storing a received file failed")
            raise WorkmateError("the file could not be stored; try again") from exc
        document_service.track_stored(db, storage, stored.key)
        findings = result["findings"]
        row = IncomingInvoice(
            sha256=stored.sha256,
            storage_key=stored.key,
            size_bytes=stored.size,
            kind=result["kind"],
            original_filename=filename,
            received_by=who.employee_id,
            retain_until=retain_until(clock.today()),
            source=str(result["source"])[:300],
            is_einvoice=bool(result["einvoice"]),
            status=_status(result),
            official_verdict=result["official"],
            syntax=result["syntax"],
            document_type=result["document"],
            customization_id=result["customization_id"],
            profile=(result["profile"] or None) and str(result["profile"])[:100],
            rules_version=result["rules_version"],
            error_count=result.get("error_total", sum(f.get("level") == "error" for f in findings)),
            warning_count=result.get(
                "warning_total", sum(f.get("level") != "error" for f in findings)
            ),
            findings=findings,
            data=invoice_data,
            note=result.get("note"),
            check_seconds=result.get("seconds"),
        )
        db.add(row)
        await db.flush()
        await db.refresh(row)
        await audit_service.record(
            db,
            who,
            "receive",
            "incoming_invoice",
            row.id,
            diff(None, {"sha256": row.sha256, "file": filename, "status": row.status}),
        )
        bill_id = None
        if isinstance(stated, Stated):
            bill = stated.bill
            bill.incoming_invoice_id = row.id
            bill.category = category  # type: ignore[assignment]
            bill.project_id = project_id
            bill.note = note
            booked = await bill_service.create(db, who, bill, totals=(stated.net, stated.tax))
            bill_id = booked.id
        elif isinstance(stated, str):
            row.note = "; ".join(filter(None, [row.note, f"not booked: {stated}"]))
            await db.flush()
        return await self._detail(db, row, bill_id)

    @staticmethod
    def _seller(data: dict[str, Any]) -> dict[str, Any]:
        seller = dict(data.get("seller") or {})
        means = next((p for p in data.get("payment_means") or [] if p.get("iban")), None)
        if means:
            seller["iban"] = str(means["iban"]).replace(" ", "")
            seller["bic"] = means.get("bic")
        return seller

    async def book(
        self, db: AsyncSession, who: Principal, incoming_id: uuid.UUID
    ) -> IncomingInvoiceDetail:
        """Book a received e-invoice that is not booked yet (409 if it is, 422 if it cannot
        be booked as stated: then type the bill in with incoming_invoice_id)."""
        found = await repo.incoming(db, incoming_id)
        if found is None:
            raise NotFound("incoming invoice", field="incoming_id")
        row, bill_id = found
        if bill_id is not None:
            raise Conflict("the invoice is booked already", field="incoming_id")
        if row.data is None:
            raise Invalid("not an e-invoice: type the bill in by hand", field="incoming_id")
        supplier = await supplier_service.from_invoice(db, who, self._seller(row.data))
        stated = bill_from_invoice(row.data, supplier.id, row.id)
        if isinstance(stated, str):
            raise Invalid(f"cannot be booked as stated: {stated}", field="incoming_id")
        booked = await bill_service.create(db, who, stated.bill, totals=(stated.net, stated.tax))
        return await self._detail(db, row, booked.id)

    async def _detail(
        self, db: AsyncSession, row: IncomingInvoice, bill_id: uuid.UUID | None
    ) -> IncomingInvoiceDetail:
        out = IncomingInvoiceDetail.model_validate(row)
        out.bill_id = bill_id
        company = await company_service.get(db)
        name = company.name if company is not None else None
        for lang in ("de", "en"):
            text = reply.reply(
                lang,
                data=row.data,
                findings=row.findings,
                filename=row.original_filename,
                company=name,
            )
            setattr(out, f"reply_{lang}", text)
        return out

    def _owner(self, who: Principal) -> uuid.UUID | None:
        """None: the caller sees every received file; else only their own."""
        return None if who.can("purchases", "read") else who.employee_id

    async def get(
        self, db: AsyncSession, who: Principal, incoming_id: uuid.UUID
    ) -> IncomingInvoiceDetail:
        """One received file with its findings and reply (404 for others' files without read)."""
        found = await repo.incoming(db, incoming_id, owner=self._owner(who))
        if found is None:
            raise NotFound("incoming invoice", field="incoming_id")
        return await self._detail(db, *found)

    async def row(
        self, db: AsyncSession, who: Principal, incoming_id: uuid.UUID
    ) -> IncomingInvoice:
        found = await repo.incoming(db, incoming_id, owner=self._owner(who))
        if found is None:
            raise NotFound("incoming invoice", field="incoming_id")
        return found[0]

    async def list_incoming(
        self,
        db: AsyncSession,
        who: Principal,
        paging: PageParams,
        *,
        status: str | None = None,
        booked: bool | None = None,
    ) -> Page[IncomingInvoiceRead]:
        """Received files, newest first; without purchases.read only the caller's own."""
        rows, total = await repo.incoming_page(
            db,
            owner=self._owner(who),
            status=status,
            booked=booked,
            limit=paging.limit,
            offset=paging.offset,
        )
        items = []
        for row, bill_id in rows:
            item = IncomingInvoiceRead.model_validate(row)
            item.bill_id = bill_id
            items.append(item)
        return Page(items=items, total=total, limit=paging.limit, offset=paging.offset)

    async def original(
        self, db: AsyncSession, who: Principal, storage: Storage, incoming_id: uuid.UUID
    ) -> tuple[IncomingInvoice, bytes]:
        """The received bytes, only after their SHA-256 matches the one taken at receipt."""
        row = await self.row(db, who, incoming_id)
        data = await anyio.to_thread.run_sync(_read_all, storage, row.storage_key)
        if data is None or hashlib.sha256(data).hexdigest() != row.sha256:
            log.error("incoming invoice %s: stored file fails its checksum", row.id)
            raise IntegrityFailure(
                "the stored file does not match its checksum and is not sent; "
                "an administrator has to restore it from a backup"
            )
        return row, data

    async def invoice_xml(
        self, db: AsyncSession, who: Principal, storage: Storage, incoming_id: uuid.UUID
    ) -> tuple[IncomingInvoice, bytes]:
        """The invoice XML of a received file (the file, or the XML attached to the PDF)."""
        row, data = await self.original(db, who, storage, incoming_id)
        if not row.is_einvoice:
            raise NotFound("invoice XML", field="incoming_id")
        xml = await pool.run(examine.invoice_xml, data, get_settings().einvoice_max_xml_bytes)
        if xml is None:
            raise NotFound("invoice XML", field="incoming_id")
        return row, xml

    async def attachment(
        self, db: AsyncSession, who: Principal, storage: Storage, incoming_id: uuid.UUID, index: int
    ) -> tuple[bytes, dict[str, Any]]:
        """A file embedded in the invoice XML (BG-24), decoded."""
        row, data = await self.original(db, who, storage, incoming_id)
        if not row.is_einvoice:
            raise NotFound("attachment", field="index")
        found = await pool.run(
            examine.attachment, data, get_settings().einvoice_max_xml_bytes, index
        )
        if found is None:
            raise NotFound("attachment", field="index")
        return found


def _read_all(storage: Storage, key: str) -> bytes | None:
    try:
        chunks: Iterator[bytes] = storage.open(key)
        return b"".join(chunks)
    except (OSError, StorageError):
        return None


incoming_service = IncomingService()

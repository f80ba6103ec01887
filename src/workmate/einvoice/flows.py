"""Side effects of invoice documents: render (in a worker thread), store once, serve the stored
bytes afterwards, so what was sent is what is kept."""

from __future__ import annotations

import hashlib
import io
import uuid
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path

import anyio.to_thread
from pypdf import PdfReader
from sqlalchemy.ext.asyncio import AsyncSession

from workmate.audit.service import audit_service
from workmate.auth.principal import Principal
from workmate.documents.service import document_service
from workmate.documents.storage import Storage, get_storage
from workmate.einvoice import repository
from workmate.einvoice.cii import build_xml
from workmate.einvoice.data import InvoiceDocument
from workmate.einvoice.pdf import render_pdf
from workmate.einvoice.service import InvoiceNotIssued, check, einvoice_service, safe_filename
from workmate.errors import Conflict, NotFound, WorkmateError
from workmate.models import Document, Invoice

XML_NAME = "factur-x.xml"


class StoredDocumentDamaged(WorkmateError):
    status_code = 500

    def __init__(self) -> None:
        super().__init__("the stored invoice document does not match its checksum")


class NoDocumentOwner(Conflict):
    def __init__(self) -> None:
        super().__init__("no administrator exists to own the generated invoice documents")


@dataclass(slots=True)
class ExportResult:
    written: list[Path] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Rendered:
    pdf: bytes
    xml: bytes


@dataclass(frozen=True, slots=True)
class StoredPdf:
    invoice_id: uuid.UUID
    number: str
    key: str
    data: bytes

    @property
    def filename(self) -> str:
        return safe_filename(self.number, str(self.invoice_id))


def render(doc: InvoiceDocument) -> Rendered:
    """CII XML plus the PDF/A-3 carrying it (CPU-bound: call it off the event loop)."""
    xml = build_xml(doc)
    return Rendered(pdf=render_pdf(doc, xml), xml=xml)


def embedded_xml(pdf: bytes) -> bytes:
    """The factur-x.xml inside a stored invoice PDF."""
    attachments = PdfReader(io.BytesIO(pdf)).attachments
    if XML_NAME not in attachments:
        raise StoredDocumentDamaged()
    return attachments[XML_NAME][0]


def _read(storage: Storage, key: str) -> bytes:
    data = b"".join(storage.open(key))
    # The key is made from the content's SHA-256: a changed file is detected here.
    if hashlib.sha256(data).hexdigest() != key.rsplit("/", 1)[-1]:
        raise StoredDocumentDamaged()
    return data


class EinvoiceFlows:
    async def stored_pdf(
        self,
        session: AsyncSession,
        who: Principal | None,
        invoice_id: uuid.UUID,
        *,
        owner_id: uuid.UUID | None = None,
    ) -> StoredPdf:
        """The invoice's PDF from storage; generated and stored on first use, never again."""
        invoice = await repository.get_invoice(session, invoice_id)
        if invoice is None:
            raise NotFound("invoice")
        if invoice.status == "draft":
            raise InvoiceNotIssued()
        storage = get_storage()
        key = invoice.pdf_path
        if key is None:
            key = await self._generate(session, who, invoice_id, storage, owner_id)
        data = await anyio.to_thread.run_sync(_read, storage, key)
        return StoredPdf(invoice_id, invoice.number or "", key, data)

    async def stored_xml(
        self, session: AsyncSession, who: Principal | None, invoice_id: uuid.UUID
    ) -> tuple[str, bytes]:
        """(file name, CII XML): the XML embedded in the stored PDF, so both always agree."""
        stored = await self.stored_pdf(session, who, invoice_id)
        xml = await anyio.to_thread.run_sync(embedded_xml, stored.data)
        return stored.filename, xml

    async def _generate(
        self,
        session: AsyncSession,
        who: Principal | None,
        invoice_id: uuid.UUID,
        storage: Storage,
        owner_id: uuid.UUID | None,
    ) -> str:
        # Lock and look again: a parallel first request may have stored it meanwhile.
        invoice = await repository.get_invoice(session, invoice_id, lock=True)
        if invoice is None:
            raise NotFound("invoice")
        if invoice.pdf_path is not None:
            return invoice.pdf_path
        owner = await self._owner(session, who, owner_id)
        doc = await einvoice_service.document(session, invoice_id)
        return await self._store(session, who, invoice, doc, owner, storage)

    async def _owner(
        self, session: AsyncSession, who: Principal | None, owner_id: uuid.UUID | None
    ) -> uuid.UUID:
        owner = owner_id or (who.employee_id if who else None)
        if owner is None:
            owner = await repository.operator_id(session)
            if owner is None:
                raise NoDocumentOwner()
        return owner

    async def _store(
        self,
        session: AsyncSession,
        who: Principal | None,
        invoice: Invoice,
        doc: InvoiceDocument,
        owner: uuid.UUID,
        storage: Storage,
    ) -> str:
        rendered = await anyio.to_thread.run_sync(render, doc)
        stored = await anyio.to_thread.run_sync(storage.put_bytes, rendered.pdf)
        document_service.track_stored(session, storage, stored.key)
        title = "Gutschrift" if doc.is_credit_note else "Rechnung"
        document = Document(
            title=f"{title} {doc.number}",
            file_path=stored.key,
            type="pdf",
            category="invoice",
            owner_id=owner,
            linked_module="invoice",
            linked_id=invoice.id,
            checksum=stored.sha256,
            size_bytes=stored.size,
            content_type="application/pdf",
            original_filename=f"{safe_filename(doc.number, str(invoice.id))}.pdf",
        )
        session.add(document)
        invoice.pdf_path = stored.key
        await session.flush()
        await audit_service.record(
            session,
            who,
            "generate",
            "document",
            document.id,
            {"invoice": [None, doc.number], "checksum": [None, stored.sha256]},
        )
        return stored.key

    async def export(
        self, session: AsyncSession, out: Path, start: date | None, end: date | None
    ) -> ExportResult:
        """Write NUMBER.pdf and NUMBER.xml of every issued invoice and credit note of the
        period into `out`; missing documents are generated and stored first."""
        storage = get_storage()
        invoices = await repository.issued_between(session, start, end)
        missing = await repository.lock_without_document(session, [i.id for i in invoices])
        result = ExportResult()
        if missing:
            owner = await self._owner(session, None, None)
            docs = await repository.load_documents(session, [i.id for i in missing])
            for invoice in missing:
                try:
                    check(docs[invoice.id])
                except WorkmateError as exc:
                    result.failed.append(f"{invoice.number}: {exc.detail}")
                    continue
                await self._store(session, None, invoice, docs[invoice.id], owner, storage)
        await anyio.to_thread.run_sync(partial(out.mkdir, parents=True, exist_ok=True))
        used: set[str] = set()
        for invoice in invoices:
            if invoice.pdf_path is None:
                continue
            name = safe_filename(invoice.number or "", str(invoice.id))
            if name.lower() in used:
                # Two numbers that differ only in unsafe characters get distinct files.
                name = f"{name}_{invoice.id.hex[:8]}"
            used.add(name.lower())
            data = await anyio.to_thread.run_sync(_read, storage, invoice.pdf_path)
            xml = await anyio.to_thread.run_sync(embedded_xml, data)
            for suffix, content in ((".pdf", data), (".xml", xml)):
                target = out / f"{name}{suffix}"
                await anyio.to_thread.run_sync(target.write_bytes, content)
                result.written.append(target)
        return result


einvoice_flows = EinvoiceFlows()

"""Sending invoices: by e-mail through the outbox (PDF/A-3 with its embedded XML, the XML
alone when the customer wants it) or marked as sent by post. An invoice counts as sent when a
message was accepted by the mail server or a user marked it sent by post. Never commits."""

from __future__ import annotations

import uuid

import anyio.to_thread
from sqlalchemy.ext.asyncio import AsyncSession

from workmate.audit.service import audit_service
from workmate.auth.principal import Principal
from workmate.company.service import company_service
from workmate.documents.service import document_service
from workmate.documents.storage import get_storage
from workmate.einvoice import xrechnung
from workmate.einvoice.flows import einvoice_flows, embedded_xml
from workmate.einvoice.service import einvoice_service
from workmate.errors import Conflict, Invalid, NotFound
from workmate.invoices import repository
from workmate.models import Invoice, InvoiceDispatch, OutboxMessage
from workmate.outbox import repository as outbox_repository
from workmate.outbox import templates
from workmate.outbox.schemas import DispatchRead, MessageRead, SendByEmail
from workmate.outbox.service import Attachment, NewMessage, outbox_service


class InvoiceSending:
    async def send_by_email(
        self, db: AsyncSession, who: Principal, invoice_id: uuid.UUID, data: SendByEmail
    ) -> MessageRead:
        """Queue the invoice's e-mail. While one is queued, or once one was sent (unless
        `resend`), the existing message is the answer: parallel clicks make one message."""
        invoice = await self._issued(db, invoice_id)
        existing = await self._existing(db, invoice.id, resend=data.resend)
        if existing is not None:
            return await outbox_service.read(db, existing)
        customer = await repository.customer(db, invoice.customer_id)
        if customer is None:
            raise NotFound("customer", field="customer_id")
        to = [str(a) for a in data.to] if data.to else ([customer.email] if customer.email else [])
        if not to:
            raise Invalid("the customer has no e-mail address; give one in `to`", field="to")
        language = data.language or templates.language_for(invoice.buyer_country)
        text = await outbox_service.text(db, "invoice", language)
        values = await self._values(db, invoice, language)
        message = await outbox_service.enqueue(
            db,
            who,
            NewMessage(
                purpose="invoice",
                related_type="invoice",
                related_id=invoice.id,
                to=to,
                cc=[str(a) for a in data.cc],
                subject=templates.fill(text.subject, values),
                body=templates.fill(text.body, values),
                language=language,
                attachments=await self._attachments(db, who, invoice, send_xml=customer.send_xml),
            ),
        )
        await audit_service.record(
            db, who, "send_email", "invoice", invoice.id, {"message": [None, str(message.id)]}
        )
        return await outbox_service.read(db, message)

    async def mark_sent_by_post(
        self, db: AsyncSession, who: Principal, invoice_id: uuid.UUID
    ) -> DispatchRead:
        """Record that the issued invoice went out by post (it then counts as sent)."""
        invoice = await self._issued(db, invoice_id)
        dispatch = InvoiceDispatch(
            invoice_id=invoice.id, channel="post", created_by_id=who.employee_id
        )
        db.add(dispatch)
        await db.flush()
        await db.refresh(dispatch)
        await audit_service.record(
            db, who, "send_post", "invoice", invoice.id, {"dispatch": [None, "post"]}
        )
        return DispatchRead.model_validate(dispatch)

    async def dispatches(self, db: AsyncSession, invoice_id: uuid.UUID) -> list[DispatchRead]:
        """How the invoice reached its customer (e-mail accepted, post), oldest first."""
        if await repository.get(db, invoice_id) is None:
            raise NotFound("invoice", field="invoice_id")
        rows = await outbox_repository.dispatches(db, invoice_id)
        return [DispatchRead.model_validate(r) for r in rows]

    async def _issued(self, db: AsyncSession, invoice_id: uuid.UUID) -> Invoice:
        # Locked: parallel sends of one invoice queue here and see each other's message.
        invoice = await repository.get(db, invoice_id, for_update=True)
        if invoice is None:
            raise NotFound("invoice", field="invoice_id")
        if invoice.status == "draft":
            raise Conflict("a draft cannot be sent; issue it first", field="status")
        return invoice

    @staticmethod
    async def _existing(
        db: AsyncSession, invoice_id: uuid.UUID, *, resend: bool
    ) -> OutboxMessage | None:
        for message in await outbox_repository.for_object(db, "invoice", invoice_id):
            if message.purpose != "invoice":
                continue
            if message.state == "queued" or (message.state == "sent" and not resend):
                return message
        return None

    @staticmethod
    async def _values(db: AsyncSession, invoice: Invoice, language: str) -> dict[str, str]:
        company = await company_service.get(db)
        return {
            "number": invoice.number or "",
            "amount": templates.money(invoice.total, language, invoice.currency),
            "due_date": templates.day(invoice.due_date, language),
            "iban": (company.iban or "") if company else "",
            "customer": invoice.buyer_name or "",
            "company": (company.name or "") if company else "",
        }

    @staticmethod
    async def _attachments(
        db: AsyncSession, who: Principal, invoice: Invoice, *, send_xml: bool
    ) -> list[Attachment]:
        stored = await einvoice_flows.stored_pdf(db, who, invoice.id)
        files = [Attachment(f"{stored.filename}.pdf", "application/pdf", stored.key)]
        if xrechnung.is_leitweg_id(invoice.buyer_reference):
            # Public-sector buyers receive the XRechnung (CII) beside the PDF.
            doc = await einvoice_service.document(db, invoice.id)
            xml = await anyio.to_thread.run_sync(xrechnung.cii, doc)
            kept = await anyio.to_thread.run_sync(get_storage().put_bytes, xml)
            document_service.track_stored(db, get_storage(), kept.key)
            files.append(
                Attachment(f"{stored.filename}-xrechnung.xml", "application/xml", kept.key)
            )
        elif send_xml:
            xml = await anyio.to_thread.run_sync(embedded_xml, stored.data)
            kept = await anyio.to_thread.run_sync(get_storage().put_bytes, xml)
            document_service.track_stored(db, get_storage(), kept.key)
            files.append(Attachment(f"{stored.filename}.xml", "application/xml", kept.key))
        return files


invoice_sending = InvoiceSending()

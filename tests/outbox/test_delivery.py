"""Sending invoices by e-mail through the outbox, against a real SMTP server on loopback."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from tests.einvoice.tools import validate
from tests.factories.einvoice import L, make_buyer, make_issued_invoice, make_seller
from tests.outbox.conftest import SmtpServer, _Dropper
from workmate.config import Settings
from workmate.einvoice.flows import embedded_xml
from workmate.models import Employee, InvoiceDispatch, OutboxMessage
from workmate.outbox.flows import outbox_flows

API = "/api/v1"


async def _issued(db: AsyncSession, **buyer: Any) -> Any:
    await make_seller(db)
    customer = await make_buyer(db, **buyer)
    return await make_issued_invoice(
        db,
        [
            L("Beratung", Decimal(3), Decimal("90.00")),
            L("Buch", Decimal(1), Decimal(20), Decimal(7)),
        ],
        customer,
    )


async def _send(client: httpx.AsyncClient, invoice_id: Any, **body: Any) -> dict[str, Any]:
    response = await client.post(f"{API}/invoices/{invoice_id}/send", json=body)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def _message(db: AsyncSession, message_id: Any) -> OutboxMessage:
    message = await db.scalar(
        select(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .execution_options(populate_existing=True)
    )
    assert message is not None
    return message


async def _jobs(db: AsyncSession, message_id: Any) -> int:
    n = await db.scalar(
        text(
            "SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'mail.send' "
            "AND args->>'message_id' = :id AND status = 'todo'"
        ),
        {"id": str(message_id)},
    )
    return int(n or 0)


class TestArrival:
    async def test_pdf_with_valid_embedded_xml_arrives_and_invoice_counts_as_sent(
        self,
        db: AsyncSession,
        as_admin: httpx.AsyncClient,
        smtp_server: SmtpServer,
        tmp_path: Path,
    ) -> None:
        invoice = await _issued(db, email="buchhaltung@kunde.example")
        sent = await _send(as_admin, invoice.id)
        assert sent["state"] == "queued"
        assert [a["filename"] for a in sent["attachments"]] == [f"{invoice.number}.pdf"]
        assert await _jobs(db, sent["id"]) == 1

        assert await outbox_flows.deliver(db, sent["id"], smtp_server.settings()) == "sent"

        [mail] = smtp_server.handler.received
        assert mail["To"] == "buchhaltung@kunde.example"
        assert mail["From"].addresses[0].addr_spec == "rechnung@mueller-soehne.example"
        assert mail["Message-ID"] == sent["smtp_message_id"]
        assert invoice.number in mail["Subject"]
        body = mail.get_body(("plain",))
        assert body is not None
        assert "DE89370400440532013000" in body.get_content()
        [pdf] = list(mail.iter_attachments())
        assert pdf.get_content_type() == "application/pdf"
        data = pdf.get_content()
        target = tmp_path / "received.xml"
        target.write_bytes(embedded_xml(data))
        assert validate(target) == {"received.xml": "ok"}

        message = await _message(db, sent["id"])
        assert (message.state, message.attempts, message.last_error) == ("sent", 1, None)
        dispatch = await db.scalar(
            select(InvoiceDispatch).where(InvoiceDispatch.invoice_id == invoice.id)
        )
        assert dispatch is not None
        assert (dispatch.channel, dispatch.message_id) == ("email", message.id)

    async def test_xml_alone_beside_the_pdf_when_the_customer_wants_it(
        self,
        db: AsyncSession,
        as_admin: httpx.AsyncClient,
        smtp_server: SmtpServer,
        tmp_path: Path,
    ) -> None:
        invoice = await _issued(db, send_xml=True, country="GB")
        sent = await _send(as_admin, invoice.id, to=["ap@buyer.example"], cc=["cfo@buyer.example"])
        assert sent["language"] == "en"
        await outbox_flows.deliver(db, sent["id"], smtp_server.settings())
        [mail] = smtp_server.handler.received
        assert mail["Subject"].startswith("Invoice ")
        assert smtp_server.handler.envelopes[0][1] == ["ap@buyer.example", "cfo@buyer.example"]
        pdf, xml = list(mail.iter_attachments())
        assert xml.get_filename() == f"{invoice.number}.xml"
        assert xml.get_content_type() == "application/xml"
        raw = xml.get_content()
        assert (raw if isinstance(raw, bytes) else raw.encode()) == embedded_xml(pdf.get_content())
        target = tmp_path / "alone.xml"
        target.write_bytes(embedded_xml(pdf.get_content()))
        assert validate(target) == {"alone.xml": "ok"}

    async def test_company_template_fills_placeholders(
        self, db: AsyncSession, as_admin: httpx.AsyncClient, smtp_server: SmtpServer
    ) -> None:
        invoice = await _issued(db)
        saved = await as_admin.put(
            f"{API}/mail-templates/invoice/de",
            json={"subject": "RG {number}", "body": "Betrag {amount} bis {due_date}, {iban}"},
        )
        assert saved.status_code == 200, saved.text
        sent = await _send(as_admin, invoice.id, language="de")
        assert sent["subject"] == f"RG {invoice.number}"
        assert sent["body"] == "Betrag 342,70\xa0€ bis 16.03.2026, DE89370400440532013000"

    async def test_unknown_placeholder_is_refused_naming_the_field(
        self, as_admin: httpx.AsyncClient
    ) -> None:
        response = await as_admin.put(
            f"{API}/mail-templates/invoice/en", json={"subject": "ok", "body": "{password}"}
        )
        assert response.status_code == 422
        assert response.json()["field"] == "body"


class TestRefusals:
    @pytest.mark.parametrize("reply", ["451 Try again later", "550 Mailbox unavailable"])
    async def test_refusal_is_retried_then_fails_visibly(
        self,
        db: AsyncSession,
        as_admin: httpx.AsyncClient,
        smtp_server: SmtpServer,
        reply: str,
    ) -> None:
        invoice = await _issued(db)
        sent = await _send(as_admin, invoice.id)
        smtp_server.handler.reply = reply
        settings = smtp_server.settings(mail_max_attempts=3)
        assert await outbox_flows.deliver(db, sent["id"], settings) == "retry"
        message = await _message(db, sent["id"])
        assert (message.state, message.attempts) == ("queued", 1)
        assert message.last_error == reply
        # The retry is a job of its own, waiting (the current job's row is no longer 'todo'
        # in a real worker; here the first job is still there).
        assert await outbox_flows.deliver(db, sent["id"], settings) == "retry"
        assert await outbox_flows.deliver(db, sent["id"], settings) == "failed"
        message = await _message(db, sent["id"])
        assert (message.state, message.attempts, message.last_error) == ("failed", 3, reply)
        assert smtp_server.handler.tries == 3
        assert smtp_server.handler.received == []
        listed = (await as_admin.get(f"{API}/outbox", params={"state": "failed"})).json()
        assert [m["id"] for m in listed["items"]] == [sent["id"]]
        assert await db.scalar(select(func.count()).select_from(InvoiceDispatch)) == 0

        # Sent again by hand once the server accepts: fresh attempts, then sent.
        smtp_server.handler.reply = "250 OK"
        again = await as_admin.post(f"{API}/outbox/{sent['id']}/send")
        assert again.status_code == 409  # no mail server in this process's settings
        assert again.json()["detail"] == "no mail server configured"

    async def test_dropped_connection_is_retried_then_fails(
        self, db: AsyncSession, as_admin: httpx.AsyncClient, dropping_server: _Dropper
    ) -> None:
        invoice = await _issued(db)
        sent = await _send(as_admin, invoice.id)
        settings = Settings(
            smtp_url=f"smtp://127.0.0.1:{dropping_server.port}",
            smtp_timeout_seconds=5,
            mail_retry_seconds=0,
            mail_max_attempts=2,
        )
        assert await outbox_flows.deliver(db, sent["id"], settings) == "retry"
        assert await outbox_flows.deliver(db, sent["id"], settings) == "failed"
        message = await _message(db, sent["id"])
        assert message.state == "failed"
        assert message.last_error
        assert dropping_server.connections == 2

    async def test_no_mail_server_keeps_the_message_queued_and_visible(
        self, db: AsyncSession, as_admin: httpx.AsyncClient
    ) -> None:
        invoice = await _issued(db)
        sent = await _send(as_admin, invoice.id)
        assert await outbox_flows.deliver(db, sent["id"], Settings(smtp_url=None)) == "waiting"
        listed = (await as_admin.get(f"{API}/outbox")).json()
        assert listed["mail_server_configured"] is False
        [item] = [m for m in listed["items"] if m["id"] == sent["id"]]
        assert (item["state"], item["attempts"]) == ("queued", 0)
        assert item["last_error"] == "no mail server configured"


class TestSendRules:
    async def test_second_click_returns_the_queued_message(
        self, db: AsyncSession, as_admin: httpx.AsyncClient
    ) -> None:
        invoice = await _issued(db)
        first = await _send(as_admin, invoice.id)
        second = await _send(as_admin, invoice.id)
        assert first["id"] == second["id"]

    async def test_a_draft_cannot_be_sent(
        self, db: AsyncSession, as_admin: httpx.AsyncClient
    ) -> None:
        await make_seller(db)
        customer = await make_buyer(db)
        created = await as_admin.post(
            f"{API}/invoices",
            json={
                "customer_id": str(customer.id),
                "service_start": "2026-03-01",
                "lines": [{"description": "x", "quantity": "1", "unit_price": "10"}],
            },
        )
        assert created.status_code == 201, created.text
        response = await as_admin.post(f"{API}/invoices/{created.json()['id']}/send", json={})
        assert response.status_code == 409
        assert response.json()["field"] == "status"

    async def test_without_an_address_it_is_422_naming_to(
        self, db: AsyncSession, as_admin: httpx.AsyncClient
    ) -> None:
        invoice = await _issued(db, email=None)
        response = await as_admin.post(f"{API}/invoices/{invoice.id}/send", json={})
        assert response.status_code == 422
        assert response.json()["field"] == "to"

    async def test_sent_by_post_counts_as_dispatch(
        self, db: AsyncSession, as_admin: httpx.AsyncClient, admin: Employee
    ) -> None:
        invoice = await _issued(db)
        response = await as_admin.post(f"{API}/invoices/{invoice.id}/sent-by-post")
        assert response.status_code == 201, response.text
        listed = (await as_admin.get(f"{API}/invoices/{invoice.id}/dispatches")).json()
        assert [d["channel"] for d in listed] == ["post"]

    async def test_an_employee_cannot_send(
        self, db: AsyncSession, as_employee: httpx.AsyncClient
    ) -> None:
        invoice = await _issued(db)
        response = await as_employee.post(f"{API}/invoices/{invoice.id}/send", json={})
        assert response.status_code == 403

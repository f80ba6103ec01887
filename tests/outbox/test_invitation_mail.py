"""The invitation link e-mailed through the outbox, against a real SMTP server on loopback:
the mail arrives with a working link, and the outbox keeps no readable secret (not in the
body, not in any view, and not at all once the message is sent, failed or withdrawn)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.identity import make_employee
from tests.factories.invoicing import make_company_settings
from tests.outbox.conftest import SmtpServer
from tests.web.test_login import login_form
from workmate.models import Employee, Invitation, OutboxMessage
from workmate.outbox.flows import outbox_flows

API = "/api/v1"
PASSWORD = "mein eigenes passwort"
SENDER = "buero@muster.example"


async def _invite(client: httpx.AsyncClient, employee: Employee) -> dict[str, Any]:
    response = await client.post(f"{API}/employees/{employee.id}/invitation")
    assert response.status_code == 201, response.text
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


async def _stored_row(db: AsyncSession, message_id: Any) -> str:
    """Every column of the stored message as text, as a reader of the database sees it."""
    row = await db.scalar(
        text("SELECT row_to_json(m)::text FROM outbox_messages m WHERE id = :id"),
        {"id": str(message_id)},
    )
    assert row is not None
    return str(row)


def _secret(url: str) -> str:
    return url.rsplit("/", 1)[1]


async def test_mail_arrives_with_a_working_link_and_the_outbox_forgets_it(
    db: AsyncSession,
    as_admin: httpx.AsyncClient,
    client: httpx.AsyncClient,
    smtp_server: SmtpServer,
) -> None:
    await make_company_settings(db, contact_email=SENDER)
    newcomer = await make_employee(db, password_hash=None, firstname="Jana", lastname="Neu")
    invited = await _invite(as_admin, newcomer)
    secret = _secret(invited["url"])
    assert invited["emailed_to"] == newcomer.email

    # Waiting: the body holds a placeholder, never the link; no view shows the link.
    message = await _message(db, invited["message_id"])
    assert (message.purpose, message.related_type, message.state) == (
        "invitation",
        "invitation",
        "queued",
    )
    assert "{link}" in message.body
    assert secret not in message.body
    for path in (f"{API}/outbox", f"{API}/outbox/{message.id}", "/sales/outbox"):
        shown = await as_admin.get(path)
        assert shown.status_code == 200, path
        assert secret not in shown.text, path

    assert await outbox_flows.deliver(db, message.id, smtp_server.settings()) == "sent"

    [mail] = smtp_server.handler.received
    assert mail["To"] == newcomer.email
    assert mail["Subject"].startswith("Ihr Zugang zu Workmate")
    body = mail.get_body(("plain",))
    assert body is not None
    content = body.get_content()
    assert "Guten Tag Jana Neu" in content
    assert "{link}" not in content
    [link] = re.findall(r"http://test/invitation/[\w-]+", content)
    assert link == invited["url"]

    # Sent: nothing in the stored row can open the account.
    message = await _message(db, invited["message_id"])
    assert (message.state, message.secret_link) == ("sent", None)
    assert secret not in await _stored_row(db, message.id)

    # The link from the mail works.
    path = link.removeprefix("http://test")
    assert (await client.get(path)).status_code == 200
    done = await client.post(path, data={"password": PASSWORD, "password_again": PASSWORD})
    assert done.status_code == 303, done.text
    token = await login_form(client)
    login = await client.post(
        "/login", data={"email": newcomer.email, "password": PASSWORD, "csrf_token": token}
    )
    assert login.status_code == 303, login.text


async def test_a_failed_delivery_drops_the_link_and_cannot_be_sent_again(
    db: AsyncSession, as_admin: httpx.AsyncClient, smtp_server: SmtpServer
) -> None:
    await make_company_settings(db, contact_email=SENDER)
    newcomer = await make_employee(db, password_hash=None)
    invited = await _invite(as_admin, newcomer)
    smtp_server.handler.reply = "550 Mailbox unavailable"
    settings = smtp_server.settings(mail_max_attempts=1)

    assert await outbox_flows.deliver(db, invited["message_id"], settings) == "failed"

    message = await _message(db, invited["message_id"])
    assert (message.state, message.secret_link) == ("failed", None)
    assert _secret(invited["url"]) not in await _stored_row(db, message.id)
    again = await as_admin.post(f"{API}/outbox/{message.id}/send")
    assert again.status_code == 409
    assert "create a new invitation" in again.json()["detail"]


async def test_a_replaced_used_or_expired_link_is_never_mailed(
    db: AsyncSession,
    as_admin: httpx.AsyncClient,
    client: httpx.AsyncClient,
    smtp_server: SmtpServer,
) -> None:
    await make_company_settings(db, contact_email=SENDER)
    newcomer = await make_employee(db, password_hash=None)
    first = await _invite(as_admin, newcomer)
    second = await _invite(as_admin, newcomer)

    # A new link withdraws the e-mail with the old one.
    replaced = await _message(db, first["message_id"])
    assert (replaced.state, replaced.secret_link) == ("cancelled", None)
    assert await outbox_flows.deliver(db, replaced.id, smtp_server.settings()) == "skipped"

    # Using the link (passed on by the admin) withdraws the e-mail still waiting with it.
    path = second["url"].removeprefix("http://test")
    done = await client.post(path, data={"password": PASSWORD, "password_again": PASSWORD})
    assert done.status_code == 303, done.text
    used = await _message(db, second["message_id"])
    assert (used.state, used.secret_link) == ("cancelled", None)

    # An expired link waiting for a mail server is withdrawn when delivery comes.
    other = await make_employee(db, password_hash=None)
    third = await _invite(as_admin, other)
    await db.execute(
        update(Invitation)
        .where(Invitation.employee_id == other.id)
        .values(expires_at=Invitation.created_at - timedelta(seconds=1))
    )
    assert await outbox_flows.deliver(db, third["message_id"], smtp_server.settings()) == (
        "withdrawn"
    )
    expired = await _message(db, third["message_id"])
    assert (expired.state, expired.secret_link) == ("cancelled", None)
    assert smtp_server.handler.received == []


async def test_the_database_refuses_a_link_on_a_message_that_no_longer_waits(
    db: AsyncSession, as_admin: httpx.AsyncClient
) -> None:
    newcomer = await make_employee(db, password_hash=None)
    invited = await _invite(as_admin, newcomer)
    with pytest.raises(IntegrityError, match="ck_outbox_messages_secret_link"):
        async with db.begin_nested():
            await db.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == invited["message_id"])
                .values(state="cancelled")
            )


async def test_deactivating_the_employee_ends_the_link_and_withdraws_the_mail(
    db: AsyncSession, as_admin: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    newcomer = await make_employee(db, password_hash=None)
    invited = await _invite(as_admin, newcomer)
    off = await as_admin.patch(f"{API}/employees/{newcomer.id}", json={"is_active": False})
    assert off.status_code == 200, off.text
    message = await _message(db, invited["message_id"])
    assert (message.state, message.secret_link) == ("cancelled", None)
    # Reactivated later, the old link stays dead.
    on = await as_admin.patch(f"{API}/employees/{newcomer.id}", json={"is_active": True})
    assert on.status_code == 200, on.text
    path = invited["url"].removeprefix("http://test")
    assert (await client.get(path)).status_code == 410


async def test_before_the_company_is_set_up_the_inviting_admin_signs(
    db: AsyncSession, as_admin: httpx.AsyncClient, admin: Employee
) -> None:
    await db.execute(text("DELETE FROM company_settings"))
    newcomer = await make_employee(db, password_hash=None, locale="en")
    invited = await _invite(as_admin, newcomer)
    message = await _message(db, invited["message_id"])
    signer = f"{admin.firstname} {admin.lastname}"
    assert message.language == "en"
    assert message.subject == f"Your Workmate access at {signer}"
    assert message.body.endswith(f"Kind regards\n{signer}")

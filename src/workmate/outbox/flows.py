"""Delivery: build the e-mail from an outbox row and its stored attachments, hand it to the
SMTP server, record the outcome. Runs inside the `mail.send` job's transaction.

Exactly-once as far as SMTP allows: the Message-ID was fixed when the row was written; a
message is marked sent in the same transaction that follows the server's acceptance. If the
worker dies between the server's "250 OK" and that commit, the job runs again and the server
receives the message a second time, with the same Message-ID (most mail systems show it once).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

import anyio.to_thread
from sqlalchemy.ext.asyncio import AsyncSession

from workmate import clock
from workmate.audit.service import audit_service
from workmate.company.service import company_service
from workmate.config import Settings, get_settings
from workmate.documents.storage import Storage, get_storage
from workmate.models import InvoiceDispatch, OutboxAttachment, OutboxMessage
from workmate.outbox import repository, smtp, templates
from workmate.outbox.service import NO_MAIL_SERVER, TASK

log = logging.getLogger(__name__)

NO_SENDER = "no sender address: set the company's contact e-mail in the settings"

SentHook = Callable[[AsyncSession, OutboxMessage], Awaitable[None]]
WantedHook = Callable[[AsyncSession, uuid.UUID], Awaitable[bool]]
WITHDRAWN = "the link is used, replaced or expired; the message was withdrawn"


async def _invoice_sent(db: AsyncSession, message: OutboxMessage) -> None:
    # An invoice is sent when the mail server accepted it (not when it was issued).
    assert message.related_id is not None
    db.add(
        InvoiceDispatch(
            invoice_id=message.related_id,
            channel="email",
            message_id=message.id,
            dispatched_at=message.sent_at,
            created_by_id=message.created_by_id,
        )
    )


async def _invitation_open(db: AsyncSession, invitation_id: uuid.UUID) -> bool:
    from workmate.employees.service import invitation_service

    return await invitation_service.is_open(db, invitation_id)


# What else becomes true when a message about an object was accepted, per related_type.
ON_SENT: dict[str, SentHook] = {"invoice": _invoice_sent}
# Whether a waiting message about an object is still worth sending, per related_type: an
# invitation that was used, replaced or expired is withdrawn instead.
STILL_WANTED: dict[str, WantedHook] = {"invitation": _invitation_open}


def _read_files(storage: Storage, files: Sequence[OutboxAttachment]) -> list[bytes]:
    return [b"".join(storage.open(f.storage_key)) for f in files]


def build(
    message: OutboxMessage,
    sender: str,
    sender_name: str | None,
    files: Sequence[OutboxAttachment],
    contents: Sequence[bytes],
) -> EmailMessage:
    """The RFC 5322 message: headers, text body and attachments."""
    email = EmailMessage()
    email["From"] = formataddr((sender_name or "", sender))
    email["To"] = ", ".join(message.to_addresses)
    if message.cc_addresses:
        email["Cc"] = ", ".join(message.cc_addresses)
    email["Subject"] = message.subject
    email["Message-ID"] = message.smtp_message_id
    email["Date"] = format_datetime(clock.now())
    body = message.body
    if message.secret_link is not None:
        body = body.replace(templates.LINK, message.secret_link)
    email.set_content(body)
    for file, data in zip(files, contents, strict=True):
        maintype, _, subtype = file.content_type.partition("/")
        email.add_attachment(data, maintype=maintype, subtype=subtype, filename=file.filename)
    return email


class OutboxFlows:
    async def deliver(
        self, db: AsyncSession, message_id: uuid.UUID, settings: Settings | None = None
    ) -> str:
        """One delivery attempt of a queued message; returns what happened. A refusal or drop
        is stored on the message and tried again later; after the last attempt the message is
        `failed`. Without a mail server the message stays queued."""
        settings = settings or get_settings()
        message = await repository.get(db, message_id, for_update=True)
        if message is None or message.state != "queued":
            return "skipped"
        if not await self._still_wanted(db, message):
            return await self._withdrawn(db, message)
        if not settings.smtp_url:
            message.last_error = NO_MAIL_SERVER
            return "waiting"
        company = await company_service.get(db)
        if company is None or not company.contact_email:
            message.last_error = NO_SENDER
            return "waiting"
        config = smtp.parse_smtp_url(
            settings.smtp_url, settings.smtp_timeout_seconds, settings.smtp_ca_file
        )
        files = await repository.attachments(db, message.id)
        contents = await anyio.to_thread.run_sync(_read_files, get_storage(), files)
        email = build(message, company.contact_email, company.name, files, contents)
        message.attempts += 1
        message.last_attempt_at = clock.now()
        try:
            reply = await smtp.send(config, email)
        except smtp.DELIVERY_ERRORS as exc:
            return await self._refused(db, message, settings, exc)
        message.state = "sent"
        message.sent_at = clock.now()
        message.secret_link = None
        message.last_error = None if "refused" not in reply else reply[:2000]
        hook = ON_SENT.get(message.related_type or "")
        if hook is not None and message.related_id is not None:
            await hook(db, message)
        await db.flush()
        await audit_service.record(
            db, None, "sent", "outbox_message", message.id, {"state": ["queued", "sent"]}
        )
        return "sent"

    @staticmethod
    async def _still_wanted(db: AsyncSession, message: OutboxMessage) -> bool:
        check = STILL_WANTED.get(message.related_type or "")
        if check is None or message.related_id is None:
            return True
        return await check(db, message.related_id)

    @staticmethod
    async def _withdrawn(db: AsyncSession, message: OutboxMessage) -> str:
        message.state = "cancelled"
        message.secret_link = None
        message.last_error = WITHDRAWN
        await db.flush()
        await audit_service.record(
            db, None, "cancel", "outbox_message", message.id, {"state": ["queued", "cancelled"]}
        )
        return "withdrawn"

    async def _refused(
        self, db: AsyncSession, message: OutboxMessage, settings: Settings, exc: BaseException
    ) -> str:
        from workmate import jobs

        message.last_error = describe(exc)[:2000]
        log.warning("mail %s attempt %s failed: %s", message.id, message.attempts, exc)
        if message.attempts >= settings.mail_max_attempts:
            message.state = "failed"
            message.secret_link = None
            await db.flush()
            await audit_service.record(
                db,
                None,
                "fail",
                "outbox_message",
                message.id,
                {"state": ["queued", "failed"], "error": [None, message.last_error]},
            )
            return "failed"
        delay = settings.mail_retry_seconds * 2 ** (message.attempts - 1)
        await db.flush()
        key = f"mail:{message.id}"
        await jobs.defer(
            db,
            TASK,
            lock=key,
            queueing_lock=key,
            run_at=clock.now() + timedelta(seconds=delay),
            message_id=str(message.id),
        )
        return "retry"


def describe(exc: BaseException) -> str:
    """The server's refusal (code and text) or the connection problem, for the outbox."""
    code = getattr(exc, "code", None)
    text = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return f"{code} {text}" if code else f"{type(exc).__name__}: {text}"


outbox_flows = OutboxFlows()

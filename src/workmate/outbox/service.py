"""Outbox rules: a message is written with the action that causes it and its delivery job is
queued in the same transaction; a failed or waiting message can be sent again. Never commits."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from email.utils import make_msgid

from sqlalchemy.ext.asyncio import AsyncSession

from workmate import jobs
from workmate.audit.service import audit_service
from workmate.auth.principal import Principal
from workmate.company.service import company_service
from workmate.config import get_settings
from workmate.errors import Conflict, Invalid, NotFound
from workmate.models import MailTemplate, OutboxAttachment, OutboxMessage
from workmate.outbox import repository, templates
from workmate.outbox.schemas import (
    AttachmentRead,
    MessageRead,
    OutboxPage,
    TemplateRead,
    TemplateWrite,
)
from workmate.pagination import PageParams

NO_MAIL_SERVER = "no mail server configured"
TASK = "mail.send"
# Purposes whose body holds a one-time link; once it is dropped the message cannot go again.
SECRET_PURPOSES = frozenset({"invitation"})


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    content_type: str
    storage_key: str


@dataclass(frozen=True, slots=True)
class NewMessage:
    purpose: str
    related_type: str | None
    related_id: uuid.UUID | None
    to: Sequence[str]
    cc: Sequence[str]
    subject: str
    body: str
    language: str
    attachments: Sequence[Attachment] = ()
    # A one-time link for the {link} in the body: kept apart from the body, put in only when
    # the e-mail is built, dropped once the message is sent, failed or withdrawn.
    secret_link: str | None = None


def mail_server_configured() -> bool:
    return bool(get_settings().smtp_url)


async def defer_delivery(db: AsyncSession, message_id: uuid.UUID) -> None:
    """Queue the delivery job in the caller's transaction (one waiting job per message; jobs of
    one message never run at the same time)."""
    key = f"mail:{message_id}"
    await jobs.defer(db, TASK, lock=key, queueing_lock=key, message_id=str(message_id))


class OutboxService:
    async def enqueue(
        self, db: AsyncSession, who: Principal | None, new: NewMessage
    ) -> OutboxMessage:
        """Write a queued message and its delivery job in the caller's transaction; its
        Message-ID is fixed now, before any delivery."""
        if new.secret_link is not None and templates.LINK not in new.body:
            raise ValueError(f"a message with a secret link needs {templates.LINK} in its body")
        settings = await company_service.get(db)
        sender = settings.contact_email if settings is not None else None
        domain = sender.rpartition("@")[2] if sender else "workmate.invalid"
        message = OutboxMessage(
            id=uuid.uuid4(),
            purpose=new.purpose,
            related_type=new.related_type,
            related_id=new.related_id,
            to_addresses=list(new.to),
            cc_addresses=list(new.cc),
            subject=new.subject,
            body=new.body,
            secret_link=new.secret_link,
            language=new.language,
            state="queued",
            attempts=0,
            smtp_message_id=make_msgid(domain=domain),
            last_error=None if mail_server_configured() else NO_MAIL_SERVER,
            created_by_id=who.employee_id if who is not None else None,
        )
        db.add(message)
        await db.flush()
        db.add_all(
            OutboxAttachment(
                message_id=message.id,
                position=i,
                filename=a.filename,
                content_type=a.content_type,
                storage_key=a.storage_key,
            )
            for i, a in enumerate(new.attachments, start=1)
        )
        await db.flush()
        await defer_delivery(db, message.id)
        await audit_service.record(
            db,
            who,
            "queue",
            "outbox_message",
            message.id,
            {"to": [None, list(new.to)], "subject": [None, new.subject]},
        )
        return message

    async def list_messages(
        self, db: AsyncSession, state: str | None, paging: PageParams
    ) -> OutboxPage:
        """Messages newest first, with whether a mail server is configured at all."""
        rows, total = await repository.page(db, state, paging.limit, paging.offset)
        files = await repository.attachments_of(db, [m.id for m in rows])
        return OutboxPage(
            items=[self._read(m, files[m.id]) for m in rows],
            total=total,
            limit=paging.limit,
            offset=paging.offset,
            mail_server_configured=mail_server_configured(),
        )

    async def get(self, db: AsyncSession, message_id: uuid.UUID) -> MessageRead:
        """One message with its attachments."""
        message = await self._get(db, message_id)
        return self._read(message, await repository.attachments(db, message.id))

    async def for_object(
        self, db: AsyncSession, related_type: str, related_id: uuid.UUID
    ) -> list[MessageRead]:
        """The messages about one object (an invoice, a quote, a letter), newest first."""
        rows = await repository.for_object(db, related_type, related_id)
        files = await repository.attachments_of(db, [m.id for m in rows])
        return [self._read(m, files[m.id]) for m in rows]

    async def read(self, db: AsyncSession, message: OutboxMessage) -> MessageRead:
        return self._read(message, await repository.attachments(db, message.id))

    async def send_now(
        self, db: AsyncSession, who: Principal, message_id: uuid.UUID
    ) -> MessageRead:
        """Queue delivery again: a waiting message at once, a failed one with fresh attempts;
        a sent or cancelled one is 409."""
        message = await self._get(db, message_id, for_update=True)
        if message.state in ("sent", "cancelled"):
            raise Conflict(
                "the message is already {state}", field="state", params={"state": message.state}
            )
        if message.purpose in SECRET_PURPOSES and message.secret_link is None:
            raise Conflict(
                "the one-time link of this message is no longer kept; create a new invitation",
                field="state",
            )
        if not mail_server_configured():
            raise Conflict(NO_MAIL_SERVER, field="state")
        before = message.state
        message.state = "queued"
        if before == "failed":
            message.attempts = 0
        await db.flush()
        await defer_delivery(db, message.id)
        await audit_service.record(
            db, who, "send_now", "outbox_message", message.id, {"state": [before, "queued"]}
        )
        return await self.read(db, message)

    async def cancel(self, db: AsyncSession, who: Principal, message_id: uuid.UUID) -> MessageRead:
        """Withdraw a message that was not sent yet (queued or failed)."""
        message = await self._get(db, message_id, for_update=True)
        if message.state == "sent":
            raise Conflict("the message was already sent", field="state")
        before = message.state
        message.state = "cancelled"
        message.secret_link = None
        await db.flush()
        await audit_service.record(
            db, who, "cancel", "outbox_message", message.id, {"state": [before, "cancelled"]}
        )
        return await self.read(db, message)

    async def withdraw(
        self,
        db: AsyncSession,
        who: Principal | None,
        related_type: str,
        related_ids: Sequence[uuid.UUID],
        purpose: str,
    ) -> int:
        """Cancel the waiting messages about these objects (their link no longer works) and
        drop their one-time links; returns how many."""
        ids = await repository.withdraw(db, related_type, related_ids, purpose)
        for message_id in ids:
            await audit_service.record(
                db, who, "cancel", "outbox_message", message_id, {"state": ["queued", "cancelled"]}
            )
        return len(ids)

    # ---- templates ----

    async def text(self, db: AsyncSession, purpose: str, language: str) -> templates.Text:
        """The company's text for purpose and language, else the built-in one."""
        row = await repository.template(db, purpose, language)
        if row is not None:
            return templates.Text(row.subject, row.body)
        return templates.DEFAULTS[(purpose, language)]

    async def templates(self, db: AsyncSession) -> list[TemplateRead]:
        """Every purpose and language with the text in use and its placeholders."""
        result = []
        for purpose, language in templates.DEFAULTS:
            row = await repository.template(db, purpose, language)
            text = await self.text(db, purpose, language)
            result.append(
                TemplateRead(
                    purpose=purpose,
                    language=language,
                    subject=text.subject,
                    body=text.body,
                    placeholders=list(templates.PLACEHOLDERS[purpose]),
                    customised=row is not None,
                )
            )
        return result

    async def save_template(
        self, db: AsyncSession, who: Principal, purpose: str, language: str, data: TemplateWrite
    ) -> TemplateRead:
        """Store the company's text; placeholders the purpose does not fill are refused."""
        if (purpose, language) not in templates.DEFAULTS:
            raise NotFound("mail template", field="purpose")
        for field, value in (("subject", data.subject), ("body", data.body)):
            try:
                templates.check(purpose, value)
            except templates.UnknownPlaceholder as exc:
                raise Invalid(
                    "unknown placeholder {name}; allowed: {allowed}",
                    field=field,
                    params={
                        "name": "{" + exc.name + "}",
                        "allowed": ", ".join("{" + a + "}" for a in exc.allowed),
                    },
                ) from exc
            except ValueError as exc:
                raise Invalid("the braces of the placeholders do not match", field=field) from exc
        row = await repository.template(db, purpose, language)
        before = None if row is None else {"subject": row.subject, "body": row.body}
        if row is None:
            row = MailTemplate(purpose=purpose, language=language)
            db.add(row)
        row.subject = data.subject
        row.body = data.body
        await db.flush()
        await audit_service.record(
            db,
            who,
            "update",
            "mail_template",
            None,
            {"template": [before, {"purpose": purpose, "language": language}]},
        )
        return TemplateRead(
            purpose=purpose,
            language=language,
            subject=row.subject,
            body=row.body,
            placeholders=list(templates.PLACEHOLDERS[purpose]),
            customised=True,
        )

    # ---- helpers ----

    async def _get(
        self, db: AsyncSession, message_id: uuid.UUID, *, for_update: bool = False
    ) -> OutboxMessage:
        message = await repository.get(db, message_id, for_update=for_update)
        if message is None:
            raise NotFound("message", field="message_id")
        return message

    @staticmethod
    def _read(message: OutboxMessage, files: Sequence[OutboxAttachment]) -> MessageRead:
        read = MessageRead.model_validate(message)
        read.attachments = [AttachmentRead.model_validate(f) for f in files]
        return read


outbox_service = OutboxService()

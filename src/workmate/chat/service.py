"""Project chat rules: who is on a project, length limit, newest-first pages, live fan-out."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from workmate.audit.service import audit_service
from workmate.auth.principal import Principal
from workmate.chat import repository as repo
from workmate.chat.schemas import ChatMessageCreate, ChatMessageRead, ChatPage
from workmate.errors import Invalid, NotFound
from workmate.models import ChatMessage


def encode_cursor(created_at: datetime, message_id: uuid.UUID) -> str:
    raw = f"{created_at.isoformat()}|{message_id}".encode()
    return base64.urlsafe_b64encode(raw).decode()


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        at, _, ident = base64.urlsafe_b64decode(cursor.encode()).decode().partition("|")
        moment = datetime.fromisoformat(at)
        if moment.tzinfo is None:
            raise ValueError("naive")
        return moment, uuid.UUID(ident)
    except ValueError:
        raise Invalid("not a cursor from this list", field="before") from None


class ChatService:
    async def ensure_on_project(
        self, db: AsyncSession, who: Principal, project_id: uuid.UUID
    ) -> None:
        """On the project: projects.write holders, its department, its members (never by
        booking time)."""
        if not await repo.project_exists(db, project_id):
            raise NotFound("project")
        if who.can("projects", "write"):
            return
        if not await repo.is_member(db, project_id, who.employee_id):
            # Not on the project: its chat does not exist for the caller.
            raise NotFound("project")

    async def list(
        self,
        db: AsyncSession,
        who: Principal,
        project_id: uuid.UUID,
        *,
        before: str | None,
        limit: int,
    ) -> ChatPage:
        """Messages newest first, a page at a time by keyset cursor."""
        await self.ensure_on_project(db, who, project_id)
        rows = await repo.page(db, project_id, decode_cursor(before) if before else None, limit + 1)
        items = [ChatMessageRead.model_validate(dict(r)) for r in rows[:limit]]
        more = len(rows) > limit
        cursor = encode_cursor(items[-1].created_at, items[-1].id) if more and items else None
        return ChatPage(items=items, next_cursor=cursor)

    async def post(
        self, db: AsyncSession, who: Principal, project_id: uuid.UUID, data: ChatMessageCreate
    ) -> ChatMessageRead:
        """Store a message and notify every app process (sent by PostgreSQL on commit)."""
        await self.ensure_on_project(db, who, project_id)
        message = ChatMessage(
            id=uuid.uuid4(), project_id=project_id, author_id=who.employee_id, message=data.message
        )
        db.add(message)
        await db.flush()
        row = await repo.one(db, message.id)
        await repo.notify(db, json.dumps({"id": str(message.id), "project_id": str(project_id)}))
        # The text stays out of the audit log; the message row itself is the record.
        await audit_service.record(
            db, who, "create", "chat_message", message.id, {"project_id": [None, str(project_id)]}
        )
        return ChatMessageRead.model_validate(dict(row))

    async def get_for_delivery(
        self, db: AsyncSession, message_id: uuid.UUID
    ) -> ChatMessageRead | None:
        """A committed message as sent to live subscribers."""
        row = await repo.one(db, message_id)
        return None if row is None else ChatMessageRead.model_validate(dict(row))


chat_service = ChatService()

"""SQL for project chat: membership, newest-first keyset pages, one message for delivery."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import exists, func, or_, select, text, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from workmate.models import ChatMessage, Employee, Project, ProjectMember

CHANNEL = "workmate_chat"


async def project_exists(db: AsyncSession, project_id: uuid.UUID) -> bool:
    return bool(await db.scalar(select(exists().where(Project.id == project_id))))


async def is_member(db: AsyncSession, project_id: uuid.UUID, employee_id: uuid.UUID) -> bool:
    """A member of the project, or in the project's department (one query). Booked time
    counts for nothing: anyone may book a minute on any project."""
    same_department = (
        select(Employee.id)
        .join(Project, Project.department_id == Employee.department_id)
        .where(Employee.id == employee_id, Project.id == project_id)
        .exists()
    )
    member = exists().where(
        ProjectMember.project_id == project_id, ProjectMember.employee_id == employee_id
    )
    return bool(await db.scalar(select(or_(same_department, member))))


def _with_author() -> Any:
    name = func.concat_ws(" ", Employee.firstname, Employee.lastname).label("author_name")
    return select(
        ChatMessage.id,
        ChatMessage.project_id,
        ChatMessage.author_id,
        name,
        ChatMessage.message,
        ChatMessage.created_at,
    ).join(Employee, Employee.id == ChatMessage.author_id)


async def page(
    db: AsyncSession,
    project_id: uuid.UUID,
    before: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> Sequence[Any]:
    stmt = _with_author().where(ChatMessage.project_id == project_id)
    if before is not None:
        stmt = stmt.where(tuple_(ChatMessage.created_at, ChatMessage.id) < tuple_(*before))
    stmt = stmt.order_by(ChatMessage.created_at.desc(), ChatMessage.id.desc()).limit(limit)
    return (await db.execute(stmt)).mappings().all()


async def one(db: AsyncSession, message_id: uuid.UUID) -> Any:
    stmt = _with_author().where(ChatMessage.id == message_id)
    return (await db.execute(stmt)).mappings().one_or_none()


async def notify(db: AsyncSession, payload: str) -> None:
    """Queued by PostgreSQL and sent to every listener when (and only if) we commit."""
    await db.execute(
        text("SELECT pg_notify(:channel, :payload)"),
        {
            "channel": CHANNEL,
            "payload": payload,
        },
    )

"""SQL for reading the audit log; one filtered statement serves the items and the total."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from workmate.models import AuditLog


@dataclass(frozen=True, slots=True)
class AuditFilter:
    entity: str | None = None
    entity_id: str | None = None
    actor_id: uuid.UUID | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def audit_query(f: AuditFilter) -> Select[AuditLog]:
    stmt = select(AuditLog)
    if f.entity is not None:
        stmt = stmt.where(AuditLog.entity == f.entity)
    if f.entity_id is not None:
        stmt = stmt.where(AuditLog.entity_id == f.entity_id)
    if f.actor_id is not None:
        stmt = stmt.where(AuditLog.actor_id == f.actor_id)
    if f.action is not None:
        stmt = stmt.where(AuditLog.action == f.action)
    if f.since is not None:
        stmt = stmt.where(AuditLog.at >= f.since)
    if f.until is not None:
        stmt = stmt.where(AuditLog.at < f.until)
    return stmt


async def page(
    db: AsyncSession, f: AuditFilter, limit: int, offset: int
) -> tuple[list[AuditLog], int]:
    """Newest first; the id breaks ties between rows of one transaction (same `at`)."""
    stmt = audit_query(f)
    total = await db.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = await db.scalars(
        stmt.order_by(AuditLog.at.desc(), AuditLog.id.desc()).limit(limit).offset(offset)
    )
    return list(rows.all()), int(total or 0)

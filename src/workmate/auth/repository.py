"""SQL for authentication: one query resolves a credential to employee and role."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from workmate.models import ApiToken, AuthSession, Employee, Role

_PRINCIPAL_COLUMNS = (
    Employee.id,
    Employee.email,
    Employee.locale,
    Role.id.label("role_id"),
    Role.name.label("role_name"),
    Role.permissions,
)


async def session_principal(
    db: AsyncSession, token_hash: str, now: datetime, idle: timedelta
) -> Row[Any] | None:
    """The active employee behind a live (not revoked, not expired, not idle) session."""
    stmt = (
        select(
            *_PRINCIPAL_COLUMNS,
            AuthSession.id.label("session_id"),
            AuthSession.csrf_token,
            AuthSession.last_seen_at,
        )
        .join(Employee, Employee.id == AuthSession.employee_id)
        .join(Role, Role.id == Employee.role_id)
        .where(
            AuthSession.token_hash == token_hash,
            AuthSession.revoked_at.is_(None),
            AuthSession.expires_at > now,
            AuthSession.last_seen_at > now - idle,
            Employee.is_active.is_(True),
        )
    )
    return (await db.execute(stmt)).one_or_none()


async def token_principal(db: AsyncSession, token_hash: str, now: datetime) -> Row[Any] | None:
    """The active employee behind a live personal API token."""
    stmt = (
        select(*_PRINCIPAL_COLUMNS, ApiToken.id.label("token_id"), ApiToken.last_used_at)
        .join(Employee, Employee.id == ApiToken.employee_id)
        .join(Role, Role.id == Employee.role_id)
        .where(
            ApiToken.token_hash == token_hash,
            ApiToken.revoked_at.is_(None),
            (ApiToken.expires_at.is_(None)) | (ApiToken.expires_at > now),
            Employee.is_active.is_(True),
        )
    )
    return (await db.execute(stmt)).one_or_none()


async def touch_session(db: AsyncSession, session_id: uuid.UUID, now: datetime) -> None:
    await db.execute(
        update(AuthSession).where(AuthSession.id == session_id).values(last_seen_at=now)
    )


async def touch_token(db: AsyncSession, token_id: uuid.UUID, now: datetime) -> None:
    await db.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now))

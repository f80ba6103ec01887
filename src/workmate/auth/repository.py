"""SQL for authentication: one query resolves a credential to employee and role."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, func, select, update
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


async def employee_by_email(db: AsyncSession, email: str) -> Employee | None:
    """The employee with this email, compared case-insensitively (as the unique index does)."""
    return await db.scalar(select(Employee).where(func.lower(Employee.email) == email.lower()))


async def get_employee(db: AsyncSession, employee_id: uuid.UUID) -> Employee | None:
    return await db.scalar(select(Employee).where(Employee.id == employee_id))


async def role_of(db: AsyncSession, role_id: uuid.UUID) -> Role | None:
    return await db.scalar(select(Role).where(Role.id == role_id))


async def revoke_session(
    db: AsyncSession, session_id: uuid.UUID, now: datetime, employee_id: uuid.UUID | None = None
) -> bool:
    """Revoke one live session (of `employee_id` when given); False if there was none."""
    stmt = update(AuthSession).where(AuthSession.id == session_id, AuthSession.revoked_at.is_(None))
    if employee_id is not None:
        stmt = stmt.where(AuthSession.employee_id == employee_id)
    result = await db.execute(stmt.values(revoked_at=now))
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def revoke_sessions_of(
    db: AsyncSession, employee_id: uuid.UUID, now: datetime, *, keep: uuid.UUID | None = None
) -> int:
    """Revoke every live session of an employee except `keep`."""
    stmt = update(AuthSession).where(
        AuthSession.employee_id == employee_id, AuthSession.revoked_at.is_(None)
    )
    if keep is not None:
        stmt = stmt.where(AuthSession.id != keep)
    result = await db.execute(stmt.values(revoked_at=now))
    return int(result.rowcount)  # type: ignore[attr-defined]


async def live_sessions(
    db: AsyncSession, employee_id: uuid.UUID, now: datetime
) -> list[AuthSession]:
    stmt = (
        select(AuthSession)
        .where(
            AuthSession.employee_id == employee_id,
            AuthSession.revoked_at.is_(None),
            AuthSession.expires_at > now,
        )
        .order_by(AuthSession.created_at.desc(), AuthSession.id)
    )
    return list((await db.scalars(stmt)).all())


async def tokens_of(db: AsyncSession, employee_id: uuid.UUID) -> list[ApiToken]:
    """An employee's tokens that are not revoked, newest first."""
    stmt = (
        select(ApiToken)
        .where(ApiToken.employee_id == employee_id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.created_at.desc(), ApiToken.id)
    )
    return list((await db.scalars(stmt)).all())


async def revoke_token(
    db: AsyncSession, token_id: uuid.UUID, employee_id: uuid.UUID, now: datetime
) -> bool:
    """Revoke an employee's own live token; False if they hold no such token."""
    result = await db.execute(
        update(ApiToken)
        .where(
            ApiToken.id == token_id,
            ApiToken.employee_id == employee_id,
            ApiToken.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]

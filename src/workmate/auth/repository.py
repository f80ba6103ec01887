"""SQL for authentication: one query resolves a credential to employee and role."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import DateTime, Row, String, Uuid, bindparam, func, select, text, update
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from workmate.models import ApiToken, AuthSession, Employee, Role

# The credential lookup runs on every authenticated request, so it is written once as plain
# SQL: a select() with joins and an OR pays SQLAlchemy's statement construction and cache-key
# walk on each call (about 3x the cost of this text() statement, measured in bench/). The
# typed columns keep the results identical to the ORM types (jsonb decoded, UUIDs, aware
# datetimes). Every rule is still checked here, in the one query, on every request.
_PRINCIPAL_TYPES: dict[str, Any] = {
    "id": Uuid(),
    "email": String(),
    "locale": String(),
    "role_id": Uuid(),
    "role_name": String(),
    "permissions": JSONB(),
}

_SESSION_PRINCIPAL = (
    text(
        "SELECT e.id, e.email, e.locale, r.id AS role_id, r.name AS role_name, r.permissions, "
        "s.id AS session_id, s.csrf_token, s.last_seen_at "
        "FROM auth_sessions s "
        "JOIN employees e ON e.id = s.employee_id "
        "JOIN roles r ON r.id = e.role_id "
        "WHERE s.token_hash = :token_hash AND s.revoked_at IS NULL "
        "AND s.expires_at > :now AND s.last_seen_at > :idle_since AND e.is_active"
    )
    .bindparams(
        bindparam("token_hash", type_=String()),
        bindparam("now", type_=DateTime(timezone=True)),
        bindparam("idle_since", type_=DateTime(timezone=True)),
    )
    .columns(
        **_PRINCIPAL_TYPES,
        session_id=Uuid(),
        csrf_token=String(),
        last_seen_at=DateTime(timezone=True),
    )
)

_TOKEN_PRINCIPAL = (
    text(
        "SELECT e.id, e.email, e.locale, r.id AS role_id, r.name AS role_name, r.permissions, "
        "t.id AS token_id, t.last_used_at "
        "FROM api_tokens t "
        "JOIN employees e ON e.id = t.employee_id "
        "JOIN roles r ON r.id = e.role_id "
        "WHERE t.token_hash = :token_hash AND t.revoked_at IS NULL "
        "AND (t.expires_at IS NULL OR t.expires_at > :now) AND e.is_active"
    )
    .bindparams(
        bindparam("token_hash", type_=String()),
        bindparam("now", type_=DateTime(timezone=True)),
    )
    .columns(**_PRINCIPAL_TYPES, token_id=Uuid(), last_used_at=DateTime(timezone=True))
)


async def session_principal(
    db: AsyncSession, token_hash: str, now: datetime, idle: timedelta
) -> Row[Any] | None:
    """The active employee behind a live (not revoked, not expired, not idle) session."""
    params = {"token_hash": token_hash, "now": now, "idle_since": now - idle}
    return (await db.execute(_SESSION_PRINCIPAL, params)).one_or_none()


async def token_principal(db: AsyncSession, token_hash: str, now: datetime) -> Row[Any] | None:
    """The active employee behind a live personal API token."""
    params = {"token_hash": token_hash, "now": now}
    return (await db.execute(_TOKEN_PRINCIPAL, params)).one_or_none()


# The last-used touch skips a row another request has locked (SKIP LOCKED) instead of
# waiting for it: that request is using the same credential right now and will write a time
# as fresh. Waiting made every request on one token queue behind a slow upload on it.


async def touch_session(db: AsyncSession, session_id: uuid.UUID, now: datetime) -> None:
    free = (
        select(AuthSession.id).where(AuthSession.id == session_id).with_for_update(skip_locked=True)
    )
    await db.execute(
        update(AuthSession)
        .where(AuthSession.id.in_(free.scalar_subquery()))
        .values(last_seen_at=now)
    )


async def touch_token(db: AsyncSession, token_id: uuid.UUID, now: datetime) -> None:
    free = select(ApiToken.id).where(ApiToken.id == token_id).with_for_update(skip_locked=True)
    await db.execute(
        update(ApiToken).where(ApiToken.id.in_(free.scalar_subquery())).values(last_used_at=now)
    )


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

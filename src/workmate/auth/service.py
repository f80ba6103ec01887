"""Authentication: sessions and tokens in, a Principal out."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from workmate.auth import repository
from workmate.auth.principal import Principal
from workmate.auth.tokens import digest, new_secret, new_token
from workmate.config import get_settings
from workmate.models import ApiToken, AuthSession

# Writing last_seen_at on every request would turn each read into a write; a minute of
# precision is plenty for an idle timeout measured in tens of minutes.
TOUCH_EVERY = timedelta(seconds=60)


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class NewSession:
    id: uuid.UUID
    cookie: str
    csrf_token: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class NewToken:
    id: uuid.UUID
    secret: str
    record: ApiToken


class AuthService:
    async def start_session(
        self,
        db: AsyncSession,
        employee_id: uuid.UUID,
        *,
        client_addr: str | None = None,
        user_agent: str | None = None,
    ) -> NewSession:
        """Open a web session; the cookie value is returned once and stored only hashed."""
        settings = get_settings()
        now = utcnow()
        cookie, csrf = new_secret(), new_secret()
        row = AuthSession(
            id=uuid.uuid4(),
            employee_id=employee_id,
            token_hash=digest(cookie),
            csrf_token=csrf,
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(hours=settings.session_absolute_hours),
            client_addr=client_addr,
            user_agent=(user_agent or "")[:255] or None,
        )
        db.add(row)
        await db.flush()
        return NewSession(row.id, cookie, csrf, row.expires_at)

    async def create_token(
        self,
        db: AsyncSession,
        employee_id: uuid.UUID,
        name: str,
        expires_at: datetime | None = None,
    ) -> NewToken:
        """Create a personal API token; its secret is returned once and stored only hashed."""
        secret = new_token()
        row = ApiToken(
            id=uuid.uuid4(),
            employee_id=employee_id,
            name=name,
            prefix=secret[:10],
            token_hash=digest(secret),
            expires_at=expires_at,
        )
        db.add(row)
        await db.flush()
        return NewToken(row.id, secret, row)

    async def from_session(
        self, db: AsyncSession, cookie: str, client_addr: str | None
    ) -> Principal | None:
        """The principal of a live session cookie, or None; keeps last_seen_at fresh."""
        settings = get_settings()
        now = utcnow()
        row = await repository.session_principal(
            db, digest(cookie), now, timedelta(minutes=settings.session_idle_minutes)
        )
        if row is None:
            return None
        if now - row.last_seen_at > TOUCH_EVERY:
            await repository.touch_session(db, row.session_id, now)
        return Principal(
            employee_id=row.id,
            email=row.email,
            role_id=row.role_id,
            role_name=row.role_name,
            permissions=row.permissions,
            via="session",
            session_id=row.session_id,
            client_addr=client_addr,
            locale=row.locale,
            extra={"csrf_token": row.csrf_token},
        )

    async def from_token(
        self, db: AsyncSession, secret: str, client_addr: str | None
    ) -> Principal | None:
        """The principal of a live Bearer token, or None."""
        now = utcnow()
        row = await repository.token_principal(db, digest(secret), now)
        if row is None:
            return None
        if row.last_used_at is None or now - row.last_used_at > TOUCH_EVERY:
            await repository.touch_token(db, row.token_id, now)
        return Principal(
            employee_id=row.id,
            email=row.email,
            role_id=row.role_id,
            role_name=row.role_name,
            permissions=row.permissions,
            via="token",
            token_id=row.token_id,
            client_addr=client_addr,
            locale=row.locale,
        )


auth_service = AuthService()

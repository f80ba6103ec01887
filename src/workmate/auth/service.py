"""Authentication: sessions and tokens in, a Principal out."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import anyio
from sqlalchemy.ext.asyncio import AsyncSession

from workmate import clock
from workmate.audit.service import audit_service, entry
from workmate.auth import ratelimit, repository
from workmate.auth.passwords import MIN_LENGTH, hash_password, needs_rehash, verify_password
from workmate.auth.principal import Principal
from workmate.auth.tokens import digest, new_secret, new_token
from workmate.config import get_settings
from workmate.errors import Invalid, NotFound, TooManyRequests, Unauthorized
from workmate.models import ApiToken, AuthSession, Employee

# One message for an unknown email, a wrong password, a deactivated account and an account
# without a password: an attacker must not learn which emails exist.
WRONG_CREDENTIALS = "wrong email or password"

# Writing last_seen_at on every request would turn each read into a write; a minute of
# precision is plenty for an idle timeout measured in tens of minutes.
TOUCH_EVERY = timedelta(seconds=60)


def utcnow() -> datetime:
    return clock.now()


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


async def hash_password_async(password: str) -> str:
    """argon2 is CPU-heavy by design; hash in a worker thread so the event loop keeps serving."""
    return await anyio.to_thread.run_sync(hash_password, password)


async def verify_password_async(password_hash: str | None, password: str) -> bool:
    return await anyio.to_thread.run_sync(verify_password, password_hash, password)


def check_password_rules(password: str, field: str = "password") -> None:
    """The one password rule: at least MIN_LENGTH characters."""
    if len(password) < MIN_LENGTH:
        raise Invalid(f"{field} must have at least {MIN_LENGTH} characters", field=field)


class AuthService:
    async def login(
        self,
        db: AsyncSession,
        email: str,
        password: str,
        *,
        client_addr: str | None,
        user_agent: str | None,
    ) -> tuple[NewSession, Employee]:
        """Check email and password and open a session; one answer for every kind of failure,
        429 once the per-account or per-address failure limit is reached."""
        settings = get_settings()
        now = utcnow()
        email = email.strip().lower()[:254]
        addr = (client_addr or ratelimit.UNKNOWN_ADDR)[:64]
        await ratelimit.lock_account(db, email, addr)
        wait = await ratelimit.retry_after(db, email, addr, now, settings)
        if wait is not None:
            blocked = TooManyRequests(
                f"too many failed logins; try again in {wait} seconds", retry_after=wait
            )
            # Not counted as a failure: otherwise an attacker could keep the lock closed forever.
            blocked.after_rollback = [
                entry(None, "login_blocked", "auth", None, actor_email=email, client_addr=addr)
            ]
            raise blocked
        employee = await repository.employee_by_email(db, email)
        # Always exactly one argon2 verification, known email or not (no timing oracle).
        ok = await verify_password_async(employee.password_hash if employee else None, password)
        if employee is None or not ok or not employee.is_active:
            failed = Unauthorized(WRONG_CREDENTIALS)
            # Committed with the locks still held (not after a rollback): the count is exact
            # under any number of parallel attempts, in any number of processes.
            failed.commit = True
            db.add_all(
                [
                    ratelimit.attempt(email, addr, success=False),
                    entry(
                        None,
                        "login_failed",
                        "employee",
                        employee.id if employee else None,
                        actor_email=email,
                        client_addr=addr,
                    ),
                ]
            )
            await db.flush()
            raise failed
        if employee.password_hash and needs_rehash(employee.password_hash):
            employee.password_hash = await hash_password_async(password)
        db.add(ratelimit.attempt(email, addr, success=True))
        await ratelimit.forget_old(db, email, now, settings)
        session = await self.start_session(
            db, employee.id, client_addr=client_addr, user_agent=user_agent
        )
        db.add(
            entry(
                None,
                "login",
                "employee",
                employee.id,
                actor_id=employee.id,
                actor_email=employee.email,
                client_addr=addr,
            )
        )
        await db.flush()
        return session, employee

    async def logout(
        self, db: AsyncSession, session_id: uuid.UUID, who: Principal | None = None
    ) -> None:
        """End a web session: its cookie is refused from the next request on."""
        if await repository.revoke_session(db, session_id, utcnow()):
            await audit_service.record(db, who, "logout", "auth_session", session_id)

    async def me(self, db: AsyncSession, who: Principal) -> Employee:
        """The caller's own employee record."""
        employee = await repository.get_employee(db, who.employee_id)
        if employee is None:
            raise NotFound("employee")
        return employee

    async def change_password(
        self, db: AsyncSession, who: Principal, current: str, new: str
    ) -> None:
        """Change one's own password; needs the current one, ends every other session and
        revokes every API token of the employee."""
        employee = await self.me(db, who)
        if not await verify_password_async(employee.password_hash, current):
            raise Invalid("current_password is wrong", field="current_password")
        check_password_rules(new, "new_password")
        employee.password_hash = await hash_password_async(new)
        await repository.revoke_sessions_of(db, employee.id, utcnow(), keep=who.session_id)
        await self._revoke_tokens(db, who, employee.id)
        await audit_service.record(
            db, who, "password_change", "employee", employee.id, {"password": ["***", "***"]}
        )
        await db.flush()

    async def set_password(
        self, db: AsyncSession, who: Principal | None, employee: Employee, password: str
    ) -> None:
        """Set an employee's password (admin reset or CLI): their open sessions end and every
        API token of theirs is revoked (whoever knew the old password may have made one)."""
        check_password_rules(password)
        employee.password_hash = await hash_password_async(password)
        await repository.revoke_sessions_of(db, employee.id, utcnow())
        await self._revoke_tokens(db, who, employee.id)
        await audit_service.record(
            db, who, "password_set", "employee", employee.id, {"password": ["***", "***"]}
        )
        await db.flush()

    async def end_sessions(
        self, db: AsyncSession, who: Principal | None, employee_id: uuid.UUID
    ) -> int:
        """Revoke every session of an employee (deactivation, password reset)."""
        count = await repository.revoke_sessions_of(db, employee_id, utcnow())
        if count:
            await audit_service.record(
                db, who, "sessions_revoked", "employee", employee_id, {"sessions": [None, count]}
            )
        return count

    async def _revoke_tokens(
        self, db: AsyncSession, who: Principal | None, employee_id: uuid.UUID
    ) -> None:
        count = await repository.revoke_tokens_of(db, employee_id, utcnow())
        if count:
            await audit_service.record(
                db, who, "tokens_revoked", "employee", employee_id, {"tokens": [None, count]}
            )

    async def sessions(self, db: AsyncSession, who: Principal) -> list[AuthSession]:
        """The caller's live web sessions."""
        return await repository.live_sessions(db, who.employee_id, utcnow())

    async def revoke_own_session(
        self, db: AsyncSession, who: Principal, session_id: uuid.UUID
    ) -> None:
        """End one of the caller's own sessions; someone else's is 404, not 403."""
        if not await repository.revoke_session(db, session_id, utcnow(), who.employee_id):
            raise NotFound("session")
        await audit_service.record(db, who, "logout", "auth_session", session_id)

    async def issue_token(
        self, db: AsyncSession, who: Principal, name: str, expires_at: datetime | None
    ) -> NewToken:
        """Create a personal token for the caller; the expiry, if any, must lie ahead."""
        if expires_at is not None and expires_at <= utcnow():
            raise Invalid("expires_at must be in the future", field="expires_at")
        token = await self.create_token(db, who.employee_id, name, expires_at)
        await audit_service.record(
            db,
            who,
            "create",
            "api_token",
            token.id,
            {"name": [None, name], "prefix": [None, token.record.prefix]},
        )
        return token

    async def tokens(self, db: AsyncSession, who: Principal) -> list[ApiToken]:
        """The caller's own tokens that are not revoked."""
        return await repository.tokens_of(db, who.employee_id)

    async def revoke_token(self, db: AsyncSession, who: Principal, token_id: uuid.UUID) -> None:
        """Revoke one of the caller's own tokens; someone else's is 404, not 403."""
        if not await repository.revoke_token(db, token_id, who.employee_id, utcnow()):
            raise NotFound("token")
        await audit_service.record(db, who, "revoke", "api_token", token_id)

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

"""Login rate limits, counted in the login_attempts table.

The table is shared by every app process (and every worker), so the limit holds however many
processes serve; an in-memory counter would multiply the allowance by the process count.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from workmate.config import Settings
from workmate.models import LoginAttempt

UNKNOWN_ADDR = "unknown"


async def lock_account(db: AsyncSession, email: str, client_addr: str) -> None:
    """Serialise logins of one account and of one address until this transaction ends.

    Without it, parallel guesses would all read the same failure count before any of them
    is stored and slip past the limit together. The transaction holds both locks until its
    failure row is committed (WorkmateError.commit), so the next attempt in line reads it.
    Always the account first, then the address: two logins never wait on each other in a
    circle.
    """
    for key in (f"workmate.login:{email}", f"workmate.login-addr:{client_addr}"):
        await db.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": key}
        )


async def _retry_after(
    db: AsyncSession,
    column: InstrumentedAttribute[str],
    value: str,
    limit: int,
    now: datetime,
    window: timedelta,
) -> int | None:
    # The limit-th most recent failure in the window: once it ages out, one more try is allowed.
    stmt = (
        select(LoginAttempt.at)
        .where(
            column == value,
            LoginAttempt.success.is_(False),
            LoginAttempt.at > now - window,
        )
        .order_by(LoginAttempt.at.desc())
        .offset(limit - 1)
        .limit(1)
    )
    at = await db.scalar(stmt)
    if at is None:
        return None
    return max(1, math.ceil((at + window - now).total_seconds()))


async def retry_after(
    db: AsyncSession, email: str, client_addr: str, now: datetime, settings: Settings
) -> int | None:
    """Seconds until the next attempt is allowed, or None when neither limit is reached."""
    window = timedelta(seconds=settings.login_window_seconds)
    waits = [
        await _retry_after(
            db,
            LoginAttempt.email,
            email,
            settings.login_max_failures_per_account,
            now,
            window,
        ),
        await _retry_after(
            db,
            LoginAttempt.client_addr,
            client_addr,
            settings.login_max_failures_per_address,
            now,
            window,
        ),
    ]
    found = [w for w in waits if w is not None]
    return max(found) if found else None


def attempt(email: str, client_addr: str, *, success: bool) -> LoginAttempt:
    """An unsaved attempt row (a failure is stored after the request's rollback)."""
    return LoginAttempt(email=email[:254], client_addr=client_addr[:64], success=success)


async def forget_old(db: AsyncSession, email: str, now: datetime, settings: Settings) -> None:
    """Drop an account's attempts long past the window: they no longer count for anything."""
    # Kept a day past the window so an investigation right after an attack still finds them.
    cutoff = now - timedelta(seconds=settings.login_window_seconds) - timedelta(days=1)
    await db.execute(
        delete(LoginAttempt).where(LoginAttempt.email == email, LoginAttempt.at < cutoff)
    )


async def failures(db: AsyncSession, email: str) -> int:
    """Failed attempts stored for an account (for tests and diagnostics)."""
    stmt = select(func.count()).where(LoginAttempt.email == email, LoginAttempt.success.is_(False))
    return int(await db.scalar(stmt) or 0)

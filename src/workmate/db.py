"""Engine, sessions and the one-transaction-per-request rule."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlsplit

from fastapi import Depends, Request
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from workmate.config import Settings, get_settings
from workmate.errors import ServiceUnavailable, WorkmateError


def resolve_database_url(settings: Settings | None = None) -> str:
    """The libpq URL to use: the configured one, or the embedded server's (started on demand)."""
    settings = settings or get_settings()
    if settings.database_url:
        return settings.database_url
    from workmate import embedded

    return embedded.start(settings.pgdata_dir)


def sqlalchemy_url(libpq_url: str) -> URL:
    """Turn a plain libpq URL into an asyncpg URL for SQLAlchemy.

    Users give the URL every PostgreSQL tool understands; the driver is our business.
    `?host=/socket/dir` (a Unix socket) and `sslmode` are kept as the driver expects them.
    """
    parts = urlsplit(libpq_url)
    if parts.scheme not in ("postgresql", "postgres") and not parts.scheme.startswith(
        "postgresql+"
    ):
        raise ValueError(f"not a PostgreSQL URL: scheme {parts.scheme!r}")
    query = dict(parse_qsl(parts.query))
    host = parts.hostname or query.pop("host", None)
    if "sslmode" in query:
        query["ssl"] = query.pop("sslmode")
    return URL.create(
        "postgresql+asyncpg",
        username=parts.username or None,
        password=parts.password or None,
        host=None if host and host.startswith("/") else host,
        port=parts.port,
        database=(parts.path or "/").lstrip("/") or None,
        query={**query, **({"host": host} if host and host.startswith("/") else {})},
    )


def make_engine(libpq_url: str, **kwargs: Any) -> AsyncEngine:
    settings = get_settings()
    options: dict[str, Any] = {
        "pool_size": settings.pool_size,
        "max_overflow": settings.pool_size,
        "pool_pre_ping": False,
        # The pool's reset on return is a ROLLBACK round trip; sessions always end their
        # transaction themselves (commit or rollback), so that reset is pure overhead.
        "pool_reset_on_return": None,
        "connect_args": {"server_settings": {"application_name": "workmate", "timezone": "UTC"}},
    }
    if "poolclass" in kwargs:
        options.pop("pool_size")
        options.pop("max_overflow")
    options.update(kwargs)
    return create_async_engine(sqlalchemy_url(libpq_url), **options)


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One transaction per request: commit before the response is sent, roll back on error."""
    maker: async_sessionmaker[AsyncSession] | None = getattr(
        request.app.state, "sessionmaker", None
    )
    if maker is None:
        raise ServiceUnavailable("database not configured")
    async with maker() as session, transaction(session):
        yield session


@asynccontextmanager
async def transaction(session: AsyncSession) -> AsyncIterator[AsyncSession]:
    """Commit on success; on error roll back, then keep what the error asks to keep (audit)."""
    try:
        yield session
        await session.commit()
    except WorkmateError as exc:
        await session.rollback()
        if exc.after_rollback:
            session.add_all(exc.after_rollback)
            await session.commit()
        raise
    except BaseException:
        await session.rollback()
        raise


SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]


@asynccontextmanager
async def session_scope(engine: AsyncEngine | None = None) -> AsyncIterator[AsyncSession]:
    """One transaction for a CLI command or job: commit at the end, roll back on error."""
    own = engine is None
    engine = engine or make_engine(resolve_database_url(), pool_size=2)
    try:
        async with make_sessionmaker(engine)() as session, transaction(session):
            yield session
    finally:
        if own:
            await engine.dispose()

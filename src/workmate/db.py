"""Engine, sessions and the one-transaction-per-request rule."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any, TypeVar
from urllib.parse import parse_qsl, urlsplit

import anyio
from fastapi import Depends, Request
from sqlalchemy import Insert, Update, event
from sqlalchemy.engine import URL
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import NullPool
from sqlalchemy.sql.selectable import CTE

from workmate.config import Settings, get_settings
from workmate.dbproblems import NotPostgresURL
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
        raise NotPostgresURL(parts.scheme)
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


WORD_SIMILARITY_THRESHOLD = "0.4"


def make_engine(libpq_url: str, **kwargs: Any) -> AsyncEngine:
    settings = get_settings()
    options: dict[str, Any] = {
        "pool_size": settings.pool_size,
        "max_overflow": settings.pool_size,
        # Not on every checkout: see ping_idle_connections().
        "pool_pre_ping": False,
        # The pool's reset on return is a ROLLBACK round trip; sessions always end their
        # transaction themselves (commit or rollback), so that reset is pure overhead.
        "pool_reset_on_return": None,
        "connect_args": {
            "server_settings": {
                "application_name": "workmate",
                "timezone": "UTC",
                # pg_trgm's default (0.6) misses one-letter typos in short words ("Hofman");
                # 0.4 finds them without flooding. Customer search is the only user of the
                # word-similarity operator (<%). Set per connection rather than with a
                # transaction-local set_config() per search: that was an extra round trip, and
                # it would not survive a read-only (autocommit) request, see read_only().
                "pg_trgm.word_similarity_threshold": WORD_SIMILARITY_THRESHOLD,
            }
        },
    }
    if "poolclass" in kwargs:
        options.pop("pool_size")
        options.pop("max_overflow")
    ping_after = kwargs.pop("ping_after_idle_seconds", settings.pool_ping_idle_seconds)
    options.update(kwargs)
    engine = create_async_engine(sqlalchemy_url(libpq_url), **options)
    if not options.get("pool_pre_ping") and options.get("poolclass") is not NullPool:
        ping_idle_connections(engine, ping_after)
    return engine


def ping_idle_connections(engine: AsyncEngine, after_seconds: float) -> None:
    """Ping a pooled connection before use when it has idled `after_seconds` or longer.

    PostgreSQL (idle_session_timeout, a restart, pg_terminate_backend) or a proxy may drop a
    connection while it waits in the pool; used unchecked, the first request after that failed
    with "connection is closed" (issue 13, item 16). A failed ping makes the pool discard the
    connection and check out another (SQLAlchemy's DisconnectionError protocol). A busy process
    reuses connections within milliseconds and pays nothing; pinging every checkout
    (pool_pre_ping) cost one round trip per request, about 1.5 ms here, doubling the
    database time of a small read.
    """
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "checkin")
    def _idle_since(dbapi_connection: Any, record: Any) -> None:
        record.info["checked_in_at"] = time.monotonic()

    @event.listens_for(sync_engine, "checkout")
    def _ping_if_idle(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        since = record.info.get("checked_in_at")
        if since is None or time.monotonic() - since < after_seconds:
            return
        try:
            alive = sync_engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            raise DisconnectionError("pooled connection was closed") from exc
        if not alive:
            raise DisconnectionError("pooled connection was closed")


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


F = TypeVar("F", bound=Callable[..., Any])
READ_ONLY = "__workmate_read_only__"
READ_METHODS = frozenset({"GET", "HEAD"})


def read_only(endpoint: F) -> F:
    """Mark a route whose GET/HEAD requests may run without BEGIN/COMMIT (autocommit).

    Opt-in per route, because "GET" alone proves nothing: some GET routes write (the first
    e-invoice PDF is generated under a row lock and must stay one transaction). Mark a route
    only if every statement it and its dependencies run is either
      * a read: PostgreSQL runs at READ COMMITTED, where each statement takes its own snapshot
        even inside a transaction, so an explicit transaction adds no consistency to a series
        of reads, only the BEGIN and COMMIT round trips; or
      * a single self-contained write whose effect is right on its own: the principal's
        last-seen touch (one UPDATE) and the audit entry of a refused request (one INSERT);
    and none takes a row lock (FOR UPDATE) or sets anything transaction-local.
    """
    setattr(endpoint, READ_ONLY, True)
    return endpoint


def _is_read_only(request: Request) -> bool:
    endpoint = request.scope.get("endpoint")
    return request.method in READ_METHODS and bool(getattr(endpoint, READ_ONLY, False))


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One transaction per request: commit before the response is sent, roll back on error.

    GET/HEAD on a route marked read_only() runs in autocommit instead (see there).
    """
    maker: async_sessionmaker[AsyncSession] | None = getattr(
        request.app.state, "sessionmaker", None
    )
    if maker is None:
        raise ServiceUnavailable("database not configured")
    if _is_read_only(request):
        async with maker() as session, autocommit(session):
            # asyncpg then sends no BEGIN; commit and rollback have nothing to end. The
            # connection's isolation level is reset when it returns to the pool, locally.
            await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
            yield session
        return
    async with maker() as session, transaction(session):
        yield session


log = logging.getLogger(__name__)

# Work that must wait until the transaction has ended (removing a stored file, for one): it
# gets the same session and runs in a transaction of its own. Registered per session.
AfterAction = Callable[[AsyncSession], Awaitable[None]]
_AFTER_COMMIT = "workmate.after_commit"
_AFTER_ROLLBACK = "workmate.after_rollback"


def after_commit(session: AsyncSession, action: AfterAction) -> None:
    """Run `action` once the current transaction has committed; never if it rolls back."""
    session.info.setdefault(_AFTER_COMMIT, []).append(action)


def after_rollback(session: AsyncSession, action: AfterAction) -> None:
    """Run `action` if the current transaction rolls back (for any reason); never on commit."""
    session.info.setdefault(_AFTER_ROLLBACK, []).append(action)


def _take(session: AsyncSession, *, committed: bool) -> list[AfterAction]:
    on_commit: list[AfterAction] = session.info.pop(_AFTER_COMMIT, [])
    on_rollback: list[AfterAction] = session.info.pop(_AFTER_ROLLBACK, [])
    return on_commit if committed else on_rollback


async def _run_after(session: AsyncSession, actions: list[AfterAction]) -> None:
    # The transaction's outcome is final: a failing action is logged, never raised (the
    # periodic orphan sweep removes what a failed file removal leaves behind).
    for action in actions:
        try:
            async with transaction(session):
                await action(session)
        except Exception:
            log.exception("after-transaction action %r failed", action)


@asynccontextmanager
async def transaction(session: AsyncSession) -> AsyncIterator[AsyncSession]:
    """Commit on success; on error roll back, then keep what the error asks to keep (audit).
    Then run the after_commit or after_rollback actions registered meanwhile."""
    try:
        yield session
        await session.commit()
    except WorkmateError as exc:
        if exc.commit:
            await session.commit()
            await _run_after(session, _take(session, committed=True))
            raise
        await session.rollback()
        if exc.after_rollback:
            session.add_all(exc.after_rollback)
            await session.commit()
        await _run_after(session, _take(session, committed=False))
        raise
    except BaseException:
        await session.rollback()
        # Also after a cancellation (a client that went away): the clean-up must still run.
        with anyio.CancelScope(shield=True):
            await _run_after(session, _take(session, committed=False))
        raise
    await _run_after(session, _take(session, committed=True))


@asynccontextmanager
async def autocommit(session: AsyncSession) -> AsyncIterator[AsyncSession]:
    """transaction() for a read_only request, whose statements each commit on their own:
    pending objects are flushed (that writes them), nothing is committed or rolled back
    (SQLAlchemy's commit and rollback cost CPU and would end no transaction); what an error
    asks to keep (the audit row of a refusal) is written, the after-actions run as there."""
    try:
        yield session
        await session.flush()
    except WorkmateError as exc:
        if exc.commit:
            await session.flush()
        elif exc.after_rollback:
            # What was pending is dropped, as a rollback would; the record is written.
            session.expunge_all()
            session.add_all(exc.after_rollback)
            await session.flush()
        await _run_after(session, _take(session, committed=exc.commit))
        raise
    except BaseException:
        with anyio.CancelScope(shield=True):
            await _run_after(session, _take(session, committed=False))
        raise
    await _run_after(session, _take(session, committed=True))


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


R = TypeVar("R")


async def written_with(
    db: AsyncSession,
    model: type[R],
    write: Insert | Update,
    beside: Callable[[CTE], list[Insert | Update]],
) -> R | None:
    """`write` (an INSERT or UPDATE of `model`'s table RETURNING every column) and the
    statements `beside` builds over its RETURNING (its audit row, say) as one statement with
    data-modifying CTEs: one round trip. The row as `model`, fresh in the session, or None
    when nothing was written."""
    from sqlalchemy import select

    written = write.cte("written")
    statement = select(written).add_cte(
        *(dml.cte(f"beside_{i}") for i, dml in enumerate(beside(written)))
    )
    rows = await db.scalars(
        select(model).from_statement(statement).execution_options(populate_existing=True)
    )
    return rows.first()


async def for_delete(db: AsyncSession, model: type[R], row_id: Any) -> R | None:
    """The row, locked and read afresh, or None once a concurrent transaction deleted it: a
    delete that reads this way answers 404 to all but the first of parallel requests."""
    from sqlalchemy import select

    stmt = (
        select(model)
        .where(model.id == row_id)  # type: ignore[attr-defined]
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return await db.scalar(stmt)

"""Uploads that cannot take the service down (issue 13, item 12).

A slow client may take minutes to send a file. While its body streams the request holds no
database connection and no row lock:

1. authenticate and check the permission (the request's session, as every route);
2. commit the request's session: its connection goes back to the pool, and the row lock of
   the token's or session's last-used update is released;
3. take an upload slot of the employee in a short transaction of its own: at most
   `WORKMATE_UPLOADS_PER_USER` uploads of one employee at once, counted in PostgreSQL so the
   cap holds across every app process (429 beyond it);
4. stream the body to storage under a time limit (`WORKMATE_UPLOAD_BODY_SECONDS`, 408 after);
   the slot is given back as soon as the last byte has arrived (a slot of a crashed process
   expires by itself);
5. the service opens the request's transaction again for the rows.
"""

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any

import anyio
from fastapi import Depends, Request
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import ClientDisconnect

from workmate.auth.deps import require
from workmate.auth.principal import Principal
from workmate.config import get_settings
from workmate.db import SessionDep
from workmate.errors import BadRequest, RequestTimeout, ServiceUnavailable, TooManyRequests

# A slot outlives its body time limit by this much: the service's own work after the body.
SLOT_MARGIN = timedelta(minutes=5)

_TAKE = text(
    """
    WITH gone AS (
        DELETE FROM upload_slots WHERE employee_id = :employee AND expires_at <= now()
    ), live AS (
        SELECT count(*) AS n FROM upload_slots WHERE employee_id = :employee AND expires_at > now()
    )
    INSERT INTO upload_slots (employee_id, expires_at)
    SELECT :employee, now() + :ttl FROM live WHERE live.n < :cap
    RETURNING id
    """
)


async def take_slot(
    maker: async_sessionmaker[AsyncSession], employee_id: uuid.UUID, cap: int, ttl: timedelta
) -> uuid.UUID | None:
    """A new upload slot of the employee, or None when `cap` uploads are running."""
    async with maker() as session, session.begin():
        # One employee's slots are counted and taken one transaction at a time, in whichever
        # process: without this, two concurrent takers could both see a free slot.
        await session.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended('upload:' || :employee, 0))"),
            {"employee": str(employee_id)},
        )
        slot: uuid.UUID | None = await session.scalar(
            _TAKE, {"employee": employee_id, "ttl": ttl, "cap": cap}
        )
        return slot


async def give_back(maker: async_sessionmaker[AsyncSession], slot: uuid.UUID) -> None:
    """End an upload: its slot is free again."""
    async with maker() as session, session.begin():
        await session.execute(text("DELETE FROM upload_slots WHERE id = :id"), {"id": slot})


async def timed(
    body: AsyncIterator[bytes], seconds: float, done: Callable[[], Awaitable[None]]
) -> AsyncIterator[bytes]:
    """The body's chunks, as long as the whole body arrives within `seconds` (408 after);
    `done` runs once the last chunk is read."""
    deadline = anyio.current_time() + seconds
    chunks = body.__aiter__()
    while True:
        with anyio.move_on_after(max(0.0, deadline - anyio.current_time())) as scope:
            try:
                chunk = await chunks.__anext__()
            except StopAsyncIteration:
                break
            except ClientDisconnect:
                # Nobody reads the answer; a 400 instead of an "unhandled error" in the log.
                raise BadRequest("the client closed the connection during the upload") from None
        if scope.cancelled_caught:
            raise RequestTimeout(
                "the upload took longer than {seconds} seconds",
                field="file",
                params={"seconds": int(seconds)},
            )
        yield chunk
    await done()


@dataclass(frozen=True, slots=True)
class Upload:
    """The authenticated uploader and the request body, to be streamed without a connection."""

    who: Principal
    body: AsyncIterator[bytes]


def upload_permission(module: str, action: str) -> Callable[..., Any]:
    """Dependency of an upload route: permission, slot, connection released, timed body."""
    check = require(module, action)

    async def upload(
        request: Request, who: Annotated[Principal, Depends(check)], db: SessionDep
    ) -> AsyncIterator[Upload]:
        settings = get_settings()
        maker: async_sessionmaker[AsyncSession] | None = getattr(
            request.app.state, "sessionmaker", None
        )
        if maker is None:
            raise ServiceUnavailable("database not configured")
        # Ends the authentication's transaction first: no connection, no row lock while the
        # body streams (and no second connection wanted while holding one: under load that
        # is a pool deadlock). The service's first statement begins the next transaction.
        await db.commit()
        ttl = timedelta(seconds=settings.upload_body_seconds) + SLOT_MARGIN
        slot = await take_slot(maker, who.employee_id, settings.uploads_per_user, ttl)
        if slot is None:
            raise TooManyRequests(
                "too many uploads of yours at once; wait until one has finished", retry_after=10
            )
        given_back = False

        async def release() -> None:
            # Normally when the last byte has arrived, before the service's transaction
            # takes a connection; otherwise (a refused or broken upload) when the route ends.
            nonlocal given_back
            if not given_back:
                given_back = True
                with anyio.CancelScope(shield=True):
                    await give_back(maker, slot)

        try:
            yield Upload(who, timed(request.stream(), settings.upload_body_seconds, release))
        finally:
            await release()

    upload.__name__ = f"upload_{module}_{action}"
    return upload

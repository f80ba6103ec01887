"""get_session: GET/HEAD on a route marked read_only() runs without BEGIN/COMMIT; every
other request keeps its one transaction."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from workmate.db import SessionDep, make_sessionmaker, read_only

pytestmark = pytest.mark.asyncio

# A transaction-local setting survives into the next statement only inside a transaction;
# in autocommit every statement is its own transaction.
SET_LOCAL = "SELECT set_config('workmate.probe', 'set', true)"
GET = "SELECT coalesce(current_setting('workmate.probe', true), '') <> 'set'"


@pytest.fixture
def probe_app(engine: AsyncEngine) -> Any:
    app = FastAPI()
    app.state.sessionmaker = make_sessionmaker(engine)

    async def autocommit(db: SessionDep) -> dict[str, bool]:
        await db.execute(text(SET_LOCAL))
        return {"autocommit": bool(await db.scalar(text(GET)))}

    async def unmarked(db: SessionDep) -> dict[str, bool]:
        return await autocommit(db)

    app.api_route("/marked", methods=["GET", "POST"])(read_only(autocommit))
    app.get("/unmarked")(unmarked)
    return app


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [("GET", "/marked", True), ("POST", "/marked", False), ("GET", "/unmarked", False)],
)
async def test_only_marked_reads_skip_the_transaction(
    probe_app: Any, method: str, path: str, expected: bool
) -> None:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=probe_app), base_url="http://test"
    ) as client:
        r = await client.request(method, path)
    assert r.status_code == 200, r.text
    assert r.json() == {"autocommit": expected}


@pytest.fixture
def writing_app(engine: AsyncEngine) -> Any:
    """read_only routes that leave work for the end of the request (committed database)."""
    from workmate.db import after_commit
    from workmate.errors import Conflict, install_handlers
    from workmate.models import Department

    app = FastAPI()
    app.state.sessionmaker = make_sessionmaker(engine)
    install_handlers(app)
    app.state.ran = []

    async def pending(db: SessionDep) -> dict[str, bool]:
        db.add(Department(name=app.state.names[0]))
        return {"ok": True}

    async def after(db: SessionDep) -> dict[str, bool]:
        async def note(_: Any) -> None:
            app.state.ran.append("after_commit")

        after_commit(db, note)
        return {"ok": True}

    async def refused(db: SessionDep) -> dict[str, bool]:
        error = Conflict("refused")
        error.after_rollback = [Department(name=app.state.names[1])]
        raise error

    app.get("/pending")(read_only(pending))
    app.get("/refused")(read_only(refused))
    app.get("/after")(read_only(after))
    return app


async def test_a_read_only_request_still_writes_what_it_leaves_pending(
    writing_app: Any, engine: AsyncEngine
) -> None:
    """No COMMIT in autocommit, but a pending object, the record of a refusal (after_rollback)
    and the after-commit actions are not lost on the way."""
    import uuid

    names = [f"read-only probe {uuid.uuid4().hex[:8]}" for _ in range(2)]
    writing_app.state.names = names
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=writing_app), base_url="http://test"
        ) as client:
            assert (await client.get("/pending")).status_code == 200
            assert (await client.get("/refused")).status_code == 409
            assert (await client.get("/after")).status_code == 200
        async with engine.connect() as conn:
            found = await conn.scalar(
                text("SELECT count(*) FROM departments WHERE name = ANY(:n)"), {"n": names}
            )
        assert found == 2
        assert writing_app.state.ran == ["after_commit"]
    finally:
        async with engine.begin() as conn:
            await conn.execute(text("DELETE FROM departments WHERE name = ANY(:n)"), {"n": names})

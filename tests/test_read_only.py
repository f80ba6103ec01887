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

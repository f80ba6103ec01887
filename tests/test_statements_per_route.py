"""Every GET route of the API costs the same number of SQL statements for few rows as for many.

One company is filled with one row of every kind, each GET route without path parameters is
called and its statements counted (SQLAlchemy's and the read path's); then 29 more rows of
every kind are added and each route is counted again. A route whose count grew loads rows one
by one somewhere (issue 19; the lists alone are in tests/test_lessons.py). Every other API
route has its recorded bound in tests/test_statements_every_route.py.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from tests.factories.crm import new_contact
from tests.factories.records import make_customer
from tests.test_lessons import (
    LISTS,
    application_statements,
    count_statements,
    files_settings,
)
from workmate.config import Settings
from workmate.models import Employee

pytestmark = pytest.mark.asyncio

__all__ = ["files_settings"]  # the fixture, imported for pytest

# Routes whose answer is a file or a stream rather than rows, or that take seconds by design.
SKIP = re.compile(r"/(export|backup|events|stream|ws)\b")


def get_routes(app: Any) -> list[str]:
    return sorted(
        route.path
        for route in app.routes
        if isinstance(route, APIRoute)
        and "GET" in (route.methods or ())
        and route.path.startswith("/api/")
        and "{" not in route.path
        and not SKIP.search(route.path)
    )


async def _fill(db: AsyncSession, admin: Employee, rows: range) -> None:
    await db.refresh(admin)  # a refused request's rollback expired it
    for i in rows:
        for _, add in LISTS.values():
            await add(db, admin, i)
        await new_contact(db, await make_customer(db))
    await db.commit()


async def _count(
    client: httpx.AsyncClient, engine: AsyncEngine, paths: list[str]
) -> dict[str, tuple[int, int]]:
    counted = {}
    for path in paths:
        await client.get(path)  # warm-up: a token's first use also records it
        with count_statements(engine) as seen:
            r = await client.get(path)
        counted[path] = (r.status_code, len(application_statements(seen)))
    return counted


async def test_no_get_route_grows_with_the_rows(
    app: Any,
    as_admin: httpx.AsyncClient,
    admin: Employee,
    db: AsyncSession,
    engine: AsyncEngine,
    files_settings: Settings,
) -> None:
    paths = get_routes(app)
    await _fill(db, admin, range(1))
    one = await _count(as_admin, engine, paths)
    await _fill(db, admin, range(1, 30))
    thirty = await _count(as_admin, engine, paths)
    measured = [p for p in paths if one[p][0] == thirty[p][0] == 200]
    # One statement more is allowed: a list whose rows no longer fit one page counts its
    # total separately (the customer list); loading row by row would add 29.
    grown = {p: (one[p][1], thirty[p][1]) for p in measured if thirty[p][1] > one[p][1] + 1}
    assert not grown, grown
    # Most routes answer without parameters; the rest need them (422) or a role (403).
    assert len(measured) >= 30, {p: one[p] for p in paths if p not in measured}

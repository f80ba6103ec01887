"""Every route × {anonymous, Admin, Manager, Employee}: the answer its declared permission and
the role's seeded permissions call for.

Expectations are derived, not listed: the walker of test_route_permissions finds each route's
declared permissions, the roles' JSON comes from the database. A route added tomorrow is
checked tomorrow without touching this file.

- anonymous: 401 unless the route is public (web pages may redirect to the login instead);
- a role lacking a declared permission: 403 (or 404 where existence must not leak);
- a role holding them all: neither 401/403 nor a 500 (usually 404 or 422: the ids are random
  and the bodies empty).
Every answer is also searched for password hashes and the caller's own token secret.
WebSocket routes are skipped: they have no status codes to compare; their permission
declaration is still checked by test_route_permissions.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from typing import Any

import anyio
import httpx
import pytest
import pytest_asyncio
from fastapi.routing import APIRoute
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from tests.factories.identity import make_employee, token_client
from tests.test_route_permissions import app_routes, route_permissions
from workmate.app import create_app
from workmate.auth.permissions import allows
from workmate.db import get_session, transaction
from workmate.models import Role

ROLES = ("anonymous", "Admin", "Manager", "Employee")
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
REDIRECTS = frozenset({302, 303, 307})


def _cases() -> list[Any]:
    cases = []
    for path, route, inherited in app_routes():
        if not isinstance(route, APIRoute):
            continue  # WebSocket: see the module docstring
        perms = tuple(route_permissions(route, inherited))
        for method in sorted((route.methods or set()) - {"HEAD"}):
            for role in ROLES:
                cases.append(pytest.param(method, path, perms, role, id=f"{method} {path} {role}"))
    return cases


@pytest.fixture(scope="module")
def matrix_app(engine: AsyncEngine) -> Any:
    # Building the app costs more than most requests here; one app serves all cases.
    return create_app(engine=engine, check=False)


@pytest_asyncio.fixture
async def app(matrix_app: Any, db: AsyncSession) -> Any:
    """The shared app, its requests running inside this test's rolled-back transaction."""

    async def test_session() -> AsyncIterator[AsyncSession]:
        async with transaction(db):
            yield db

    matrix_app.dependency_overrides[get_session] = test_session
    return matrix_app


def concrete(path: str) -> str:
    """The path with a fresh random UUID for every parameter."""
    return re.sub(r"\{[^}]+\}", lambda _: str(uuid.uuid4()), path)


def allowed(perms: tuple[tuple[str, str], ...], permissions: dict[str, Any] | None) -> bool:
    """Whether a caller with `permissions` (None: anonymous) passes every declaration."""
    for module, action in perms:
        if module == "*" and action == "public":
            continue
        if permissions is None:
            return False
        if module == "*" and action == "session":
            return False  # the matrix calls with API tokens; these routes want a password login
        if module == "*":
            continue  # authenticated
        if not allows(permissions, module, action):
            return False
    return True


@pytest.mark.parametrize(("method", "path", "perms", "role"), _cases())
async def test_route_answers_as_declared(
    app: Any, db: AsyncSession, method: str, path: str, perms: Any, role: str
) -> None:
    assert perms, f"{method} {path} declares no permission"
    secret: str | None = None
    if role == "anonymous":
        permissions = None
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")
    else:
        permissions = await db.scalar(select(Role.permissions).where(Role.name == role))
        assert permissions is not None, f"seed role {role} missing"
        caller = await make_employee(db, role)
        client = await token_client(app, db, caller)
        secret = client.headers["authorization"].removeprefix("Bearer ")
    async with client:
        with anyio.fail_after(60):
            r = await client.request(
                method,
                concrete(path),
                json={} if method in BODY_METHODS else None,
                follow_redirects=False,
            )
    where = f"{method} {path} as {role}: {r.status_code} {r.text[:200]}"
    if permissions is None and not allowed(perms, None):
        expected = {401} if path.startswith("/api/") else {401} | REDIRECTS
        assert r.status_code in expected, where
    elif allowed(perms, permissions):
        assert r.status_code not in (401, 403), where
        assert r.status_code < 500, where
    else:
        assert r.status_code in (403, 404), where
    assert "$argon2" not in r.text, where
    if secret is not None:
        assert secret not in r.text, where

"""Employees, roles and logged-in clients.

Tests authenticate like real clients: a personal API token or a session minted through the
auth service. There is no test-only authentication path in the application.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest_asyncio
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from workmate.auth.deps import CSRF_HEADER, SESSION_COOKIE
from workmate.auth.passwords import hash_password
from workmate.auth.service import auth_service
from workmate.models import Employee, Role

_seq = itertools.count(1)
PASSWORD = "correct horse battery staple"
_HASH = hash_password(PASSWORD)  # hashing is slow by design; do it once


async def role_id(db: AsyncSession, name: str) -> uuid.UUID:
    found = await db.scalar(select(Role.id).where(Role.name == name))
    if found is None:
        raise LookupError(f"no role {name!r}")
    return found


async def make_role(db: AsyncSession, name: str | None = None, **permissions: list[str]) -> Role:
    role = Role(name=name or f"Role {next(_seq)}", permissions=permissions)
    db.add(role)
    await db.flush()
    return role


async def make_employee(db: AsyncSession, role: str = "Employee", **overrides: Any) -> Employee:
    n = next(_seq)
    values: dict[str, Any] = {
        "firstname": "Erika",
        "lastname": f"Muster{n}",
        "email": f"user{n}-{uuid.uuid4().hex[:6]}@example.de",
        "password_hash": _HASH,
    }
    values.update(overrides)
    if "role_id" not in values:
        values["role_id"] = await role_id(db, role)
    employee = Employee(**values)
    db.add(employee)
    await db.flush()
    return employee


async def token_client(app: Any, db: AsyncSession, employee: Employee) -> httpx.AsyncClient:
    """A client that authenticates with a fresh personal API token of `employee`."""
    token = await auth_service.create_token(db, employee.id, "test")
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://test",
        headers={"Authorization": f"Bearer {token.secret}"},
    )


async def session_client(app: Any, db: AsyncSession, employee: Employee) -> httpx.AsyncClient:
    """A browser-like client: session cookie plus the CSRF header for state changes."""
    session = await auth_service.start_session(db, employee.id)
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://test",
        headers={CSRF_HEADER: session.csrf_token},
    )
    client.cookies.set(SESSION_COOKIE, session.cookie)
    return client


@pytest_asyncio.fixture
async def admin(db: AsyncSession) -> Employee:
    return await make_employee(db, "Admin", firstname="Ada")


@pytest_asyncio.fixture
async def manager(db: AsyncSession) -> Employee:
    return await make_employee(db, "Manager", firstname="Max")


@pytest_asyncio.fixture
async def employee(db: AsyncSession) -> Employee:
    return await make_employee(db, "Employee", firstname="Emil")


@pytest_asyncio.fixture
async def as_admin(app: Any, db: AsyncSession, admin: Employee) -> AsyncIterator[httpx.AsyncClient]:
    async with await token_client(app, db, admin) as c:
        yield c


@pytest_asyncio.fixture
async def as_manager(
    app: Any, db: AsyncSession, manager: Employee
) -> AsyncIterator[httpx.AsyncClient]:
    async with await token_client(app, db, manager) as c:
        yield c


@pytest_asyncio.fixture
async def as_employee(
    app: Any, db: AsyncSession, employee: Employee
) -> AsyncIterator[httpx.AsyncClient]:
    async with await token_client(app, db, employee) as c:
        yield c

"""Browser-like clients for the page tests: a session cookie, as after a real login."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest_asyncio
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.identity import session_client
from workmate.models import Employee


@pytest_asyncio.fixture
async def web_admin(
    app: Any, db: AsyncSession, admin: Employee
) -> AsyncIterator[httpx.AsyncClient]:
    async with await session_client(app, db, admin) as c:
        yield c


@pytest_asyncio.fixture
async def web_manager(
    app: Any, db: AsyncSession, manager: Employee
) -> AsyncIterator[httpx.AsyncClient]:
    async with await session_client(app, db, manager) as c:
        yield c


@pytest_asyncio.fixture
async def web_employee(
    app: Any, db: AsyncSession, employee: Employee
) -> AsyncIterator[httpx.AsyncClient]:
    async with await session_client(app, db, employee) as c:
        yield c

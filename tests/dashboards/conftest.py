from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest_asyncio
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from workmate.app import create_app
from workmate.db import get_session, transaction


@pytest_asyncio.fixture
async def app(engine: AsyncEngine, db: AsyncSession) -> Any:
    """The real app on the test's transaction; the test's setup is committed (a savepoint
    release, still rolled back at the end) before each request, so a refused request undoes
    only its own work."""
    application = create_app(engine=engine, check=False)

    async def test_session() -> AsyncIterator[AsyncSession]:
        await db.commit()
        async with transaction(db):
            yield db

    application.dependency_overrides[get_session] = test_session
    return application

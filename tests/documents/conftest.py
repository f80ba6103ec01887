from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from workmate.app import create_app
from workmate.config import Settings, get_settings
from workmate.db import get_session, transaction


@pytest.fixture(autouse=True)
def files_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings whose data folder (and so files_dir) is this test's own temporary folder."""
    settings = get_settings()
    monkeypatch.setattr(settings, "data_dir", tmp_path / "data")
    return settings


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

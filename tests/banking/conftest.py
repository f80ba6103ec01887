"""Banking tests: each test stores files in its own folder; the money invariant holds after."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.invoicing import assert_money_invariant
from workmate.config import Settings, get_settings


@pytest.fixture(autouse=True)
def files_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    settings = get_settings()
    monkeypatch.setattr(settings, "data_dir", tmp_path / "data")
    return settings


@pytest_asyncio.fixture(autouse=True)
async def money_invariant(db: AsyncSession) -> AsyncIterator[None]:
    yield
    await assert_money_invariant(db)

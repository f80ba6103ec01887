"""Fixtures of the money tests; the money invariant is checked after every test."""

from collections.abc import AsyncIterator

import pytest_asyncio
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.invoicing import assert_money_invariant


@pytest_asyncio.fixture(autouse=True)
async def money_invariant(db: AsyncSession) -> AsyncIterator[None]:
    """After each scenario: paid exactly when payments sum to the total, never overpaid."""
    yield
    await assert_money_invariant(db)

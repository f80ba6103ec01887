"""Customer numbers under concurrency: separate connections, committed."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.pool import NullPool

from workmate.customers.schemas import CustomerCreate
from workmate.customers.service import customer_service
from workmate.db import make_engine, make_sessionmaker, transaction

pytestmark = [pytest.mark.asyncio, pytest.mark.live]


async def test_parallel_creates_get_distinct_consecutive_numbers(live_database_url: str) -> None:
    engine = make_engine(live_database_url, poolclass=NullPool)
    maker = make_sessionmaker(engine)

    async def create(i: int) -> str:
        session: AsyncSession
        async with maker() as session, transaction(session):
            customer = await customer_service.create(
                session, None, CustomerCreate(name=f"Parallel {i}")
            )
            await asyncio.sleep(0.01)  # hold the counter row lock a little
            return customer.number

    try:
        numbers = await asyncio.gather(*(create(i) for i in range(10)))
    finally:
        await engine.dispose()
    values = sorted(int(n.removeprefix("K-")) for n in numbers)
    assert values == list(range(values[0], values[0] + 10))


async def test_rolled_back_number_is_given_back(live_database_url: str) -> None:
    engine = make_engine(live_database_url, poolclass=NullPool)
    maker = make_sessionmaker(engine)
    try:
        async with maker() as session:
            lost = await customer_service.create(session, None, CustomerCreate(name="Rollback"))
            await session.rollback()
        async with maker() as session, transaction(session):
            kept = await customer_service.create(session, None, CustomerCreate(name="Kept"))
    finally:
        await engine.dispose()
    # Gapless: the rolled-back number was never used, so the next customer takes it.
    assert kept.number == lost.number

"""Quote numbers are gapless under concurrency: parallel issues on separate connections take
consecutive numbers, none twice."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.pool import NullPool

from tests.conftest import TEMPLATE, _recreate, worker_name
from tests.factories.einvoice import make_buyer, make_seller
from tests.factories.identity import make_employee
from workmate.auth.permissions import everything
from workmate.auth.principal import Principal
from workmate.db import make_engine, make_sessionmaker, transaction
from workmate.invoices.schemas import LineIn
from workmate.quotes.schemas import QuoteCreate
from workmate.quotes.service import quote_service


@pytest.fixture
def race_database_url(request: pytest.FixtureRequest, server_url: str) -> str:
    return _recreate(server_url, f"wm_test_{worker_name(request.config)}_quote_race", TEMPLATE)


@pytest.mark.live
async def test_parallel_issues_take_consecutive_numbers(race_database_url: str) -> None:
    engine = make_engine(race_database_url, poolclass=NullPool)
    try:
        maker = make_sessionmaker(engine)
        async with maker() as setup, transaction(setup):
            await make_seller(setup)
            admin = await make_employee(setup, "Admin")
            customer = await make_buyer(setup)
            who = Principal(
                employee_id=admin.id,
                email=admin.email,
                role_id=admin.role_id,
                role_name="Admin",
                permissions=everything(),
                via="cli",
            )
            ids = [
                (
                    await quote_service.create(
                        setup,
                        who,
                        QuoteCreate(
                            customer_id=customer.id,
                            lines=[
                                LineIn(description="x", quantity=Decimal(1), unit_price=Decimal(1))
                            ],
                        ),
                    )
                ).id
                for _ in range(8)
            ]

        async def issue(quote_id: object) -> str:
            session: AsyncSession
            async with maker() as session, transaction(session):
                issued = await quote_service.issue(session, who, quote_id)  # type: ignore[arg-type]
                assert issued.number is not None
                return issued.number

        numbers = await asyncio.gather(*(issue(i) for i in ids))
        seqs = sorted(int(n.rsplit("-", 1)[1]) for n in numbers)
        assert seqs == list(range(1, 9))
    finally:
        await engine.dispose()

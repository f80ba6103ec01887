"""Two first requests for the same invoice document, on separate connections: one document."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.pool import NullPool

from tests.conftest import TEMPLATE, _recreate, worker_name
from tests.factories.einvoice import L, make_issued_invoice, make_seller
from tests.factories.identity import make_employee
from workmate.db import make_engine, make_sessionmaker, transaction
from workmate.einvoice.flows import einvoice_flows
from workmate.models import Document


@pytest.fixture
def race_database_url(request: pytest.FixtureRequest, server_url: str) -> str:
    """A fresh committed database of our own (the rolled-back `db` cannot show races)."""
    return _recreate(server_url, f"wm_test_{worker_name(request.config)}_einvoice_race", TEMPLATE)


@pytest.mark.live
async def test_parallel_first_requests_store_one_document(race_database_url: str) -> None:
    engine = make_engine(race_database_url, poolclass=NullPool)
    try:
        maker = make_sessionmaker(engine)
        async with maker() as setup, transaction(setup):
            await make_seller(setup)
            owner = await make_employee(setup, "Admin")
            invoice = await make_issued_invoice(setup, [L("Beratung", Decimal(3), Decimal(90))])
            invoice_id, owner_id = invoice.id, owner.id

        async def first_request() -> bytes:
            session: AsyncSession
            async with maker() as session, transaction(session):
                stored = await einvoice_flows.stored_pdf(
                    session, None, invoice_id, owner_id=owner_id
                )
                return stored.data

        results = await asyncio.gather(*(first_request() for _ in range(4)))
        assert len(set(results)) == 1
        async with maker() as check:
            count = await check.scalar(
                select(func.count()).select_from(Document).where(Document.linked_id == invoice_id)
            )
        assert count == 1
    finally:
        await engine.dispose()

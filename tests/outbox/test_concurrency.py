"""On a committed database: 20 parallel "send" clicks make one message; the real worker
delivers it through the `mail.send` job, once."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.pool import NullPool

from tests.conftest import TEMPLATE, _recreate, worker_name
from tests.factories.einvoice import L, make_issued_invoice, make_seller
from tests.factories.identity import make_employee
from tests.outbox.conftest import SmtpServer
from workmate.auth.permissions import everything
from workmate.auth.principal import Principal
from workmate.config import Settings, get_settings
from workmate.db import make_engine, make_sessionmaker, transaction
from workmate.invoices.sending import invoice_sending
from workmate.jobs.worker import run_worker
from workmate.models import InvoiceDispatch, OutboxMessage
from workmate.outbox.schemas import SendByEmail


@pytest.fixture
def race_database_url(request: pytest.FixtureRequest, server_url: str) -> str:
    """A fresh committed database of our own (the rolled-back `db` cannot show races)."""
    return _recreate(server_url, f"wm_test_{worker_name(request.config)}_outbox_race", TEMPLATE)


@pytest.mark.live
async def test_twenty_parallel_clicks_make_one_message_delivered_once(
    race_database_url: str, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(race_database_url, poolclass=NullPool)
    try:
        maker = make_sessionmaker(engine)
        async with maker() as setup, transaction(setup):
            await make_seller(setup)
            admin = await make_employee(setup, "Admin")
            invoice = await make_issued_invoice(setup, [L("Beratung", Decimal(3), Decimal(90))])
            who = Principal(
                employee_id=admin.id,
                email=admin.email,
                role_id=admin.role_id,
                role_name="Admin",
                permissions=everything(),
                via="cli",
            )
            invoice_id = invoice.id

        async def click() -> str:
            session: AsyncSession
            async with maker() as session, transaction(session):
                sent = await invoice_sending.send_by_email(session, who, invoice_id, SendByEmail())
                return str(sent.id)

        ids = await asyncio.gather(*(click() for _ in range(20)))
        assert len(set(ids)) == 1
        async with maker() as check:
            messages = await check.scalar(select(func.count()).select_from(OutboxMessage))
            waiting = await check.scalar(
                text("SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'mail.send'")
            )
        assert (messages, waiting) == (1, 1)

        # The real worker runs the job with the server from the environment.
        monkeypatch.setenv("WORKMATE_SMTP_URL", smtp_server.url)
        get_settings.cache_clear()
        try:
            await run_worker(
                race_database_url,
                maker,
                settings=Settings(job_poll_seconds=0.2),
                queues=["mail"],
                concurrency=1,
                install_signal_handlers=False,
                wait=False,
                name="outbox-test",
            )
        finally:
            monkeypatch.delenv("WORKMATE_SMTP_URL")
            get_settings.cache_clear()
        assert len(smtp_server.handler.received) == 1
        async with maker() as check:
            message = await check.scalar(select(OutboxMessage))
            assert message is not None
            assert (message.state, message.attempts) == ("sent", 1)
            dispatches = await check.scalar(select(func.count()).select_from(InvoiceDispatch))
        assert dispatches == 1
    finally:
        await engine.dispose()

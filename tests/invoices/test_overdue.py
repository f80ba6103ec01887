"""Overdue: one definition everywhere, the CLI and the job store it, dunning levels rise."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import httpx
import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession
from typer.testing import CliRunner

from tests.factories.invoicing import make_company_settings, make_issued_invoice
from workmate.company.schemas import DunningLevel
from workmate.db import make_engine, session_scope
from workmate.invoices import jobs
from workmate.invoices.overdue import today
from workmate.invoices.service import invoice_service
from workmate.models import AuditLog, Invoice

URL = "/api/v1/invoices"


async def _aged(db: AsyncSession, days_overdue: int) -> Invoice:
    due = today() - timedelta(days=days_overdue)
    return await make_issued_invoice(  # type: ignore[no-any-return]
        db, due_date=due, issued_date=due - timedelta(days=14)
    )


async def test_past_due_is_overdue_in_lists_and_statistics_before_any_job(
    as_manager: httpx.AsyncClient, db: AsyncSession
) -> None:
    late = await _aged(db, 3)
    on_time = await _aged(db, -3)
    late_id, on_time_id = str(late.id), str(on_time.id)
    overdue = (await as_manager.get(URL, params={"status": "overdue"})).json()
    ids = {i["id"] for i in overdue["items"]}
    assert late_id in ids
    assert on_time_id not in ids
    assert overdue["total"] == len(overdue["items"])
    sent = {i["id"] for i in (await as_manager.get(URL, params={"status": "sent"})).json()["items"]}
    assert on_time_id in sent
    assert late_id not in sent
    assert (await as_manager.get(f"{URL}/{late_id}")).json()["status"] == "overdue"
    stats = (await as_manager.get(f"{URL}/statistics")).json()
    assert stats["overdue_count"] == overdue["total"]


async def test_mark_overdue_stores_status_and_dunning(db: AsyncSession) -> None:
    await make_company_settings(db)
    a, b, c = await _aged(db, 8), await _aged(db, 40), await _aged(db, -1)
    marked = await invoice_service.mark_overdue(db, today())
    assert marked >= 2
    for inv in (a, b, c):
        await db.refresh(inv)
    assert (a.status, a.dunning_level) == ("overdue", 1)
    assert (b.status, b.dunning_level) == ("overdue", 3)
    assert (c.status, c.dunning_level) == ("sent", 0)
    assert b.last_dunned_on == today()
    await db.flush()
    assert await db.scalar(select(AuditLog.id).where(AuditLog.entity_id == str(a.id)))
    # Idempotent.
    await invoice_service.mark_overdue(db, today())
    await db.refresh(b)
    assert b.dunning_level == 3


async def test_dunning_levels_follow_company_settings(
    as_admin: httpx.AsyncClient, db: AsyncSession
) -> None:
    await make_company_settings(db)
    r = await as_admin.put(
        "/api/v1/settings/company",
        json={"dunning_levels": [{"days": 5, "fee": "2.50"}, {"days": 50, "fee": "10.00"}]},
    )
    assert r.status_code == 200
    inv = await _aged(db, 10)
    inv_id = inv.id
    await invoice_service.mark_overdue(db, today())
    body = (await as_admin.get(f"{URL}/{inv_id}/dunning")).json()
    assert body["level"] == 1
    assert body["days_overdue"] == 10
    assert body["fees"] == "2.50"
    assert [(lvl["level"], lvl["reached"]) for lvl in body["levels"]] == [(1, True), (2, False)]


async def test_job_and_cli_mark_overdue_on_a_committed_database(
    live_db: AsyncSession, live_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    due = today() - timedelta(days=2)
    first = await make_issued_invoice(live_db, due_date=due, issued_date=due)
    second = await make_issued_invoice(live_db, due_date=due, issued_date=due)
    await live_db.commit()
    engine = make_engine(live_database_url, pool_size=1)
    try:
        # The periodic job's body, in one transaction as a worker runs it.
        async with session_scope(engine) as session:
            marked = await jobs.mark_overdue(session)
        assert marked >= 2
    finally:
        await engine.dispose()
    await live_db.refresh(first)
    assert first.status == "overdue"
    # The job has run; make the second one look unmarked again to see the CLI do it.
    await live_db.execute(
        text("UPDATE invoices SET status = 'sent' WHERE id = :id"), {"id": second.id}
    )
    await live_db.commit()
    from workmate.cli.main import app
    from workmate.config import get_settings

    monkeypatch.setenv("WORKMATE_DATABASE_URL", live_database_url)
    get_settings.cache_clear()
    try:
        # The command runs its own event loop, so it gets a thread of its own.
        result = await asyncio.to_thread(CliRunner().invoke, app, ["invoices", "mark-overdue"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "marked overdue" in result.output
    await live_db.refresh(second)
    assert second.status == "overdue"


def test_dunning_level_schema_orders_days() -> None:
    assert DunningLevel(days=1, fee="0").days == 1  # type: ignore[arg-type]
    assert date.today()

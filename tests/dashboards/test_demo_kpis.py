"""On the demo company (`workmate demo`): every KPI equals an independent SQL query, and each
widget costs a fixed small number of queries however much data there is."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
import pytest_asyncio
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.pool import NullPool
from typer.testing import CliRunner

from tests.conftest import TEMPLATE, _recreate, worker_name
from workmate.app import create_app
from workmate.auth.service import auth_service
from workmate.cli.main import app as cli
from workmate.config import get_settings
from workmate.db import make_engine

pytestmark = pytest.mark.live

W = "/api/v1/dashboards/widgets"
NOW = "(now() AT TIME ZONE 'Europe/Berlin')"
OUTSTANDING = (
    "i.total - COALESCE((SELECT sum(p.amount) FROM payments p WHERE p.invoice_id = i.id), 0)"
)
OPEN = "i.kind = 'invoice' AND i.status IN ('sent', 'overdue')"
OVERDUE = f"{OPEN} AND (i.status = 'overdue' OR i.due_date < {NOW}::date)"
WEEK = f"(date_trunc('week', {NOW}) AT TIME ZONE 'Europe/Berlin')"


@pytest.fixture(scope="module")
def demo_url(request: pytest.FixtureRequest, server_url: str) -> str:
    url = _recreate(server_url, f"wm_test_{worker_name(request.config)}_dash_demo", TEMPLATE)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(
            cli, ["demo", "--seed", "11"], env={"WORKMATE_DATABASE_URL": url}
        )
    finally:
        get_settings.cache_clear()
    if result.exit_code != 0:
        pytest.fail(f"workmate demo failed: {result.output[-300:]}")
    return url


@pytest_asyncio.fixture
async def demo_engine(demo_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(demo_url, poolclass=NullPool)
    yield engine
    await engine.dispose()


async def client_for(engine: AsyncEngine, app: Any, employee_sql: str) -> httpx.AsyncClient:
    """A token client for the employee the query picks (committed: the demo copy is ours)."""
    async with AsyncSession(engine, expire_on_commit=False) as session:
        employee_id = (await session.execute(text(employee_sql))).scalar_one()
        token = await auth_service.create_token(session, employee_id, "kpi test")
        await session.commit()
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://test",
        headers={"Authorization": f"Bearer {token.secret}"},
    )


async def sql(engine: AsyncEngine, statement: str, **params: Any) -> list[Any]:
    async with engine.connect() as conn:
        return list((await conn.execute(text(statement), params)).all())


async def widget(client: httpx.AsyncClient, wid: str) -> Any:
    response = await client.get(f"{W}/{wid}")
    assert response.status_code == 200, response.text
    return response.json()["data"]


ADMIN = (
    "SELECT e.id FROM employees e JOIN roles r ON r.id = e.role_id"
    " WHERE r.name = 'Admin' ORDER BY e.email LIMIT 1"
)
# The Employee-role person with the most open reminders (so "my" widgets have data).
WORKER = (
    "SELECT e.id FROM employees e JOIN roles r ON r.id = e.role_id"
    " LEFT JOIN reminders m ON m.owner_id = e.id AND NOT m.is_done"
    " WHERE r.name = 'Employee' GROUP BY e.id ORDER BY count(m.id) DESC, e.id LIMIT 1"
)


async def test_company_kpis_equal_sql(demo_engine: AsyncEngine) -> None:
    app = create_app(engine=demo_engine, check=False)
    async with await client_for(demo_engine, app, ADMIN) as admin:
        crm = await widget(admin, "crm-stats")
        [(total, new, archived)] = await sql(
            demo_engine,
            "SELECT count(*) FILTER (WHERE archived_at IS NULL),"
            "       count(*) FILTER (WHERE archived_at IS NULL AND created_at >="
            f"         (date_trunc('month', {NOW}) AT TIME ZONE 'Europe/Berlin')),"
            "       count(*) FILTER (WHERE archived_at IS NOT NULL) FROM customers",
        )
        assert (crm["customers_total"], crm["new_this_month"], crm["archived"]) == (
            total,
            new,
            archived,
        )
        assert total > 0

        money = await widget(admin, "receivables")
        for prefix, where in (("open", OPEN), ("overdue", OVERDUE)):
            [(count, amount)] = await sql(
                demo_engine,
                f"SELECT count(*), COALESCE(sum({OUTSTANDING}), 0) FROM invoices i WHERE {where}",
            )
            assert money[f"{prefix}_count"] == count
            assert Decimal(money[f"{prefix}_amount"]) == amount
        assert money["open_count"] > 0

        revenue = await widget(admin, "revenue-month")
        expected = {
            r[0]: (r[1], r[2])
            for r in await sql(
                demo_engine,
                "SELECT to_char(issued_date, 'YYYY-MM'),"
                " sum(CASE WHEN kind = 'credit_note' THEN -net_total ELSE net_total END),"
                " sum(CASE WHEN kind = 'credit_note' THEN -total ELSE total END)"
                " FROM invoices WHERE status <> 'draft' GROUP BY 1",
            )
        }
        for month in revenue["months"]:
            net, gross = expected.get(month["month"], (Decimal(0), Decimal(0)))
            assert (Decimal(month["net"]), Decimal(month["gross"])) == (net, gross), month
        assert any(Decimal(m["net"]) != 0 for m in revenue["months"])

        spent = await widget(admin, "expenses-category")
        by_category = {
            r[0]: (r[1], r[2])
            for r in await sql(
                demo_engine,
                "SELECT category, sum(amount), count(*) FROM expenses"
                f" WHERE extract(year FROM expense_date) = extract(year FROM {NOW})"
                " GROUP BY category",
            )
        }
        for item in spent["categories"]:
            amount, count = by_category.get(item["category"], (Decimal(0), 0))
            assert (Decimal(item["amount"]), item["count"]) == (amount, count)

        timeline = await widget(admin, "project-timeline")
        [(active,)] = await sql(
            demo_engine, "SELECT count(*) FROM projects WHERE status IN ('planned', 'in_progress')"
        )
        assert timeline["total"] == active

        recent = await widget(admin, "recent-customers")
        newest = await sql(
            demo_engine,
            "SELECT id::text FROM customers WHERE archived_at IS NULL"
            " ORDER BY created_at DESC, id DESC LIMIT 5",
        )
        assert [c["id"] for c in recent["items"]] == [r[0] for r in newest]


async def test_personal_kpis_equal_sql(demo_engine: AsyncEngine) -> None:
    app = create_app(engine=demo_engine, check=False)
    [(me,)] = await sql(demo_engine, WORKER)
    async with await client_for(demo_engine, app, WORKER) as worker:
        reminders = await widget(worker, "my-reminders")
        [(open_total, overdue)] = await sql(
            demo_engine,
            "SELECT count(*), count(*) FILTER (WHERE due_date < "
            f"{NOW}::date) FROM reminders WHERE owner_id = :me AND NOT is_done",
            me=me,
        )
        assert (reminders["open_total"], reminders["overdue"]) == (open_total, overdue)
        assert open_total > 0

        hours = await widget(worker, "my-hours-week")
        [(seconds,)] = await sql(
            demo_engine,
            "SELECT COALESCE(sum(extract(epoch FROM duration)), 0) FROM time_entries"
            f" WHERE employee_id = :me AND end_time IS NOT NULL AND start_time >= {WEEK}"
            f"   AND start_time < {WEEK} + interval '7 days'",
            me=me,
        )
        assert Decimal(hours["total_hours"]) == (Decimal(seconds) / 3600).quantize(Decimal("0.01"))

        timer = await widget(worker, "my-timer")
        running = await sql(
            demo_engine,
            "SELECT id::text FROM time_entries WHERE employee_id = :me AND end_time IS NULL",
            me=me,
        )
        assert timer["running"] == bool(running)
        if running:
            assert timer["entry_id"] == running[0][0]


async def test_each_widget_costs_a_fixed_number_of_queries(demo_engine: AsyncEngine) -> None:
    app = create_app(engine=demo_engine, check=False)
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    async with await client_for(demo_engine, app, ADMIN) as admin:
        event.listen(demo_engine.sync_engine, "before_cursor_execute", count)
        try:
            statements.clear()
            assert (await admin.get(W)).status_code == 200
            baseline = len(statements)  # authentication alone
            for wid in (w["id"] for w in (await admin.get(W)).json()):
                statements.clear()
                await widget(admin, wid)
                assert len(statements) - baseline <= 2, (wid, statements)
        finally:
            event.remove(demo_engine.sync_engine, "before_cursor_execute", count)

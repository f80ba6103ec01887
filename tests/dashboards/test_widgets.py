"""Each widget's numbers equal an independent SQL query on data made here; permissions apply."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.crm import new_reminder
from tests.factories.identity import make_employee, make_role, token_client
from tests.factories.records import make_customer, make_invoice, make_project, make_time_entry
from workmate.invoices.overdue import BUSINESS_ZONE
from workmate.models import Employee, Expense, Invoice, Payment

W = "/api/v1/dashboards/widgets"
BERLIN_NOW = "(now() AT TIME ZONE 'Europe/Berlin')"


def berlin_today() -> date:
    return datetime.now(BUSINESS_ZONE).date()


async def scalar(db: AsyncSession, sql: str, **params: Any) -> Any:
    return (await db.execute(text(sql), params)).scalar_one()


async def data(client: httpx.AsyncClient, widget: str) -> Any:
    response = await client.get(f"{W}/{widget}")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["widget"] == widget
    return body["data"]


async def issue(
    db: AsyncSession, invoice: Invoice, issued: date, due: date | None, **extra: Any
) -> Invoice:
    """Issue a draft made by make_invoice with chosen dates (lines are frozen from here on)."""
    invoice.status = "sent"
    invoice.number = f"RE-D-{uuid.uuid4().hex[:8]}"
    invoice.issued_date = issued
    invoice.due_date = due
    for key, value in extra.items():
        setattr(invoice, key, value)
    await db.flush()
    return invoice


async def receivables_data(db: AsyncSession) -> None:
    today = berlin_today()
    customer = await make_customer(db)
    await make_invoice(db, customer)  # a draft: neither open nor revenue
    await issue(db, await make_invoice(db, customer), today, today + timedelta(days=14))
    late = await issue(
        db, await make_invoice(db, customer), today - timedelta(days=40), today - timedelta(days=10)
    )
    partly = await issue(
        db, await make_invoice(db, customer), today - timedelta(days=20), today - timedelta(days=1)
    )
    db.add(
        Payment(invoice_id=partly.id, amount=Decimal("50.00"), payment_date=today, method="cash")
    )
    paid = await issue(db, await make_invoice(db, customer), today, today + timedelta(days=14))
    db.add(Payment(invoice_id=paid.id, amount=Decimal("119.00"), payment_date=today, method="cash"))
    await db.flush()
    # A cancelled invoice and its credit note: neither is open, revenue nets to zero.
    cancelled = await issue(db, await make_invoice(db, customer), today, today)
    cancelled.status = "cancelled"
    note = Invoice(
        customer_id=customer.id,
        kind="credit_note",
        cancels_id=cancelled.id,
        total=Decimal("119.00"),
        net_total=Decimal("100.00"),
        tax_total=Decimal("19.00"),
    )
    db.add(note)
    await db.flush()
    await issue(db, note, today, None)
    assert late.status == "sent"  # overdue by date although the job has not marked it


class TestCrm:
    async def test_crm_stats_equal_sql(
        self, as_employee: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        for _ in range(3):
            await make_customer(db)
        await make_customer(db, archived_at=datetime.now(UTC))
        old = await make_customer(db)
        await db.execute(
            text("UPDATE customers SET created_at = now() - interval '100 days' WHERE id = :id"),
            {"id": old.id},
        )
        got = await data(as_employee, "crm-stats")
        assert got["customers_total"] == await scalar(
            db, "SELECT count(*) FROM customers WHERE archived_at IS NULL"
        )
        assert got["new_this_month"] == await scalar(
            db,
            "SELECT count(*) FROM customers WHERE archived_at IS NULL AND created_at >= "
            f"(date_trunc('month', {BERLIN_NOW}) AT TIME ZONE 'Europe/Berlin')",
        )
        assert got["archived"] == await scalar(
            db, "SELECT count(*) FROM customers WHERE archived_at IS NOT NULL"
        )
        assert got["customers_total"] >= 4
        assert got["new_this_month"] >= 3

    async def test_recent_customers_equal_sql(
        self, as_employee: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        for _ in range(7):
            await make_customer(db)
        got = await data(as_employee, "recent-customers")
        expected = (
            (
                await db.execute(
                    text(
                        "SELECT id::text FROM customers WHERE archived_at IS NULL "
                        "ORDER BY created_at DESC, id DESC LIMIT 5"
                    )
                )
            )
            .scalars()
            .all()
        )
        assert [c["id"] for c in got["items"]] == list(expected)

    async def test_project_timeline_equal_sql(
        self, as_employee: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        customer = await make_customer(db)
        today = berlin_today()
        for n, status in enumerate(("planned", "in_progress", "completed", "cancelled", "planned")):
            await make_project(db, customer, status=status, start_date=today + timedelta(days=n))
        got = await data(as_employee, "project-timeline")
        assert got["total"] == await scalar(
            db, "SELECT count(*) FROM projects WHERE status IN ('planned', 'in_progress')"
        )
        assert {p["status"] for p in got["items"]} <= {"planned", "in_progress"}
        starts = [p["start_date"] for p in got["items"] if p["start_date"]]
        assert starts == sorted(starts)


class TestMine:
    async def test_hours_this_week_equal_sql(
        self, as_employee: httpx.AsyncClient, db: AsyncSession, employee: Employee
    ) -> None:
        other = await make_employee(db)
        project = await make_project(db)
        today = berlin_today()
        monday = today - timedelta(days=today.weekday())

        def at(day: date, hour: int) -> datetime:
            return datetime(day.year, day.month, day.day, hour, tzinfo=BUSINESS_ZONE)

        await make_time_entry(
            db, employee.id, project, start_time=at(monday, 8), end_time=at(monday, 12)
        )
        await make_time_entry(
            db,
            employee.id,
            project,
            start_time=at(monday, 13),
            end_time=at(monday, 14) + timedelta(minutes=30),
        )
        sunday = monday + timedelta(days=6)
        await make_time_entry(
            db, employee.id, project, start_time=at(sunday, 22), end_time=at(sunday, 23)
        )
        last_week = monday - timedelta(days=1)
        await make_time_entry(
            db, employee.id, project, start_time=at(last_week, 9), end_time=at(last_week, 17)
        )
        await make_time_entry(
            db, other.id, project, start_time=at(monday, 8), end_time=at(monday, 18)
        )
        got = await data(as_employee, "my-hours-week")
        expected = await scalar(
            db,
            "SELECT COALESCE(sum(extract(epoch FROM duration)) / 3600, 0) FROM time_entries"
            " WHERE employee_id = :e AND end_time IS NOT NULL"
            f"   AND start_time >= (date_trunc('week', {BERLIN_NOW}) AT TIME ZONE 'Europe/Berlin')"
            f"   AND start_time < ((date_trunc('week', {BERLIN_NOW}) + interval '7 days')"
            "                     AT TIME ZONE 'Europe/Berlin')",
            e=employee.id,
        )
        assert Decimal(got["total_hours"]) == Decimal(expected).quantize(Decimal("0.01"))
        assert Decimal(got["total_hours"]) == Decimal("6.50")
        assert got["week_start"] == monday.isoformat()
        assert got["days"][0]["date"] == monday.isoformat()
        assert Decimal(got["days"][0]["hours"]) == Decimal("5.50")
        assert Decimal(got["days"][6]["hours"]) == Decimal("1.00")

    async def test_my_timer(
        self, as_employee: httpx.AsyncClient, db: AsyncSession, employee: Employee
    ) -> None:
        assert (await data(as_employee, "my-timer"))["running"] is False
        project = await make_project(db, title="Website")
        start = datetime.now(UTC) - timedelta(hours=1)
        running = await make_time_entry(db, employee.id, project, start_time=start, end_time=None)
        got = await data(as_employee, "my-timer")
        assert got["running"] is True
        assert got["entry_id"] == str(running.id)
        assert got["project_title"] == "Website"
        assert 3500 <= got["elapsed_seconds"] <= 3600 * 2

    async def test_my_reminders_equal_sql_and_are_mine_only(
        self, as_employee: httpx.AsyncClient, db: AsyncSession, employee: Employee
    ) -> None:
        other = await make_employee(db)
        today = berlin_today()
        await new_reminder(db, employee.id, due_date=today - timedelta(days=3))
        await new_reminder(db, employee.id, due_date=today)
        await new_reminder(db, employee.id, due_date=today + timedelta(days=3), priority="high")
        await new_reminder(db, employee.id, due_date=today - timedelta(days=9), is_done=True)
        await new_reminder(db, other.id, due_date=today - timedelta(days=3))
        got = await data(as_employee, "my-reminders")
        assert got["open_total"] == await scalar(
            db, "SELECT count(*) FROM reminders WHERE owner_id = :e AND NOT is_done", e=employee.id
        )
        assert got["overdue"] == await scalar(
            db,
            "SELECT count(*) FROM reminders WHERE owner_id = :e AND NOT is_done"
            f" AND due_date < {BERLIN_NOW}::date",
            e=employee.id,
        )
        assert (got["open_total"], got["overdue"]) == (3, 1)
        dues = [r["due_date"] for r in got["items"]]
        assert dues == sorted(dues)


class TestMoney:
    async def test_receivables_equal_sql(
        self, as_manager: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        await receivables_data(db)
        got = await data(as_manager, "receivables")
        outstanding = (
            "i.total - COALESCE((SELECT sum(p.amount) FROM payments p"
            " WHERE p.invoice_id = i.id), 0)"
        )
        open_where = "i.kind = 'invoice' AND i.status IN ('sent', 'overdue')"
        overdue_where = (
            f"{open_where} AND (i.status = 'overdue' OR i.due_date < {BERLIN_NOW}::date)"
        )
        for prefix, where in (("open", open_where), ("overdue", overdue_where)):
            count, amount = (
                await db.execute(
                    text(
                        f"SELECT count(*), COALESCE(sum({outstanding}), 0)"
                        f"  FROM invoices i WHERE {where}"
                    )
                )
            ).one()
            assert got[f"{prefix}_count"] == count
            assert Decimal(got[f"{prefix}_amount"]) == amount
        assert (got["open_count"], got["overdue_count"]) == (3, 2)
        assert Decimal(got["open_amount"]) == Decimal("307.00")
        assert Decimal(got["overdue_amount"]) == Decimal("188.00")

    async def test_revenue_per_month_equals_sql(
        self, as_manager: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        await receivables_data(db)
        customer = await make_customer(db)
        ancient = await make_invoice(db, customer)
        await issue(db, ancient, berlin_today() - timedelta(days=800), None)
        got = await data(as_manager, "revenue-month")
        months = got["months"]
        assert len(months) == 12
        assert months[-1]["month"] == berlin_today().strftime("%Y-%m")
        rows = (
            await db.execute(
                text(
                    "SELECT to_char(issued_date, 'YYYY-MM'),"
                    "       sum(CASE WHEN kind = 'credit_note' THEN -net_total ELSE net_total END),"
                    "       sum(CASE WHEN kind = 'credit_note' THEN -total ELSE total END)"
                    "  FROM invoices WHERE status <> 'draft' GROUP BY 1"
                )
            )
        ).all()
        expected = {r[0]: (r[1], r[2]) for r in rows}
        for month in months:
            net, gross = expected.get(month["month"], (Decimal(0), Decimal(0)))
            assert Decimal(month["net"]) == net, month
            assert Decimal(month["gross"]) == gross, month
        shown = {m["month"] for m in months}
        assert sum(Decimal(m["net"]) for m in months) == sum(
            (v[0] for k, v in expected.items() if k in shown), Decimal(0)
        )

    async def test_expenses_per_category_equal_sql(
        self, as_manager: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        today = berlin_today()
        for category, amount, day in (
            ("material", "120.50", today),
            ("material", "30.00", today.replace(month=1, day=1)),
            ("service", "99.99", today),
            ("other", "10.00", today.replace(year=today.year - 1)),
        ):
            db.add(Expense(category=category, amount=Decimal(amount), expense_date=day))
        await db.flush()
        got = await data(as_manager, "expenses-category")
        rows = (
            await db.execute(
                text(
                    "SELECT category, sum(amount), count(*) FROM expenses"
                    f" WHERE extract(year FROM expense_date) = extract(year FROM {BERLIN_NOW})"
                    " GROUP BY category"
                )
            )
        ).all()
        expected = {r[0]: (r[1], r[2]) for r in rows}
        for item in got["categories"]:
            amount, count = expected.get(item["category"], (Decimal(0), 0))
            assert Decimal(item["amount"]) == amount
            assert item["count"] == count
        assert Decimal(got["total"]) == sum((v[0] for v in expected.values()), Decimal(0))
        assert {c["category"] for c in got["categories"]} == {
            "material",
            "personnel",
            "service",
            "other",
        }


class TestPermissions:
    async def test_widget_of_a_module_the_role_lacks_is_403(
        self, as_employee: httpx.AsyncClient
    ) -> None:
        for widget in ("receivables", "revenue-month", "expenses-category"):
            response = await as_employee.get(f"{W}/{widget}")
            assert response.status_code == 403, widget
            assert response.json()["field"] == "widget_id"

    async def test_role_without_crm_gets_403_for_crm_widgets(
        self, app: Any, db: AsyncSession
    ) -> None:
        role = await make_role(db, dashboards=["read"], time_entries=["read"])
        person = await make_employee(db, role_id=role.id)
        async with await token_client(app, db, person) as client:
            assert (await client.get(f"{W}/crm-stats")).status_code == 403
            assert (await client.get(f"{W}/my-timer")).status_code == 200
            listed = (await client.get(W)).json()
            assert {w["id"] for w in listed} == {"my-timer", "my-hours-week"}

    async def test_unknown_widget_is_404(self, as_employee: httpx.AsyncClient) -> None:
        assert (await as_employee.get(f"{W}/nope")).status_code == 404

    async def test_every_widget_answers_for_an_admin(self, as_admin: httpx.AsyncClient) -> None:
        listed = (await as_admin.get(W)).json()
        assert len(listed) == 9
        for widget in listed:
            await data(as_admin, widget["id"])

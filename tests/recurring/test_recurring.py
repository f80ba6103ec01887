"""Recurring invoices: one invoice per period with its service period, catch-up without
duplicates (also with two workers at once), prices from the next period, pause and end."""

from __future__ import annotations

import asyncio
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.pool import NullPool

from tests.conftest import TEMPLATE, _recreate, worker_name
from tests.factories.einvoice import make_buyer, make_seller
from tests.factories.identity import make_employee
from workmate.db import make_engine, make_sessionmaker, transaction
from workmate.models import Invoice, RecurringInvoice, RecurringRun
from workmate.recurring import periods
from workmate.recurring.service import recurring_service

API = "/api/v1"


def _body(customer_id: Any, **extra: Any) -> dict[str, Any]:
    return {
        "customer_id": str(customer_id),
        "title": "Hosting Webshop",
        "interval": "monthly",
        "first_date": "2026-01-01",
        "lines": [{"description": "Hosting", "quantity": "1", "unit_price": "49.00"}],
        **extra,
    }


async def _invoices(db: AsyncSession, customer_id: Any) -> list[Invoice]:
    rows = await db.scalars(
        select(Invoice)
        .where(Invoice.customer_id == customer_id)
        .order_by(Invoice.service_start)
        .execution_options(populate_existing=True)
    )
    return list(rows)


def test_periods_keep_the_month_end() -> None:
    first = date(2026, 1, 31)
    starts = [periods.period_start(first, "monthly", i) for i in range(4)]
    assert starts == [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30)]
    assert periods.period(first, "monthly", date(2026, 2, 28), None) == (
        date(2026, 2, 28),
        date(2026, 3, 30),
    )
    assert periods.period(date(2026, 1, 1), "quarterly", date(2026, 4, 1), None) == (
        date(2026, 4, 1),
        date(2026, 6, 30),
    )


class TestRuns:
    async def test_missed_periods_are_caught_up_once_with_their_service_period(
        self, db: AsyncSession, as_admin: httpx.AsyncClient
    ) -> None:
        customer = await make_buyer(db)
        created = await as_admin.post(f"{API}/recurring-invoices", json=_body(customer.id))
        assert created.status_code == 201, created.text
        # The job did not run for months: one run catches up every period, once.
        assert await recurring_service.run_due(db, date(2026, 3, 15)) == 3
        assert await recurring_service.run_due(db, date(2026, 3, 20)) == 0
        invoices = await _invoices(db, customer.id)
        assert [(i.service_start, i.service_end) for i in invoices] == [
            (date(2026, 1, 1), date(2026, 1, 31)),
            (date(2026, 2, 1), date(2026, 2, 28)),
            (date(2026, 3, 1), date(2026, 3, 31)),
        ]
        assert {i.status for i in invoices} == {"draft"}
        assert {i.total for i in invoices} == {Decimal("58.31")}

    async def test_price_change_applies_from_the_next_period(
        self, db: AsyncSession, as_admin: httpx.AsyncClient
    ) -> None:
        customer = await make_buyer(db)
        template = (
            await as_admin.post(f"{API}/recurring-invoices", json=_body(customer.id))
        ).json()
        await recurring_service.run_due(db, date(2026, 1, 5))
        changed = await as_admin.patch(
            f"{API}/recurring-invoices/{template['id']}",
            json={"lines": [{"description": "Hosting Plus", "quantity": "1", "unit_price": "79"}]},
        )
        assert changed.status_code == 200, changed.text
        await recurring_service.run_due(db, date(2026, 2, 5))
        totals = [i.net_total for i in await _invoices(db, customer.id)]
        assert totals == [Decimal("49.00"), Decimal("79.00")]

    async def test_pause_skips_and_end_stops(
        self, db: AsyncSession, as_admin: httpx.AsyncClient
    ) -> None:
        customer = await make_buyer(db)
        template = (
            await as_admin.post(
                f"{API}/recurring-invoices", json=_body(customer.id, end_date="2026-04-30")
            )
        ).json()
        await recurring_service.run_due(db, date(2026, 1, 2))
        paused = await as_admin.post(f"{API}/recurring-invoices/{template['id']}/pause")
        assert paused.json()["status"] == "paused"
        assert await recurring_service.run_due(db, date(2026, 2, 2)) == 0
        await recurring_service.run_due(db, date(2026, 6, 1))
        assert len(await _invoices(db, customer.id)) == 1
        ended = await as_admin.post(f"{API}/recurring-invoices/{template['id']}/end")
        assert ended.json()["status"] == "ended"
        again = await as_admin.post(f"{API}/recurring-invoices/{template['id']}/resume")
        assert again.status_code == 409

    async def test_end_date_ends_the_template_after_its_last_period(
        self, db: AsyncSession, as_admin: httpx.AsyncClient
    ) -> None:
        customer = await make_buyer(db)
        template = (
            await as_admin.post(
                f"{API}/recurring-invoices",
                json=_body(customer.id, interval="quarterly", end_date="2026-05-15"),
            )
        ).json()
        assert await recurring_service.run_due(db, date(2026, 12, 1)) == 2
        invoices = await _invoices(db, customer.id)
        assert invoices[-1].service_end == date(2026, 5, 15)
        read = (await as_admin.get(f"{API}/recurring-invoices/{template['id']}")).json()
        assert read["status"] == "ended"
        assert [r["period_start"] for r in read["runs"]] == ["2026-04-01", "2026-01-01"]

    async def test_issue_mode_issues_the_invoice(
        self, db: AsyncSession, as_admin: httpx.AsyncClient
    ) -> None:
        await make_seller(db)
        customer = await make_buyer(db)
        response = await as_admin.post(
            f"{API}/recurring-invoices", json=_body(customer.id, mode="issue")
        )
        assert response.status_code == 201, response.text
        await recurring_service.run_due(db, date(2026, 1, 1))
        [invoice] = await _invoices(db, customer.id)
        assert invoice.status == "sent"
        assert invoice.number is not None
        assert invoice.pdf_path is not None

    async def test_bad_template_is_422_naming_the_field(
        self, db: AsyncSession, as_admin: httpx.AsyncClient
    ) -> None:
        customer = await make_buyer(db)
        response = await as_admin.post(
            f"{API}/recurring-invoices", json=_body(customer.id, end_date="2025-12-31")
        )
        assert response.status_code == 422
        assert response.json()["field"] == "end_date"


@pytest.fixture
def race_database_url(request: pytest.FixtureRequest, server_url: str) -> str:
    return _recreate(server_url, f"wm_test_{worker_name(request.config)}_recurring_race", TEMPLATE)


@pytest.mark.live
async def test_two_workers_across_a_missed_day_make_one_invoice_per_period(
    race_database_url: str,
) -> None:
    engine = make_engine(race_database_url, poolclass=NullPool)
    try:
        maker = make_sessionmaker(engine)
        async with maker() as setup, transaction(setup):
            owner = await make_employee(setup, "Admin")
            customer = await make_buyer(setup)
            template = RecurringInvoice(
                customer_id=customer.id,
                title="Hosting",
                interval="monthly",
                first_date=date(2026, 1, 1),
                next_period_start=date(2026, 1, 1),
                created_by_id=owner.id,
            )
            setup.add(template)
            await setup.flush()
            from workmate.models import RecurringInvoiceLine

            setup.add(
                RecurringInvoiceLine(
                    template_id=template.id,
                    position=1,
                    description="Hosting",
                    quantity=Decimal(1),
                    unit_price=Decimal(49),
                    vat_rate=Decimal(19),
                )
            )

        async def worker(day: date) -> int:
            session: AsyncSession
            async with maker() as session, transaction(session):
                return await recurring_service.run_due(session, day)

        # Two workers at once, one of them a day later (the missed day is caught up).
        results = await asyncio.gather(worker(date(2026, 4, 1)), worker(date(2026, 4, 2)))
        assert sum(results) == 4
        assert sum(await asyncio.gather(worker(date(2026, 4, 3)), worker(date(2026, 4, 3)))) == 0
        async with maker() as check:
            invoices = await check.scalar(select(func.count()).select_from(Invoice))
            runs = (
                await check.execute(
                    select(RecurringRun.period_start, RecurringRun.invoice_id).order_by(
                        RecurringRun.period_start
                    )
                )
            ).all()
        assert invoices == 4
        assert [r.period_start.month for r in runs] == [1, 2, 3, 4]
        assert all(r.invoice_id is not None for r in runs)
    finally:
        await engine.dispose()


async def test_issue_and_send_mode_queues_the_email(
    db: AsyncSession, as_admin: httpx.AsyncClient
) -> None:
    from workmate.models import OutboxMessage

    await make_seller(db)
    customer = await make_buyer(db, email="ap@hosting-kunde.example")
    response = await as_admin.post(
        f"{API}/recurring-invoices", json=_body(customer.id, mode="issue_and_send")
    )
    assert response.status_code == 201, response.text
    await recurring_service.run_due(db, date(2026, 2, 1))
    invoices = await _invoices(db, customer.id)
    assert [i.status for i in invoices] == ["sent", "sent"]
    messages = (await db.scalars(select(OutboxMessage))).all()
    assert sorted(m.related_id for m in messages) == sorted(i.id for i in invoices)  # type: ignore[type-var]
    assert {tuple(m.to_addresses) for m in messages} == {("ap@hosting-kunde.example",)}


async def test_a_template_whose_invoices_could_not_be_stored_is_refused(
    as_admin: httpx.AsyncClient, db: AsyncSession
) -> None:
    """Issue 13, item 5, its class: refused when saved, not in every run afterwards."""
    customer = await make_buyer(db)
    line = {"description": "Zu groß", "quantity": "999999999.999", "unit_price": "9999999999.99"}
    r = await as_admin.post(f"{API}/recurring-invoices", json=_body(customer.id, lines=[line]))
    assert r.status_code == 422, r.text
    assert r.json()["field"] == "lines.0.unit_price"

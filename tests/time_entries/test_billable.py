"""The query invoicing turns into invoice lines: uninvoiced billable entries of a period."""

from __future__ import annotations

import asyncio
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import text, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.pool import NullPool

from tests.factories.identity import make_employee
from tests.factories.records import make_customer, make_invoice, make_project, make_time_entry
from tests.factories.time import berlin
from workmate.db import make_engine, make_sessionmaker
from workmate.invoices.totals import billed_hours
from workmate.models import TimeEntry
from workmate.time_entries.service import time_entry_service

MARCH = (date(2026, 3, 1), date(2026, 3, 31))


class TestUninvoicedBillable:
    async def test_selects_finished_billable_uninvoiced_entries_in_the_period(
        self, db: AsyncSession
    ) -> None:
        who = await make_employee(db, firstname="Berta", lastname="Bill")
        project = await make_project(db, hourly_rate=Decimal("80.00"))
        day = date(2026, 3, 10)
        wanted = await make_time_entry(
            db, who.id, project, start_time=berlin(day, 8), end_time=berlin(day, 9, 20), note="x"
        )
        await make_time_entry(
            db,
            who.id,
            project,
            start_time=berlin(day, 10),
            end_time=berlin(day, 11),
            billable=False,
        )
        draft = await make_invoice(db)
        await make_time_entry(
            db,
            who.id,
            project,
            start_time=berlin(day, 12),
            end_time=berlin(day, 13),
            invoice_id=draft.id,
        )
        # A running timer (another employee's: it would overlap everything after it).
        other = await make_employee(db)
        await make_time_entry(db, other.id, project, start_time=berlin(day, 14), end_time=None)
        # 00:30 Berlin on 1 April is still 31 March in UTC: Berlin dates decide.
        await make_time_entry(
            db,
            who.id,
            project,
            start_time=berlin(date(2026, 4, 1), 0, 30),
            end_time=berlin(date(2026, 4, 1), 1),
        )

        found = await time_entry_service.uninvoiced_billable(
            db, project_id=project.id, start=MARCH[0], end=MARCH[1]
        )

        assert [e.id for e in found] == [wanted.id]
        entry = found[0]
        # Exact hours: billing sums them first and rounds once (billed_hours).
        assert entry.hours.quantize(Decimal("0.000001")) == Decimal("1.333333")
        assert billed_hours(entry.hours) == Decimal("1.33")
        assert entry.rate == Decimal("80.00")
        assert entry.employee_name == "Berta Bill"
        assert entry.project_title == project.title
        assert entry.note == "x"

    async def test_entry_rate_wins_over_project_rate_and_no_rate_is_zero(
        self, db: AsyncSession
    ) -> None:
        who = await make_employee(db)
        customer = await make_customer(db)
        rated = await make_project(db, customer, hourly_rate=Decimal("90.00"))
        unrated = await make_project(db, customer, hourly_rate=None)
        day = date(2026, 3, 11)
        await make_time_entry(
            db,
            who.id,
            rated,
            start_time=berlin(day, 8),
            end_time=berlin(day, 9),
            hourly_rate=Decimal("120.00"),
        )
        await make_time_entry(
            db, who.id, unrated, start_time=berlin(day, 9), end_time=berlin(day, 10)
        )

        found = await time_entry_service.uninvoiced_billable(
            db, customer_id=customer.id, start=MARCH[0], end=MARCH[1]
        )

        assert [(e.project_id, e.rate) for e in found] == [
            (rated.id, Decimal("120.00")),
            (unrated.id, Decimal("0.00")),
        ]


async def test_a_second_invoicing_waits_for_the_first_and_then_gets_nothing(
    live_database_url: str,
) -> None:
    engine = make_engine(live_database_url, poolclass=NullPool)
    maker = make_sessionmaker(engine)
    try:
        async with maker() as setup:
            who = await make_employee(setup)
            project = await make_project(setup)
            day = date(2026, 3, 12)
            for hour in (8, 10):
                await make_time_entry(
                    setup,
                    who.id,
                    project,
                    start_time=berlin(day, hour),
                    end_time=berlin(day, hour + 1),
                )
            invoice = await make_invoice(setup)
            await setup.commit()

        async with maker() as first, maker() as second, maker() as watcher:
            args: dict[str, Any] = {"project_id": project.id, "start": MARCH[0], "end": MARCH[1]}
            taken = await time_entry_service.uninvoiced_billable(first, **args, for_update=True)
            assert len(taken) == 2
            second_pid = await second.scalar(text("SELECT pg_backend_pid()"))
            waiting = asyncio.create_task(
                time_entry_service.uninvoiced_billable(second, **args, for_update=True)
            )
            # Wait until the second transaction is blocked on the first one's row locks.
            while not await watcher.scalar(
                text("SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = :p"),
                {"p": second_pid},
            ):
                assert not waiting.done(), "the second invoicing did not wait for the lock"
                await asyncio.sleep(0.01)
            await first.execute(
                update(TimeEntry)
                .where(TimeEntry.id.in_([e.id for e in taken]))
                .values(invoice_id=invoice.id)
            )
            await first.commit()

            assert await waiting == []
            await second.rollback()
    finally:
        await engine.dispose()

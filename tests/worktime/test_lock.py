"""A closed month refuses every change in the database itself: raw SQL, no service involved."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.identity import make_employee
from tests.factories.records import make_invoice, make_project, make_time_entry
from tests.factories.worktime import approve_month, make_absence, make_contract
from workmate.errors import sqlstate
from workmate.models import Employee

MAY = date(2026, 5, 1)
IN_MAY = datetime(2026, 5, 12, 8, tzinfo=UTC)


async def refused(db: AsyncSession, sql: str, **params: Any) -> None:
    with pytest.raises(DBAPIError) as caught:
        async with db.begin_nested():
            await db.execute(text(sql), params)
    assert sqlstate(caught.value) == "WM409", caught.value
    assert any(w in str(caught.value) for w in ("closed", "approved", "locked"))


async def allowed(db: AsyncSession, sql: str, **params: Any) -> None:
    async with db.begin_nested():
        await db.execute(text(sql), params)


@pytest.fixture
async def worker(db: AsyncSession) -> Employee:
    return await make_employee(db)


@pytest.fixture
async def boss(db: AsyncSession) -> Employee:
    return await make_employee(db, "Manager")


class TestApprovedMonth:
    async def test_time_entries(self, db: AsyncSession, worker: Employee, boss: Employee) -> None:
        project = await make_project(db)
        entry = await make_time_entry(
            db, worker.id, project, start_time=IN_MAY, end_time=IN_MAY + timedelta(hours=4)
        )
        june = await make_time_entry(
            db,
            worker.id,
            project,
            start_time=IN_MAY + timedelta(days=30),
            end_time=IN_MAY + timedelta(days=30, hours=2),
        )
        await approve_month(db, worker.id, MAY, boss.id)
        e = {"id": entry.id}
        await refused(db, "UPDATE time_entries SET note = 'x' WHERE id = :id", **e)
        await refused(
            db,
            "UPDATE time_entries SET end_time = end_time + interval '1 hour' WHERE id = :id",
            **e,
        )
        await refused(db, "UPDATE time_entries SET billable = NOT billable WHERE id = :id", **e)
        await refused(db, "DELETE FROM time_entries WHERE id = :id", **e)
        # Moving an entry of an open month into the closed one, or one out of it.
        await refused(
            db,
            "UPDATE time_entries SET start_time = start_time - interval '30 days', "
            "end_time = end_time - interval '30 days' WHERE id = :id",
            id=june.id,
        )
        await refused(
            db,
            "UPDATE time_entries SET start_time = start_time + interval '60 days', "
            "end_time = end_time + interval '60 days' WHERE id = :id",
            **e,
        )
        await refused(
            db,
            "INSERT INTO time_entries (employee_id, project_id, start_time, end_time) "
            "VALUES (:w, :p, CAST(:s AS timestamptz), CAST(:s AS timestamptz) + interval '1 hour')",
            w=worker.id,
            p=project.id,
            s=IN_MAY + timedelta(days=2),
        )
        # Another employee's May is open; the employee's June is open.
        other = await make_employee(db)
        await allowed(
            db,
            "INSERT INTO time_entries (employee_id, project_id, start_time, end_time) "
            "VALUES (:w, :p, CAST(:s AS timestamptz), CAST(:s AS timestamptz) + interval '1 hour')",
            w=other.id,
            p=project.id,
            s=IN_MAY,
        )
        await allowed(db, "UPDATE time_entries SET note = 'ok' WHERE id = :id", id=june.id)

    async def test_billing_binds_entries_of_a_closed_month(
        self, db: AsyncSession, worker: Employee, boss: Employee
    ) -> None:
        project = await make_project(db)
        entry = await make_time_entry(
            db, worker.id, project, start_time=IN_MAY, end_time=IN_MAY + timedelta(hours=4)
        )
        await approve_month(db, worker.id, MAY, boss.id)
        draft = await make_invoice(db)
        await allowed(
            db, "UPDATE time_entries SET invoice_id = :i WHERE id = :id", i=draft.id, id=entry.id
        )
        # Deleting the draft releases the entry (ON DELETE SET NULL) in the closed month too.
        await allowed(db, "DELETE FROM invoices WHERE id = :i", i=draft.id)
        left = await db.scalar(
            text("SELECT invoice_id FROM time_entries WHERE id = :id"), {"id": entry.id}
        )
        assert left is None

    async def test_absences_breaks_deductions_bookings(
        self, db: AsyncSession, worker: Employee, boss: Employee
    ) -> None:
        absence = await make_absence(db, worker.id, date(2026, 5, 4), date(2026, 5, 5))
        spanning = await make_absence(db, worker.id, date(2026, 5, 28), date(2026, 6, 3))
        await allowed(
            db,
            "INSERT INTO breaks (employee_id, start_time, end_time) VALUES (:w, :s, :e)",
            w=worker.id,
            s=IN_MAY,
            e=IN_MAY + timedelta(minutes=30),
        )
        await allowed(
            db,
            "INSERT INTO break_deductions (employee_id, day, minutes, worked_minutes, "
            "break_minutes, rule) VALUES (:w, '2026-05-12', 30, 480, 0, 'break_6h')",
            w=worker.id,
        )
        await allowed(
            db,
            "INSERT INTO account_bookings (employee_id, account, kind, day, quantity) "
            "VALUES (:w, 'overtime', 'correction', '2026-05-20', 2)",
            w=worker.id,
        )
        await approve_month(db, worker.id, MAY, boss.id)
        w = {"w": worker.id}
        await refused(db, "UPDATE absences SET status = 'cancelled' WHERE id = :id", id=absence.id)
        await refused(db, "DELETE FROM absences WHERE id = :id", id=absence.id)
        # An absence reaching into the closed month cannot change at all.
        await refused(
            db, "UPDATE absences SET end_date = '2026-06-05' WHERE id = :id", id=spanning.id
        )
        await refused(
            db,
            "INSERT INTO absences (employee_id, kind, start_date, end_date, status, decided_at) "
            "VALUES (:w, 'sick', '2026-04-30', '2026-05-02', 'approved', now())",
            **w,
        )
        await refused(db, "UPDATE breaks SET note = 'x' WHERE employee_id = :w", **w)
        await refused(db, "DELETE FROM breaks WHERE employee_id = :w", **w)
        await refused(
            db,
            "UPDATE break_deductions SET reversed_at = now(), reversed_by = :w "
            "WHERE employee_id = :w",
            **w,
        )
        await refused(db, "DELETE FROM break_deductions WHERE employee_id = :w", **w)
        await refused(db, "UPDATE account_bookings SET quantity = 3 WHERE employee_id = :w", **w)
        await refused(
            db,
            "INSERT INTO account_bookings (employee_id, account, kind, day, quantity) "
            "VALUES (:w, 'overtime', 'payout', '2026-05-31', 1)",
            **w,
        )

    async def test_contracts(self, db: AsyncSession, worker: Employee, boss: Employee) -> None:
        contract = await make_contract(db, worker.id, date(2026, 1, 1))
        await approve_month(db, worker.id, MAY, boss.id)
        c = {"id": contract.id}
        await refused(db, "UPDATE work_contracts SET hours_mon = 6 WHERE id = :id", **c)
        await refused(db, "UPDATE work_contracts SET valid_to = '2026-05-15' WHERE id = :id", **c)
        await refused(db, "UPDATE work_contracts SET valid_from = '2026-06-01' WHERE id = :id", **c)
        await refused(db, "DELETE FROM work_contracts WHERE id = :id", **c)
        # Ending the contract after the closed month only touches open days.
        await allowed(db, "UPDATE work_contracts SET valid_to = '2026-06-30' WHERE id = :id", **c)
        await allowed(
            db,
            "INSERT INTO work_contracts (employee_id, valid_from, hours_mon, vacation_days, "
            "federal_state) VALUES (:w, '2026-07-01', 6, 20, 'BY')",
            w=worker.id,
        )
        # An earlier contract in an open year is fine.
        await allowed(
            db,
            "INSERT INTO work_contracts (employee_id, valid_from, valid_to, hours_mon, "
            "vacation_days, federal_state) VALUES (:w, '2025-01-01', '2025-12-31', 6, 20, 'BY')",
            w=worker.id,
        )


class TestClosingGuard:
    async def test_approved_is_only_reopened_with_a_reason(
        self, db: AsyncSession, worker: Employee, boss: Employee
    ) -> None:
        closing = await approve_month(db, worker.id, MAY, boss.id)
        c = {"id": closing.id}
        await refused(db, "UPDATE month_closings SET status = 'returned' WHERE id = :id", **c)
        await refused(db, "UPDATE month_closings SET status = 'reopened' WHERE id = :id", **c)
        await refused(db, "UPDATE month_closings SET target_hours = 1 WHERE id = :id", **c)
        await refused(db, "DELETE FROM month_closings WHERE id = :id", **c)
        await allowed(
            db,
            "UPDATE month_closings SET status = 'reopened', comment = 'typo' WHERE id = :id",
            **c,
        )
        await allowed(db, "UPDATE time_entries SET note = 'x' WHERE employee_id = :w", w=worker.id)


class TestCompanyLock:
    async def test_lock_through_a_month_and_reopen_one_employee(
        self, db: AsyncSession, worker: Employee, boss: Employee
    ) -> None:
        project = await make_project(db)
        other = await make_employee(db)
        await allowed(db, "UPDATE worktime_settings SET locked_through = '2026-05-31'")
        insert = (
            "INSERT INTO time_entries (employee_id, project_id, start_time, end_time) "
            "VALUES (:w, :p, CAST(:s AS timestamptz), CAST(:s AS timestamptz) + interval '1 hour')"
        )
        await refused(db, insert, w=worker.id, p=project.id, s=IN_MAY)
        await refused(db, insert, w=other.id, p=project.id, s=IN_MAY - timedelta(days=400))
        await allowed(db, insert, w=worker.id, p=project.id, s=IN_MAY + timedelta(days=30))
        # The lock only moves forward.
        await refused(db, "UPDATE worktime_settings SET locked_through = '2026-04-30'")
        await refused(db, "UPDATE worktime_settings SET locked_through = NULL")
        # A manager reopens May for one employee: only theirs opens.
        await allowed(
            db,
            "INSERT INTO month_closings (employee_id, month, status, comment) "
            "VALUES (:w, '2026-05-01', 'reopened', 'correction')",
            w=worker.id,
        )
        await allowed(db, insert, w=worker.id, p=project.id, s=IN_MAY)
        await refused(db, insert, w=other.id, p=project.id, s=IN_MAY)

    async def test_truncate_refused_once_months_are_closed(
        self, db: AsyncSession, worker: Employee, boss: Employee
    ) -> None:
        await approve_month(db, worker.id, MAY, boss.id)
        for table in ("time_entries", "absences", "breaks", "month_closings"):
            with pytest.raises(DBAPIError) as caught:
                async with db.begin_nested():
                    await db.execute(text(f"TRUNCATE {table} CASCADE"))
            assert sqlstate(caught.value) == "WM409"

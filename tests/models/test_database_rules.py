"""Every rule the database enforces, each broken once on purpose.

These run below the services: if a service forgets a check, or two requests race, PostgreSQL
still refuses the wrong state.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.identity import make_employee
from tests.factories.records import (
    at,
    make_customer,
    make_invoice,
    make_project,
    make_time_entry,
)
from workmate.models import (
    AuditLog,
    Contact,
    Dashboard,
    Document,
    Expense,
    InvoiceLine,
    Payment,
    Reminder,
    TimeEntry,
)


async def refused(
    db: AsyncSession,
    sql: str,
    params: dict[str, Any] | None = None,
    error: type[Exception] = IntegrityError,
) -> Exception:
    """Run `sql` in a savepoint and return the error PostgreSQL raised (fails if none)."""
    with pytest.raises(error) as info:
        async with db.begin_nested():
            await db.execute(text(sql), params or {})
    return info.value


class TestTimeEntries:
    async def test_duration_is_computed_by_the_database(self, db: AsyncSession) -> None:
        who = await make_employee(db)
        entry = await make_time_entry(
            db, who.id, await make_project(db), start_time=at(0, 8), end_time=at(0, 9, 30)
        )
        await db.refresh(entry)
        assert entry.duration == timedelta(hours=1, minutes=30)

    async def test_duration_cannot_be_written(self, db: AsyncSession) -> None:
        who = await make_employee(db)
        entry = await make_time_entry(db, who.id, await make_project(db))
        await refused(
            db,
            "UPDATE time_entries SET duration = '5 hours' WHERE id = :id",
            {"id": entry.id},
            error=DBAPIError,
        )

    async def test_running_timer_has_no_duration(self, db: AsyncSession) -> None:
        who = await make_employee(db)
        entry = await make_time_entry(db, who.id, await make_project(db), end_time=None)
        await db.refresh(entry)
        assert entry.duration is None

    async def test_end_before_start_is_refused(self, db: AsyncSession) -> None:
        who = await make_employee(db)
        project = await make_project(db)
        error = await refused(
            db,
            "INSERT INTO time_entries (employee_id, project_id, start_time, end_time) "
            "VALUES (:e, :p, :s, :t)",
            {"e": who.id, "p": project.id, "s": at(0, 10), "t": at(0, 9)},
        )
        assert "end_after_start" in str(error)

    async def test_zero_length_entry_is_refused(self, db: AsyncSession) -> None:
        who = await make_employee(db)
        project = await make_project(db)
        await refused(
            db,
            "INSERT INTO time_entries (employee_id, project_id, start_time, end_time) "
            "VALUES (:e, :p, :s, :s)",
            {"e": who.id, "p": project.id, "s": at(0, 10)},
        )

    async def test_second_running_timer_is_refused(self, db: AsyncSession) -> None:
        who = await make_employee(db)
        project = await make_project(db)
        await make_time_entry(db, who.id, project, start_time=at(1, 8), end_time=None)
        # Two running timers always overlap, so the exclusion constraint fires first; drop it
        # inside this (rolled back) transaction to prove the unique index holds on its own.
        await db.execute(
            text("ALTER TABLE time_entries DROP CONSTRAINT ex_time_entries_no_overlap")
        )
        error = await refused(
            db,
            "INSERT INTO time_entries (employee_id, project_id, start_time) VALUES (:e, :p, :s)",
            {"e": who.id, "p": project.id, "s": at(0, 8)},
        )
        assert "uq_time_entries_running_per_employee" in str(error)

    async def test_running_timers_of_two_employees_coexist(self, db: AsyncSession) -> None:
        project = await make_project(db)
        for _ in range(2):
            who = await make_employee(db)
            await make_time_entry(db, who.id, project, start_time=at(0, 8), end_time=None)
        running = await db.scalar(
            select(text("count(*)"))
            .select_from(TimeEntry)
            .where(TimeEntry.project_id == project.id, TimeEntry.end_time.is_(None))
        )
        assert running == 2

    async def test_overlapping_entries_are_refused(self, db: AsyncSession) -> None:
        who = await make_employee(db)
        project = await make_project(db)
        await make_time_entry(db, who.id, project, start_time=at(0, 8), end_time=at(0, 12))
        error = await refused(
            db,
            "INSERT INTO time_entries (employee_id, project_id, start_time, end_time) "
            "VALUES (:e, :p, :s, :t)",
            {"e": who.id, "p": project.id, "s": at(0, 11), "t": at(0, 13)},
        )
        assert "ex_time_entries_no_overlap" in str(error)

    async def test_adjacent_entries_are_fine(self, db: AsyncSession) -> None:
        who = await make_employee(db)
        project = await make_project(db)
        await make_time_entry(db, who.id, project, start_time=at(0, 8), end_time=at(0, 12))
        await make_time_entry(db, who.id, project, start_time=at(0, 12), end_time=at(0, 13))

    async def test_entry_after_a_running_timer_start_overlaps(self, db: AsyncSession) -> None:
        who = await make_employee(db)
        project = await make_project(db)
        await make_time_entry(db, who.id, project, start_time=at(0, 8), end_time=None)
        error = await refused(
            db,
            "INSERT INTO time_entries (employee_id, project_id, start_time, end_time) "
            "VALUES (:e, :p, :s, :t)",
            {"e": who.id, "p": project.id, "s": at(2, 8), "t": at(2, 9)},
        )
        assert "ex_time_entries_no_overlap" in str(error)

    async def test_entry_on_issued_invoice_cannot_change(self, db: AsyncSession) -> None:
        who = await make_employee(db)
        project = await make_project(db)
        invoice = await make_invoice(db, issued=True)
        entry = await make_time_entry(db, who.id, project, invoice_id=invoice.id)
        error = await refused(
            db,
            "UPDATE time_entries SET note = 'x' WHERE id = :id",
            {"id": entry.id},
            error=DBAPIError,
        )
        assert "billed on invoice" in str(error)
        await refused(
            db, "DELETE FROM time_entries WHERE id = :id", {"id": entry.id}, error=DBAPIError
        )


ENUMS = [
    ("customers", "type", "B2X"),
    ("projects", "status", "done"),
    ("invoices", "status", "void"),
    ("reminders", "priority", "urgent"),
    ("payments", "method", "bitcoin"),
    ("expenses", "category", "travel"),
    ("dashboards", "theme", "blue"),
]


class TestEnumerations:
    @pytest.mark.parametrize(("table", "column", "bad"), ENUMS)
    async def test_unknown_value_is_refused(
        self, db: AsyncSession, table: str, column: str, bad: str
    ) -> None:
        rows = await self._valid_row(db, table)
        error = await refused(
            db, f"UPDATE {table} SET {column} = :bad WHERE id = :id", {"bad": bad, "id": rows}
        )
        assert f"ck_{table}_{column}" in str(error)

    async def _valid_row(self, db: AsyncSession, table: str) -> Any:
        who = await make_employee(db)
        if table == "customers":
            return (await make_customer(db)).id
        if table == "projects":
            return (await make_project(db)).id
        if table == "invoices":
            return (await make_invoice(db, issued=True)).id
        if table == "payments":
            invoice = await make_invoice(db, issued=True)
            payment = Payment(
                invoice_id=invoice.id,
                amount=Decimal("10.00"),
                payment_date=at(0, 0).date(),
                method="cash",
            )
            db.add(payment)
            await db.flush()
            return payment.id
        if table == "expenses":
            expense = Expense(category="material", amount=Decimal("5.00"))
            db.add(expense)
            await db.flush()
            return expense.id
        if table == "reminders":
            reminder = Reminder(title="Anrufen", due_date=at(0, 0).date(), owner_id=who.id)
            db.add(reminder)
            await db.flush()
            return reminder.id
        dashboard = Dashboard(user_id=who.id)
        db.add(dashboard)
        await db.flush()
        return dashboard.id


class TestMoney:
    async def test_amounts_have_two_decimals(self, db: AsyncSession) -> None:
        types = dict(
            (
                await db.execute(
                    text(
                        "SELECT table_name || '.' || column_name, "
                        "numeric_precision::text || ',' || numeric_scale::text "
                        "FROM information_schema.columns WHERE column_name IN ('amount', 'total') "
                        "AND table_schema = 'public'"
                    )
                )
            ).all()
        )
        assert types == {
            "invoices.total": "12,2",
            "payments.amount": "12,2",
            "expenses.amount": "12,2",
            "bank_transactions.amount": "12,2",
            "bank_matches.amount": "12,2",
            "supplier_payments.amount": "12,2",
            "quotes.total": "12,2",
        }

    async def test_rounding_happens_in_numeric_not_float(self, db: AsyncSession) -> None:
        expense = Expense(category="other", amount=Decimal("0.105"))
        db.add(expense)
        await db.flush()
        await db.refresh(expense)
        assert expense.amount == Decimal("0.11")

    @pytest.mark.parametrize("amount", ["0", "-1.00"])
    async def test_payment_must_be_positive(self, db: AsyncSession, amount: str) -> None:
        invoice = await make_invoice(db, issued=True)
        error = await refused(
            db,
            "INSERT INTO payments (invoice_id, amount, payment_date, method) "
            "VALUES (:i, :a, current_date, 'cash')",
            {"i": invoice.id, "a": Decimal(amount)},
        )
        assert "ck_payments_amount_positive" in str(error)

    @pytest.mark.parametrize("amount", ["0", "-3.50"])
    async def test_expense_must_be_positive(self, db: AsyncSession, amount: str) -> None:
        error = await refused(
            db,
            "INSERT INTO expenses (category, amount) VALUES ('other', :a)",
            {"a": Decimal(amount)},
        )
        assert "ck_expenses_amount_positive" in str(error)


class TestProjects:
    async def test_end_date_before_start_date_is_refused(self, db: AsyncSession) -> None:
        project = await make_project(db)
        error = await refused(
            db,
            "UPDATE projects SET start_date = '2026-05-01', end_date = '2026-04-30' WHERE id = :id",
            {"id": project.id},
        )
        assert "ck_projects_dates" in str(error)

    async def test_same_day_project_is_fine(self, db: AsyncSession) -> None:
        project = await make_project(db)
        await db.execute(
            update(type(project))
            .where(type(project).id == project.id)
            .values(start_date=at(0, 0).date(), end_date=at(0, 0).date())
        )


class TestEmployees:
    async def test_email_is_unique_ignoring_case(self, db: AsyncSession) -> None:
        first = await make_employee(db, email="Max.Muster@Firma.de")
        error = await refused(
            db,
            "INSERT INTO employees (firstname, lastname, email, role_id) "
            "VALUES ('M', 'M', 'max.muster@firma.DE', :r)",
            {"r": first.role_id},
        )
        assert "uq_employees_email_lower" in str(error)

    async def test_manager_of_a_department_cannot_be_deleted(self, db: AsyncSession) -> None:
        boss = await make_employee(db)
        await db.execute(
            text("UPDATE departments SET manager_id = :e WHERE name = 'Sales'"), {"e": boss.id}
        )
        error = await refused(db, "DELETE FROM employees WHERE id = :e", {"e": boss.id})
        assert "fk_departments_manager_id_employees" in str(error)

    async def test_role_in_use_cannot_be_deleted(self, db: AsyncSession) -> None:
        someone = await make_employee(db)
        await refused(db, "DELETE FROM roles WHERE id = :r", {"r": someone.role_id})


class TestTimestamps:
    async def test_created_at_set_on_insert(self, db: AsyncSession) -> None:
        customer = await make_customer(db)
        await db.refresh(customer)
        assert customer.created_at is not None
        assert customer.created_at.tzinfo is not None

    async def test_updated_at_moves_on_every_update_even_raw_sql(self, db: AsyncSession) -> None:
        customer = await make_customer(db)
        await db.refresh(customer)
        before = customer.updated_at
        await db.execute(
            text("UPDATE customers SET phone = '+49 30 1234' WHERE id = :id"), {"id": customer.id}
        )
        await asyncio.sleep(0)
        await db.refresh(customer)
        assert customer.updated_at > before
        assert customer.created_at < customer.updated_at

    async def test_created_at_cannot_be_rewritten(self, db: AsyncSession) -> None:
        customer = await make_customer(db)
        await db.refresh(customer)
        created = customer.created_at
        await db.execute(
            text("UPDATE customers SET created_at = '2000-01-01' WHERE id = :id"),
            {"id": customer.id},
        )
        await db.refresh(customer)
        assert customer.created_at == created


class TestInvoices:
    async def test_issued_invoice_cannot_change(self, db: AsyncSession) -> None:
        invoice = await make_invoice(db, issued=True)
        error = await refused(
            db, "UPDATE invoices SET total = 1 WHERE id = :id", {"id": invoice.id}, error=DBAPIError
        )
        assert "cannot change" in str(error)

    async def test_issued_invoice_lines_cannot_change_even_with_raw_sql(
        self, db: AsyncSession
    ) -> None:
        invoice = await make_invoice(db, issued=True)
        await refused(
            db,
            "UPDATE invoice_lines SET unit_price = 1 WHERE invoice_id = :id",
            {"id": invoice.id},
            error=DBAPIError,
        )
        await refused(
            db,
            "DELETE FROM invoice_lines WHERE invoice_id = :id",
            {"id": invoice.id},
            error=DBAPIError,
        )
        await refused(
            db,
            "INSERT INTO invoice_lines (invoice_id, position, description, quantity, "
            "unit_price, vat_rate, net_amount) VALUES (:id, 2, 'x', 1, 1, 19, 1)",
            {"id": invoice.id},
            error=DBAPIError,
        )

    async def test_issued_invoice_cannot_be_deleted(self, db: AsyncSession) -> None:
        invoice = await make_invoice(db, issued=True)
        error = await refused(
            db, "DELETE FROM invoices WHERE id = :id", {"id": invoice.id}, error=DBAPIError
        )
        assert "credit note" in str(error)

    async def test_draft_can_be_deleted_with_its_lines(self, db: AsyncSession) -> None:
        invoice = await make_invoice(db)
        await db.execute(text("DELETE FROM invoices WHERE id = :id"), {"id": invoice.id})
        assert (
            await db.scalar(select(InvoiceLine).where(InvoiceLine.invoice_id == invoice.id)) is None
        )

    async def test_status_paid_cannot_be_set_by_hand(self, db: AsyncSession) -> None:
        invoice = await make_invoice(db, issued=True)
        error = await refused(
            db,
            "UPDATE invoices SET status = 'paid' WHERE id = :id",
            {"id": invoice.id},
            error=DBAPIError,
        )
        assert "not fully paid" in str(error)

    async def test_issued_invoice_cannot_return_to_draft(self, db: AsyncSession) -> None:
        invoice = await make_invoice(db, issued=True)
        await refused(
            db,
            "UPDATE invoices SET status = 'draft' WHERE id = :id",
            {"id": invoice.id},
            error=DBAPIError,
        )

    async def test_issued_invoice_needs_a_number(self, db: AsyncSession) -> None:
        invoice = await make_invoice(db)
        error = await refused(
            db,
            "UPDATE invoices SET status = 'sent', issued_date = current_date WHERE id = :id",
            {"id": invoice.id},
        )
        assert "ck_invoices_issued_has_number" in str(error)


class TestPayments:
    async def _pay(self, db: AsyncSession, invoice_id: Any, amount: str) -> None:
        await db.execute(
            text(
                "INSERT INTO payments (invoice_id, amount, payment_date, method) "
                "VALUES (:i, :a, current_date, 'bank_transfer')"
            ),
            {"i": invoice_id, "a": Decimal(amount)},
        )

    async def _status(self, db: AsyncSession, invoice_id: Any) -> str:
        return str(
            await db.scalar(text("SELECT status FROM invoices WHERE id = :i"), {"i": invoice_id})
        )

    async def test_partial_payments_reaching_total_set_paid(self, db: AsyncSession) -> None:
        invoice = await make_invoice(db, issued=True)
        await self._pay(db, invoice.id, "100.00")
        assert await self._status(db, invoice.id) == "overdue"  # due 2026-03-15, long past
        await self._pay(db, invoice.id, "19.00")
        assert await self._status(db, invoice.id) == "paid"

    async def test_deleting_a_payment_reopens_the_invoice(self, db: AsyncSession) -> None:
        invoice = await make_invoice(db, issued=True)
        await self._pay(db, invoice.id, "119.00")
        assert await self._status(db, invoice.id) == "paid"
        await db.execute(text("DELETE FROM payments WHERE invoice_id = :i"), {"i": invoice.id})
        assert await self._status(db, invoice.id) == "overdue"

    async def test_overpayment_is_refused(self, db: AsyncSession) -> None:
        invoice = await make_invoice(db, issued=True)
        await self._pay(db, invoice.id, "100.00")
        error = await refused(
            db,
            "INSERT INTO payments (invoice_id, amount, payment_date, method) "
            "VALUES (:i, 19.01, current_date, 'cash')",
            {"i": invoice.id},
            error=DBAPIError,
        )
        assert "exceeds the open amount of 19.00" in str(error)

    async def test_payment_on_a_draft_is_refused(self, db: AsyncSession) -> None:
        invoice = await make_invoice(db)
        await refused(
            db,
            "INSERT INTO payments (invoice_id, amount, payment_date, method) "
            "VALUES (:i, 1, current_date, 'cash')",
            {"i": invoice.id},
            error=DBAPIError,
        )


class TestLinks:
    async def test_contact_primary_is_unique_per_customer(self, db: AsyncSession) -> None:
        customer = await make_customer(db)
        db.add(Contact(customer_id=customer.id, firstname="A", lastname="B", is_primary=True))
        await db.flush()
        error = await refused(
            db,
            "INSERT INTO contacts (customer_id, firstname, lastname, is_primary) "
            "VALUES (:c, 'C', 'D', true)",
            {"c": customer.id},
        )
        assert "uq_contacts_primary_per_customer" in str(error)

    async def test_document_link_must_exist(self, db: AsyncSession) -> None:
        who = await make_employee(db)
        error = await refused(
            db,
            "INSERT INTO documents (title, file_path, type, owner_id, linked_module, linked_id, "
            "checksum) VALUES ('x', 'ab/cd', 'pdf', :o, 'customer', gen_random_uuid(), :c)",
            {"o": who.id, "c": "a" * 64},
            error=DBAPIError,
        )
        assert "linked customer does not exist" in str(error)

    async def test_document_link_to_existing_customer_is_fine(self, db: AsyncSession) -> None:
        who = await make_employee(db)
        customer = await make_customer(db)
        db.add(
            Document(
                title="Vertrag",
                file_path="ab/cd",
                type="pdf",
                owner_id=who.id,
                linked_module="customer",
                linked_id=customer.id,
                checksum="b" * 64,
            )
        )
        await db.flush()

    async def test_reminder_link_must_exist(self, db: AsyncSession) -> None:
        who = await make_employee(db)
        error = await refused(
            db,
            "INSERT INTO reminders (title, due_date, owner_id, linked_to, linked_id) "
            "VALUES ('x', current_date, :o, 'invoice', gen_random_uuid())",
            {"o": who.id},
            error=DBAPIError,
        )
        assert "linked invoice does not exist" in str(error)

    async def test_one_dashboard_per_employee(self, db: AsyncSession) -> None:
        who = await make_employee(db)
        db.add(Dashboard(user_id=who.id))
        await db.flush()
        await refused(db, "INSERT INTO dashboards (user_id) VALUES (:u)", {"u": who.id})


class TestAuditLog:
    async def test_audit_rows_cannot_be_updated_or_deleted(self, db: AsyncSession) -> None:
        db.add(AuditLog(action="create", entity="customer", entity_id="1"))
        await db.flush()
        for sql in (
            "UPDATE audit_log SET action = 'x'",
            "DELETE FROM audit_log",
            "TRUNCATE audit_log",
        ):
            error = await refused(db, sql, error=DBAPIError)
            assert "append-only" in str(error)

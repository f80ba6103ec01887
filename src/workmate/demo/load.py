"""Write a generated demo company with SQLAlchemy core inserts, in one transaction.

The order follows the database's rules (migration 0001): invoice lines go in while their
invoice is still a draft, then the invoice is issued (number, dates, frozen buyer), and only
then are payments booked, so the payment trigger derives paid/sent/overdue itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, bindparam, func, insert, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from workmate.demo import worktime
from workmate.demo.banking import load_demo as load_banking
from workmate.demo.generate import DEMO_DOMAIN, Context, DemoCompany, Row, strip_private
from workmate.demo.sales import load_sales
from workmate.models import (
    ChatMessage,
    CompanySettings,
    Contact,
    Customer,
    Dashboard,
    Department,
    Employee,
    Expense,
    Invoice,
    InvoiceLine,
    NumberCounter,
    Payment,
    Project,
    ProjectMember,
    Reminder,
    Role,
    TimeEntry,
)

# Serialises concurrent `workmate demo` runs (same number counters); any constant will do.
ADVISORY_LOCK = 0x776D_6465_6D6F

Progress = Callable[[str, int], None]

T_CUSTOMERS: Table = Customer.__table__  # type: ignore[assignment]
T_INVOICES: Table = Invoice.__table__  # type: ignore[assignment]


class DemoError(Exception):
    """The database is not in a state the demo can fill; the message says what to do."""


async def customer_count(conn: AsyncConnection) -> int:
    return int(await conn.scalar(select(func.count()).select_from(T_CUSTOMERS)) or 0)


async def user_employees(conn: AsyncConnection) -> list[str]:
    """Emails of employees the demo did not create: their presence makes the data the user's."""
    rows = await conn.scalars(
        select(Employee.email)
        .where(func.lower(Employee.email).not_like(f"%@{DEMO_DOMAIN}"))
        .order_by(Employee.email)
        .limit(3)
    )
    return list(rows)


async def read_context(
    conn: AsyncConnection, *, today: date, now: datetime, password_hash: str
) -> Context:
    """What exists already: seed rows, counters and numbers the demo must continue from."""
    await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK})
    roles = {r.name: r.id for r in await conn.execute(select(Role.id, Role.name))}
    departments = {d.name: d.id for d in await conn.execute(select(Department.id, Department.name))}
    missing = {"Admin", "Manager", "Employee"} - roles.keys()
    missing |= {"Sales", "Development", "Management"} - departments.keys()
    if missing:
        raise DemoError(
            f"seed rows missing ({', '.join(sorted(missing))}); run 'workmate db seed' first"
        )
    counters = {
        (c.scope, c.year): c.next_value
        for c in await conn.execute(
            select(
                NumberCounter.scope, NumberCounter.year, NumberCounter.next_value
            ).with_for_update()
        )
    }
    # Numbers written without their counter (imports, hand edits) must not be handed out again.
    for scope, year, highest in await _highest_numbers(conn):
        counters[(scope, year)] = max(counters.get((scope, year), 1), highest + 1)
    employees = {
        e.email.lower(): e.id
        for e in await conn.execute(
            select(Employee.id, Employee.email).where(
                func.lower(Employee.email).like(f"%@{DEMO_DOMAIN}")
            )
        )
    }
    return Context(
        today=today,
        now=now,
        role_ids=roles,
        department_ids=departments,
        password_hash=password_hash,
        customer_start=counters.get(("customer", 0), 1),
        counters={k: v for k, v in counters.items() if k[0] != "customer"},
        existing_employees=employees,
    )


NUMBER_PATTERNS = (
    ("customer", re.compile(r"^K-(\d+)$")),
    ("invoice", re.compile(r"^RE-(\d{4})-(\d+)$")),
    ("credit_note", re.compile(r"^GS-(\d{4})-(\d+)$")),
)


async def _highest_numbers(conn: AsyncConnection) -> list[tuple[str, int, int]]:
    found: dict[tuple[str, int], int] = {}
    rows = list(await conn.execute(select(Customer.number)))
    rows += list(await conn.execute(select(Invoice.number).where(Invoice.number.is_not(None))))
    for (number,) in rows:
        for scope, pattern in NUMBER_PATTERNS:
            match = pattern.match(number)
            if match:
                groups = [int(g) for g in match.groups()]
                year, seq = (0, groups[0]) if len(groups) == 1 else (groups[0], groups[1])
                found[(scope, year)] = max(found.get((scope, year), 0), seq)
    return [(scope, year, seq) for (scope, year), seq in found.items()]


def counts(demo: DemoCompany) -> dict[str, int]:
    """Rows per table the demo adds (what the progress bar counts)."""
    return {
        "employees": len(demo.employees),
        "customers": len(demo.customers),
        "contacts": len(demo.contacts),
        "projects": len(demo.projects),
        "project members": len(demo.project_members),
        "time entries": len(demo.time_entries),
        "invoices": len(demo.invoices) + len(demo.credit_notes),
        "invoice lines": len(demo.invoice_lines),
        "payments": len(demo.payments),
        "expenses": len(demo.expenses),
        "reminders": len(demo.reminders),
        "dashboards": len(demo.dashboards),
        "chat messages": len(demo.chat_messages),
        "working time": worktime.count(demo),
    }


async def _insert(
    conn: AsyncConnection, model: Any, rows: Sequence[Row], progress: Progress, label: str
) -> None:
    table: Table = model.__table__
    clean = [strip_private(r) for r in rows]
    # Chunks keep the progress bar moving on the big tables; one executemany each.
    for start in range(0, len(clean), 500):
        chunk = clean[start : start + 500]
        await conn.execute(insert(table), chunk)
        progress(label, len(chunk))


async def load(conn: AsyncConnection, demo: DemoCompany, progress: Progress) -> None:
    """Insert everything in `demo` on `conn` (the caller owns the transaction)."""
    await _insert(conn, Employee, demo.employees, progress, "employees")
    departments: Table = Department.__table__  # type: ignore[assignment]
    for department_id, manager_id in demo.department_managers.items():
        await conn.execute(
            update(departments)
            .where(departments.c.id == department_id, departments.c.manager_id.is_(None))
            .values(manager_id=manager_id)
        )
    settings: Table = CompanySettings.__table__  # type: ignore[assignment]
    stmt = pg_insert(settings).values(demo.company)
    # An already configured seller is the user's; only an empty settings row is filled.
    await conn.execute(
        stmt.on_conflict_do_update(
            index_elements=["id"],
            set_={k: stmt.excluded[k] for k in demo.company if k != "id"},
            where=settings.c.name.is_(None),
        )
    )
    await _insert(conn, Customer, demo.customers, progress, "customers")
    await _insert(conn, Contact, demo.contacts, progress, "contacts")
    await _insert(conn, Project, demo.projects, progress, "projects")
    await _insert(conn, ProjectMember, demo.project_members, progress, "project members")
    await _insert(conn, TimeEntry, demo.time_entries, progress, "time entries")
    await _insert(conn, Invoice, demo.invoices, progress, "invoices")
    # Credit notes after their originals: cancels_id must find its row.
    await _insert(conn, Invoice, demo.credit_notes, progress, "invoices")
    await _insert(conn, InvoiceLine, demo.invoice_lines, progress, "invoice lines")
    if demo.issues:
        await conn.execute(
            update(T_INVOICES).where(T_INVOICES.c.id == bindparam("b_id")), demo.issues
        )
    await _insert(conn, Payment, demo.payments, progress, "payments")
    if demo.cancelled_ids:
        await conn.execute(
            update(T_INVOICES)
            .where(T_INVOICES.c.id.in_(demo.cancelled_ids))
            .values(status="cancelled")
        )
    await _insert(conn, Expense, demo.expenses, progress, "expenses")
    await _insert(conn, Reminder, demo.reminders, progress, "reminders")
    dashboards: Table = Dashboard.__table__  # type: ignore[assignment]
    if demo.dashboards:
        await conn.execute(pg_insert(dashboards).on_conflict_do_nothing(), demo.dashboards)
    progress("dashboards", len(demo.dashboards))
    await _insert(conn, ChatMessage, demo.chat_messages, progress, "chat messages")
    await load_banking(conn, demo)
    counters: Table = NumberCounter.__table__  # type: ignore[assignment]
    stmt = pg_insert(counters)
    await conn.execute(
        stmt.on_conflict_do_update(
            index_elements=["scope", "year"], set_={"next_value": stmt.excluded.next_value}
        ),
        demo.counters,
    )
    await worktime.load(conn, demo, progress)
    # The sales cycle goes through the services, after the counters are set.
    await load_sales(conn)

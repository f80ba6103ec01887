"""Every page of the web UI costs the same number of SQL statements for 2 rows as for 8:
lists and detail pages batch their lookups (no statement per row), and the header timer is
cheap. A walk over all GET page routes fails on a page this test does not know."""

from __future__ import annotations

import re
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from tests.factories.crm import new_contact, new_reminder
from tests.factories.identity import make_employee
from tests.factories.invoicing import make_company_settings
from tests.factories.records import make_customer, make_invoice, make_project, make_time_entry
from tests.test_route_permissions import app_routes
from workmate import clock
from workmate.auth.tokens import digest, new_secret
from workmate.config import Settings, get_settings
from workmate.models import (
    Customer,
    Department,
    Employee,
    Expense,
    Invitation,
    Invoice,
    InvoiceLine,
    Payment,
    Project,
    Quote,
    QuoteLine,
    TimeEntry,
)


@dataclass
class World:
    """The objects whose pages are measured; each round adds rows to every list and detail."""

    customer: Customer
    project: Project
    draft: Invoice
    issued: Invoice
    entry: TimeEntry
    contact_id: uuid.UUID
    department: Department
    other: Employee
    expense: Expense
    quote: Quote
    # The secret of an open invitation of `other` (its public set-password page).
    invitation_secret: str
    rounds: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def quote_line(quote: Quote, position: int) -> QuoteLine:
    return QuoteLine(
        quote_id=quote.id,
        position=position,
        description=f"Leistung {position}",
        quantity=Decimal("2"),
        unit_price=Decimal("50.00"),
        vat_rate=Decimal("19"),
        net_amount=Decimal("100.00"),
    )


def invitation(employee: Employee, secret: str, **extra: Any) -> Invitation:
    return Invitation(
        employee_id=employee.id,
        token_hash=digest(secret),
        expires_at=clock.now() + timedelta(days=7),
        **extra,
    )


def monday() -> datetime:
    today = clock.today()
    day = today - timedelta(days=today.weekday())
    return datetime(day.year, day.month, day.day, 7, tzinfo=UTC)


async def grow(db: AsyncSession, admin: Employee, w: World) -> None:
    """One more row for every page: customers, contacts, projects, time, invoices, lines,
    payments, expenses, reminders (also someone else's), employees, quote lines and the
    invoices billing the quote, invitations of other employees and replaced ones."""
    i = w.rounds
    w.rounds += 1
    await make_customer(db)
    await new_contact(db, w.customer)
    project = await make_project(db, w.customer, status="in_progress")
    start = monday() + timedelta(days=i % 5, hours=i // 5 * 2)
    await make_time_entry(
        db, admin.id, project, start_time=start, end_time=start + timedelta(minutes=50)
    )
    invoice = await make_invoice(
        db, w.customer, issued=True, project_id=w.project.id, quote_id=w.quote.id
    )
    db.add(quote_line(w.quote, i + 2))
    db.add(
        Payment(
            invoice_id=invoice.id,
            amount=Decimal("1.00"),
            payment_date=clock.today(),
            method="bank_transfer",
        )
    )
    db.add(
        Payment(
            invoice_id=w.issued.id,
            amount=Decimal("0.50"),
            payment_date=clock.today(),
            method="bank_transfer",
        )
    )
    db.add(
        InvoiceLine(
            invoice_id=w.draft.id,
            position=i + 2,
            description=f"Position {i}",
            quantity=Decimal("1"),
            unit_price=Decimal("10.00"),
            vat_rate=Decimal("19"),
            net_amount=Decimal("10.00"),
        )
    )
    db.add(Expense(category="material", amount=Decimal("12.50") + i, project_id=w.project.id))
    await new_reminder(db, admin.id)
    await new_reminder(db, w.other.id)
    newcomer = await make_employee(db, department_id=w.department.id)
    db.add(invitation(newcomer, new_secret()))
    db.add(invitation(w.other, new_secret(), revoked_at=clock.now()))
    await db.flush()


@pytest.fixture
async def world(db: AsyncSession, admin: Employee) -> World:
    await make_company_settings(db)
    customer = await make_customer(db, name="Seiten Test GmbH")
    project = await make_project(db, customer, status="in_progress")
    contact = await new_contact(db, customer)
    start = monday() + timedelta(hours=10)
    entry = await make_time_entry(
        db, admin.id, project, start_time=start, end_time=start + timedelta(hours=1)
    )
    department = Department(name=f"Abteilung {uuid.uuid4().hex[:6]}")
    db.add(department)
    await db.flush()
    other = await make_employee(db)
    expense = Expense(category="material", amount=Decimal("9.99"), project_id=project.id)
    db.add(expense)
    quote = Quote(customer_id=customer.id, project_id=project.id, title="Relaunch")
    db.add(quote)
    await db.flush()
    db.add(quote_line(quote, 1))
    secret = new_secret()
    db.add(invitation(other, secret))
    await db.flush()
    w = World(
        quote=quote,
        invitation_secret=secret,
        expense=expense,
        customer=customer,
        project=project,
        draft=await make_invoice(db, customer, project_id=project.id),
        issued=await make_invoice(db, customer, issued=True, project_id=project.id),
        entry=entry,
        contact_id=contact.id,
        department=department,
        other=other,
    )
    return w


def url_of(path: str, w: World, admin: Employee) -> str:
    ids = {
        "customer_id": w.customer.id,
        "project_id": w.project.id,
        "invoice_id": w.issued.id,
        "entry_id": w.entry.id,
        "contact_id": w.contact_id,
        "department_id": w.department.id,
        "employee_id": w.other.id,
        "role_id": w.other.role_id,
        "expense_id": w.expense.id,
        "quote_id": w.quote.id,
        "token": w.invitation_secret,
    }
    return re.sub(r"\{(\w+)\}", lambda m: str(ids[m.group(1)]), path)


# Pages measured here; the query string makes a list show what grows.
PAGES: dict[str, str] = {
    "/": "",
    "/customers": "",
    "/customers/new": "",
    "/customers/{customer_id}": "",
    "/customers/{customer_id}/edit": "",
    "/customers/{customer_id}/contacts/new": "",
    "/customers/{customer_id}/contacts/{contact_id}/edit": "",
    "/projects": "",
    "/projects/new": "",
    "/projects/{project_id}": "",
    "/projects/{project_id}/edit": "",
    "/time": "",
    "/time/new": "",
    "/time/{entry_id}/edit": "",
    "/time/report": "",
    "/invoices": "",
    "/invoices/{invoice_id}": "",
    "/expenses": "",
    "/expenses/{expense_id}/edit": "",
    "/reminders": "?view=all",
    "/admin": "",
    "/admin/company": "",
    "/admin/audit": "",
    "/admin/employees/new": "",
    "/admin/employees/{employee_id}": "",
    "/admin/roles/{role_id}": "",
    "/admin/roles/new": "",
    "/admin/departments": "",
    "/admin/departments/{department_id}": "",
    "/admin/jobs": "",
    "/exports": "",
    # The overdue invoices of every round are dunning proposals; the other sales lists are
    # measured empty here (their rows need the sales factories).
    "/sales/dunning": "",
    "/sales/outbox": "",
    "/sales/quotes": "",
    "/sales/quotes/{quote_id}": "",
    # Public: one invitation by its hash and its employee, whatever else is stored.
    "/invitation/{token}": "",
    "/sales/recurring": "",
    "/sales/templates": "",
    "/worktime/settings": "",
}
# Pages whose rows come from their own domain's fixtures; each has its own statement test.
ELSEWHERE = {
    "/banking": "tests/banking/test_queries.py",
    "/banking/accounts/{account_id}": "tests/banking/test_queries.py",
    "/banking/statements": "tests/banking/test_queries.py",
    "/banking/transactions": "tests/banking/test_queries.py",
    "/banking/transactions/{transaction_id}": "tests/banking/test_queries.py",
    "/purchases": "tests/purchases/test_intake.py",
    "/purchases/incoming/{incoming_id}": "tests/purchases/test_intake.py",
    "/purchases/bills": "tests/purchases/test_intake.py",
    "/purchases/suppliers": "tests/purchases/test_pages.py",
    "/purchases/bills/{bill_id}": "tests/purchases/test_intake.py",
    "/worktime": "tests/worktime/test_endpoints.py",
    "/worktime/absences": "tests/worktime/test_endpoints.py",
    "/worktime/team": "tests/worktime/test_endpoints.py",
}
# Static files of the offline API docs (no database involved).
NOT_PAGES = {"/favicon.ico", "/login", "/docs/assets/{name}"}
# Known gaps, named so they are not forgotten: pages whose rows no factory here makes yet.
UNMEASURED: dict[str, str] = {}


def test_every_page_is_measured() -> None:
    pages = {
        path
        for path, route, _ in app_routes()
        if "GET" in getattr(route, "methods", set())
        and not path.startswith(("/api/", "/static/", "/healthz", "/readyz", "/metrics"))
    }
    unknown = pages - PAGES.keys() - ELSEWHERE.keys() - NOT_PAGES - UNMEASURED.keys()
    assert unknown == set(), f"measure these pages in PAGES: {sorted(unknown)}"


@contextmanager
def statements(engine: AsyncEngine) -> Any:
    seen: list[str] = []

    def on_execute(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not re.match(r"\s*(RELEASE )?SAVEPOINT|\s*ROLLBACK", statement):
            seen.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", on_execute)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", on_execute)


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    settings = get_settings()
    monkeypatch.setattr(settings, "data_dir", tmp_path / "data")
    return settings


@pytest.mark.parametrize("path", list(PAGES))
async def test_page_statements_do_not_grow_with_the_rows(
    path: str,
    web_admin: httpx.AsyncClient,
    admin: Employee,
    db: AsyncSession,
    engine: AsyncEngine,
    world: World,
    files: Settings,
) -> None:
    url = url_of(path, world, admin) + PAGES[path]
    for _ in range(2):
        await grow(db, admin, world)
    assert (await web_admin.get(url)).status_code == 200  # warm-up (caches, catalogs)
    with statements(engine) as seen:
        few = await web_admin.get(url)
    small = list(seen)
    for _ in range(6):
        await grow(db, admin, world)
    with statements(engine) as seen:
        many = await web_admin.get(url)
    large = list(seen)
    assert few.status_code == many.status_code == 200, many.text[:300]
    assert len(large) == len(small), "\n\n".join(large)


async def test_the_header_timer_costs_two_statements(
    admin: Employee, db: AsyncSession, engine: AsyncEngine, world: World
) -> None:
    """The timer bar is on every page: the running timer and the open projects, that is all."""
    from workmate.auth.principal import Principal
    from workmate.web.routes.timer import timer_context

    for _ in range(3):
        await grow(db, admin, world)
    who = Principal(
        employee_id=admin.id,
        email=admin.email,
        role_id=admin.role_id,
        role_name="Admin",
        permissions={"time_entries": ["write"], "projects": ["read"]},
        via="session",
    )
    with statements(engine) as seen:
        state = await timer_context(db, who)
    assert state is not None
    assert len(state.projects) >= 4
    assert len(seen) <= 2, "\n\n".join(seen)


async def test_a_quote_page_costs_the_same_for_1_line_as_for_30(
    web_admin: httpx.AsyncClient,
    db: AsyncSession,
    engine: AsyncEngine,
    world: World,
) -> None:
    url = f"/sales/quotes/{world.quote.id}"
    billing = await make_invoice(db, world.customer, issued=True, quote_id=world.quote.id)
    assert (await web_admin.get(url)).status_code == 200  # warm-up (caches, catalogs)
    with statements(engine) as seen:
        one = await web_admin.get(url)
    small = list(seen)
    db.add_all(quote_line(world.quote, position) for position in range(2, 31))
    await db.flush()
    with statements(engine) as seen:
        thirty = await web_admin.get(url)
    large = list(seen)
    assert one.status_code == thirty.status_code == 200
    assert "Leistung 30" in thirty.text
    assert "Seiten Test GmbH" in thirty.text
    assert f'href="/invoices/{billing.id}"' in thirty.text
    assert len(large) == len(small), "\n\n".join(large)

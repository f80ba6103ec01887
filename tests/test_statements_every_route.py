"""Every API route has a recorded statement bound (issue 19).

BOUNDS names each route of /api/v1 with the SQL statements one call may cost (SQLAlchemy's and
the read path's, the savepoints the test fixtures wrap around a request not counted), measured
on a company with one object of each kind (a bank statement, a received e-invoice, a waiting
e-mail, a job, a dunning letter and a break deduction included): every route is called. A
new route without an entry fails `test_every_api_route_has_a_bound`; a `Gap` (a route no
world object can drive, with the reason) fails the count until it is measured. Whether a
list grows with its rows is tests/test_statements_per_route.py (1 row against 30).

The bound is what the route costs today; a change that adds a statement must raise it here,
in review, with its reason.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from tests.factories.banking import camt
from tests.factories.banking import entry as bank_entry
from tests.factories.banking import upload as bank_upload
from tests.factories.crm import new_contact, new_reminder
from tests.factories.documents import make_document
from tests.factories.identity import make_employee, make_role
from tests.factories.invoicing import draft_body, line, make_company_settings
from tests.factories.purchases import bill_body, make_supplier, upload_path
from tests.factories.records import make_customer, make_invoice, make_project, make_time_entry
from tests.factories.worktime import make_absence, make_contract
from tests.purchases.conftest import FIXTURES
from tests.test_lessons import application_statements, count_statements, files_settings
from tests.test_route_permissions import app_routes
from workmate import clock, jobs
from workmate.auth.service import auth_service
from workmate.config import Settings
from workmate.models import (
    BankStatement,
    BankTransaction,
    BreakDeduction,
    Department,
    Employee,
    Expense,
    InvoiceLine,
)
from workmate.worktime.breaks import break_service

pytestmark = pytest.mark.asyncio

__all__ = ["files_settings"]  # the fixture, imported for pytest

API = "/api/v1"


@dataclass(frozen=True)
class Gap:
    """Not measured yet, and why."""

    reason: str


# A JSON body, or a query string ("?..."), or None.
Body = dict[str, Any] | list[Any] | str | None
# (status, statements) as measured, or why not.
Bound = tuple[int, int] | Gap


def monday() -> datetime:
    today = clock.today()
    day = today - timedelta(days=today.weekday())
    return datetime(day.year, day.month, day.day, 7, tzinfo=UTC)


async def make_world(
    db: AsyncSession, admin: Employee, client: httpx.AsyncClient
) -> dict[str, Any]:
    """One object of each kind the routes name in their paths, and a few spare ones for the
    routes that delete or end them."""
    await make_company_settings(db)
    # Numbered so that the DATEV export finds a debtor account (K-49001 -> 59001), far above
    # what the customers domain's counter hands out in a test.
    customer = await make_customer(db, name="Routen Test GmbH", number="K-49001")
    spare_customer = await make_customer(db, number="K-49002")
    project = await make_project(db, customer, status="in_progress")
    spare_project = await make_project(db, customer)
    bare_project = await make_project(db, customer)
    contact = await new_contact(db, customer)
    spare_contact = await new_contact(db, customer)
    start = monday() + timedelta(hours=1)
    entry = await make_time_entry(
        db, admin.id, project, start_time=start, end_time=start + timedelta(hours=1)
    )
    spare_entry = await make_time_entry(
        db,
        admin.id,
        spare_project,
        start_time=start + timedelta(hours=2),
        end_time=start + timedelta(hours=3),
    )
    draft = await make_invoice(db, customer, project_id=project.id)
    spare_draft = await make_invoice(db, customer)
    issued = await make_invoice(db, customer, issued=True)
    cancellable = await make_invoice(db, customer, issued=True)
    department = Department(name=f"Abteilung {uuid.uuid4().hex[:6]}")
    spare_department = Department(name=f"Abteilung {uuid.uuid4().hex[:6]}")
    db.add_all([department, spare_department])
    other = await make_employee(db, department_id=department.id)
    spare_employee = await make_employee(db)
    spare_role = await make_role(db, crm=["read"])
    expense = Expense(category="material", amount=Decimal("9.99"), project_id=project.id)
    spare_expense = Expense(category="material", amount=Decimal("1.99"))
    db.add_all([expense, spare_expense])
    reminder = await new_reminder(db, admin.id)
    spare_reminder = await new_reminder(db, admin.id)
    document = await make_document(db, admin.id)
    spare_document = await make_document(db, admin.id)
    token = await auth_service.create_token(db, admin.id, "spare")
    await make_contract(db, admin.id)
    absence = await make_absence(db, admin.id, date(2026, 3, 9), status="requested")
    to_issue = await make_invoice(
        db, customer, service_start=date(2026, 3, 1), service_end=date(2026, 3, 31)
    )
    contract = await make_contract(db, other.id)
    newcomer = await make_employee(db)
    await db.flush()
    line_id = await db.scalar(select(InvoiceLine.id).where(InvoiceLine.invoice_id == draft.id))
    supplier = await make_supplier(client)

    async def created(path: str, body: dict[str, Any]) -> Any:
        r = await client.post(f"{API}{path}", json=body)
        assert r.status_code in (200, 201), (path, r.text)
        return r.json()["id"]

    later = (start + timedelta(hours=1)).isoformat()
    # An outbox message (an issued invoice e-mailed; no mail server: it waits), a job row,
    # the iCal feed's secret, a web session and a break deduction (a colleague's day of
    # seven hours without a break).
    mailed = await make_invoice(db, customer, issued=True)
    r = await client.post(f"{API}/invoices/{mailed.id}/send", json={"to": ["kunde@example.de"]})
    assert r.status_code == 200, r.text
    message_id = r.json()["id"]
    job_id = await jobs.defer(db, "jobs.prune")
    r = await client.post(
        f"{API}/dunning/run", json={"invoice_ids": [str(mailed.id)], "channel": "print"}
    )
    assert r.status_code == 201, r.text
    letters = r.json()
    assert letters, "the world's issued invoice is due a reminder"
    r = await client.post(f"{API}/worktime/feed")
    assert r.status_code == 201, r.text
    feed_token = r.json()["url"].rsplit("/", 1)[1].removesuffix(".ics")
    session = await auth_service.start_session(db, admin.id)
    worked = (clock.today() - timedelta(days=3)).replace(day=1) + timedelta(days=2)
    await make_time_entry(
        db,
        other.id,
        project,
        start_time=datetime(worked.year, worked.month, worked.day, 6, tzinfo=UTC),
        end_time=datetime(worked.year, worked.month, worked.day, 13, tzinfo=UTC),
    )
    await break_service.sync(db, other.id, [worked])
    deduction_id = await db.scalar(
        select(BreakDeduction.id).where(BreakDeduction.employee_id == other.id)
    )
    assert deduction_id is not None
    ids = {
        "payment_id": await created(f"/invoices/{issued.id}/payments", {"amount": "2.00"}),
        "quote_id": await created(
            "/quotes", {"customer_id": str(customer.id), "title": "Angebot", "lines": [line()]}
        ),
        "spare_quote_id": await created(
            "/quotes", {"customer_id": str(customer.id), "title": "Angebot", "lines": [line()]}
        ),
        "template_id": await created(
            "/recurring-invoices",
            {
                "customer_id": str(customer.id),
                "title": "Wartung",
                "interval": "monthly",
                "first_date": (clock.today() + timedelta(days=30)).isoformat(),
                "lines": [line()],
            },
        ),
        "bill_id": await created("/supplier-bills", bill_body(supplier["id"])),
        "spare_bill_id": await created(
            "/supplier-bills", bill_body(supplier["id"], invoice_number="RE-2")
        ),
        "account_id": await created(
            "/bank-accounts", {"name": "Geschäftskonto", "iban": "DE89370400440532013000"}
        ),
        "spare_account_id": await created(
            "/bank-accounts", {"name": "Zweitkonto", "iban": "DE02120300000000202051"}
        ),
        "spare_iban_id": await created(
            "/customer-ibans",
            {"customer_id": str(customer.id), "iban": "DE02500105170137075030"},
        ),
        "spare_break_id": await created(
            "/worktime/breaks", {"start_time": later, "end_time": later[:14] + "20:00+00:00"}
        ),
        "spare_booking_id": await created(
            "/worktime/bookings",
            {
                "employee_id": str(admin.id),
                "account": "overtime",
                "kind": "correction",
                "day": "2026-03-02",
                "quantity": "1",
            },
        ),
    }
    # A bank statement with one incoming transfer that matches nothing (it waits for review),
    # and a received e-invoice (an official XRechnung example).
    statement = camt([bank_entry("12.34", "Spende ohne Rechnung", day=clock.today())])
    r = await bank_upload(client, ids["account_id"], statement)
    assert r.status_code in (200, 201), r.text
    imported = r.json()
    transaction = await db.scalar(
        select(BankTransaction).where(BankTransaction.amount == Decimal("12.34"))
    )
    assert transaction is not None, imported
    statement_row = await db.get(BankStatement, transaction.statement_id)
    assert statement_row is not None
    received = await upload_path(client, FIXTURES / "xrechnung" / "01.01a-INVOICE_uncefact.xml")
    assert received.status_code == 201, received.text
    w: dict[str, Any] = {
        "customer_id": customer.id,
        "spare_customer_id": spare_customer.id,
        "project_id": project.id,
        "spare_project_id": spare_project.id,
        "bare_project_id": bare_project.id,
        "contact_id": contact.id,
        "spare_contact_id": spare_contact.id,
        "entry_id": entry.id,
        "spare_entry_id": spare_entry.id,
        "invoice_id": issued.id,
        "draft_id": draft.id,
        "spare_draft_id": spare_draft.id,
        "cancellable_id": cancellable.id,
        "line_id": line_id,
        "department_id": department.id,
        "spare_department_id": spare_department.id,
        "employee_id": other.id,
        "spare_employee_id": spare_employee.id,
        "role_id": other.role_id,
        "spare_role_id": spare_role.id,
        "expense_id": expense.id,
        "spare_expense_id": spare_expense.id,
        "reminder_id": reminder.id,
        "spare_reminder_id": spare_reminder.id,
        "document_id": document.id,
        "spare_document_id": spare_document.id,
        "token_id": token.id,
        "absence_id": absence.id,
        "supplier_id": supplier["id"],
        "to_issue_id": to_issue.id,
        "newcomer_id": newcomer.id,
        "admin_id": admin.id,
        "contract_id": contract.id,
        "spare_contract_id": contract.id,
        **ids,
        "message_id": message_id,
        "job_id": job_id,
        "token": feed_token,
        "session_id": session.id,
        "deduction_id": deduction_id,
        "letter_id": letters[0]["id"],
        "transaction_id": transaction.id,
        "statement_id": statement_row.id,
        "file_id": statement_row.file_id,
        "incoming_id": received.json()["id"],
        "index": 0,
        "widget_id": "crm-stats",
        "syntax": "cii",
        "month": "2026-03",
        "week": "2026-W10",
        "purpose": "invoice",
        "language": "de",
    }
    return w


# Routes in the order they are called: reads first, then writes, deletions last (they use
# the spare objects). A value is the body (JSON), a callable of the world giving it, or
# absent for none.
def _requests() -> dict[str, Callable[[dict[str, Any]], Body] | Body]:
    def entry_times(w: dict[str, Any]) -> dict[str, Any]:
        start = monday() + timedelta(days=1, hours=1)
        return {
            "project_id": str(w["project_id"]),
            "start_time": start.isoformat(),
            "end_time": (start + timedelta(hours=1)).isoformat(),
        }

    period = f"from={(clock.today() - timedelta(days=40)).isoformat()}&to={clock.today()}"
    return {
        "GET /time-entries/reports": f"?{period}",
        "GET /time-entries/compliance": f"?{period}",
        "GET /exports/datev": f"?{period}",
        "GET /exports/invoice-archive": f"?{period}",
        "GET /incoming-invoices/archive": f"?{period}",
        "GET /vat-report": "?year=2026",
        "GET /worktime/holidays": "?year=2026",
        "GET /worktime/calendar": "?month=2026-03",
        "GET /worktime/breaks": f"?{period}",
        "GET /worktime/deductions": f"?{period}",
        "GET /worktime/days": f"?{period}",
        "GET /worktime/months": "?month=2026-03",
        "GET /worktime/closings": "?year=2026",
        "POST /auth/login": {"email": "nobody@example.de", "password": "not the password"},
        "POST /auth/tokens": {"name": "ci"},
        "POST /employees": {"firstname": "Neu", "lastname": "Person", "email": "np@example.de"},
        "POST /departments": {"name": "Neue Abteilung"},
        "POST /roles": {"name": "Neue Rolle", "permissions": {"crm": ["read"]}},
        "POST /customers": {"name": "Neu GmbH"},
        "POST /customers/{customer_id}/contacts": {"firstname": "Eva", "lastname": "Muster"},
        "POST /projects": lambda w: {"customer_id": str(w["customer_id"]), "title": "Neu"},
        "POST /projects/{project_id}/messages": {"message": "Hallo"},
        "POST /reminders": {"title": "Anrufen", "due_date": "2026-12-01"},
        "POST /time-entries/timer/start": lambda w: {"project_id": str(w["project_id"])},
        "POST /time-entries": entry_times,
        "POST /invoices": lambda w: draft_body(w["customer_id"]),
        "POST /invoices/from-time-entries": lambda w: {
            "project_id": str(w["project_id"]),
            "from": (clock.today() - timedelta(days=14)).isoformat(),
            "to": clock.today().isoformat(),
        },
        "POST /invoices/{invoice_id}/lines": line(),
        "PATCH /invoices/{invoice_id}/lines/{line_id}": {"quantity": "2"},
        "PATCH /invoices/{invoice_id}": {"note": "Danke"},
        "POST /invoices/{invoice_id}/credit-notes": {
            "lines": [{"description": "Nachlass", "net_amount": "1.00", "vat_rate": 19}]
        },
        "POST /invoices/{invoice_id}/payments": {"amount": "1.00"},
        "POST /bank-accounts": {"name": "Drittkonto", "iban": "DE75512108001245126199"},
        "POST /customer-ibans": lambda w: {
            "customer_id": str(w["customer_id"]),
            "iban": "DE12500105170648489890",
        },
        "POST /expenses": {"category": "material", "amount": "5.00"},
        "POST /suppliers": {"name": "Holz Meier KG", "city": "Bremen"},
        "POST /supplier-bills": lambda w: bill_body(w["supplier_id"], invoice_number="RE-3"),
        "POST /supplier-bills/{bill_id}/payments": {
            "amount": "1.00",
            "payment_date": "2026-03-12",
        },
        "POST /worktime/contracts": lambda w: {
            "employee_id": str(w["newcomer_id"]),
            "valid_from": "2026-01-01",
            "vacation_days": "30",
            "federal_state": "HH",
            "weekly_hours": "40",
        },
        "POST /worktime/absences": {
            "kind": "vacation",
            "start_date": "2026-04-07",
            "end_date": "2026-04-08",
        },
        "POST /worktime/breaks": lambda w: {
            "start_time": (monday() + timedelta(days=1, hours=3)).isoformat(),
            "end_time": (monday() + timedelta(days=1, hours=3, minutes=30)).isoformat(),
        },
        "POST /worktime/bookings": lambda w: {
            "employee_id": str(w["employee_id"]),
            "account": "vacation",
            "kind": "correction",
            "day": "2026-03-03",
            "quantity": "1",
        },
        "POST /quotes": lambda w: {
            "customer_id": str(w["customer_id"]),
            "title": "Angebot",
            "lines": [line()],
        },
        "POST /recurring-invoices": lambda w: {
            "customer_id": str(w["customer_id"]),
            "title": "Hosting",
            "interval": "monthly",
            "first_date": (clock.today() + timedelta(days=31)).isoformat(),
            "lines": [line()],
        },
        "PATCH /recurring-invoices/{template_id}": {"title": "Hosting neu"},
        "PATCH /quotes/{quote_id}": {"title": "Angebot neu"},
        "PATCH /supplier-bills/{bill_id}": {"category": "other"},
        "POST /worktime/lock": {"through": "2026-01"},
        "POST /worktime/months/{month}/approve": lambda w: {"employee_id": str(w["admin_id"])},
        "POST /worktime/months/{month}/return": lambda w: {
            "employee_id": str(w["admin_id"]),
            "comment": "Bitte prüfen",
        },
        "POST /worktime/months/{month}/reopen": lambda w: {
            "employee_id": str(w["admin_id"]),
            "reason": "Nachtrag",
        },
        "PUT /mail-templates/{purpose}/{language}": {"subject": "Ihre Rechnung", "body": "Hallo"},
        "POST /quotes/{quote_id}/down-payments": {"shares": ["30"]},
        "POST /dunning/run": lambda w: {"invoice_ids": [str(w["invoice_id"])]},
        "PUT /dunning/base-rates": {"valid_from": "2026-07-01", "rate": "1.27"},
        "PUT /auth/me/password": {
            "current_password": "not the password",
            "new_password": "a much longer new password 1",
        },
        "PUT /employees/{employee_id}/password": {"password": "a much longer new password 2"},
        "PATCH /bank-accounts/{account_id}": {"name": "Hauptkonto"},
        "PATCH /worktime/contracts/{contract_id}": {"vacation_days": "28"},
        "POST /worktime/deductions/{deduction_id}/reverse": {"reason": "Pause gemacht"},
        "POST /bank-transactions/{transaction_id}/confirm": lambda w: {
            "allocations": [{"invoice_id": str(w["invoice_id"]), "amount": "12.34"}]
        },
    }


# Which of the world's objects a route acts on, where it is not the one its path names.
OBJECT = {
    "POST /invoices/{invoice_id}/issue": {"invoice_id": "to_issue_id"},
    "POST /invoices/{invoice_id}/credit-note": {"invoice_id": "cancellable_id"},
    "DELETE /invoices/{invoice_id}": {"invoice_id": "spare_draft_id"},
    "DELETE /projects/{project_id}": {"project_id": "bare_project_id"},
    "DELETE /projects/{project_id}/members/{employee_id}": {"employee_id": "employee_id"},
    "DELETE /dunning/stops/customers/{customer_id}": {"customer_id": "customer_id"},
}


def url_of(path: str, w: dict[str, Any], method: str) -> str | None:
    """The path with the world's ids, or None when the world has no such object."""
    missing = False
    chosen = OBJECT.get(f"{method} {path.removeprefix(API)}", {})

    def fill(m: re.Match[str]) -> str:
        nonlocal missing
        name = m.group(1)
        if name in chosen:
            return str(w[chosen[name]])
        spare = f"spare_{name}"
        # A deletion takes a spare object: the one its path ends with.
        if method == "DELETE" and spare in w and path.endswith(m.group(0)):
            return str(w[spare])
        if name == "invoice_id" and (method in ("PATCH", "DELETE") or "/lines" in path):
            return str(w["draft_id"])
        if name in w:
            return str(w[name])
        missing = True
        return m.group(0)

    url = re.sub(r"\{(\w+)\}", fill, path)
    return None if missing else url


# (status, statements) as measured on make_world's company, in the order below; a route
# measured on its refusal says so (the refusal is the path the world reaches).
BOUNDS: dict[str, Bound] = {
    "GET /auth/me": (200, 3),
    "GET /auth/sessions": (200, 2),
    "GET /auth/tokens": (200, 2),
    "GET /employees": (200, 3),
    "GET /employees/{employee_id}": (200, 2),
    "GET /departments": (200, 3),
    "GET /departments/{department_id}": (200, 2),
    "GET /roles": (200, 3),
    "GET /roles/{role_id}": (200, 2),
    "GET /audit-log": (200, 3),
    "GET /customers": (200, 2),
    "GET /customers/export": (200, 2),
    "GET /customers/{customer_id}": (200, 2),
    "GET /customers/{customer_id}/contacts": (200, 3),
    "GET /customers/{customer_id}/contacts/{contact_id}": (200, 2),
    "GET /customers/{customer_id}/contacts/{contact_id}/gdpr-export": (200, 5),
    "GET /projects": (200, 3),
    "GET /projects/{project_id}": (200, 2),
    "GET /projects/{project_id}/overview": (200, 2),
    "GET /projects/{project_id}/members": (200, 3),
    "GET /projects/{project_id}/messages": (200, 3),
    "GET /reminders": (200, 3),
    "GET /reminders/{reminder_id}": (200, 2),
    "GET /time-entries/timer": (200, 2),
    "GET /time-entries/timers/stale": (200, 2),
    "GET /time-entries/reports": (200, 2),
    "GET /time-entries/timesheet": (200, 2),
    "GET /time-entries/compliance": (200, 2),
    "GET /time-entries": (200, 3),
    "GET /time-entries/{entry_id}": (200, 2),
    "GET /settings/company": (200, 2),
    "GET /invoices": (200, 3),
    "GET /invoices/statistics": (200, 5),
    "GET /invoices/{invoice_id}": (200, 2),
    "GET /invoices/{invoice_id}/dunning": (200, 3),
    "GET /invoices/{invoice_id}/pdf": (200, 11),
    # refused: invoice RE-T-04993a34 is issued; open its PDF
    "GET /invoices/{invoice_id}/preview.pdf": (409, 2),
    "GET /invoices/{invoice_id}/xrechnung": (200, 2),
    # refused: cannot produce an XRechnung, missing: buyer reference / Leitweg-ID (BT
    "GET /invoices/{invoice_id}/xrechnung/{syntax}": (409, 6),
    "GET /invoices/{invoice_id}/payments": (200, 3),
    "GET /bank-accounts": (200, 2),
    "GET /bank-accounts/csv-presets": (200, 1),
    "GET /bank-accounts/{account_id}": (200, 2),
    "GET /bank-statements": (200, 3),
    "GET /bank-statements/{statement_id}": (200, 3),
    "GET /bank-files/{file_id}/download": (200, 2),
    # the transactions' matches: one statement for the page
    "GET /bank-transactions": (200, 4),
    "GET /bank-transactions/{transaction_id}": (200, 4),
    "GET /bank-transactions/{transaction_id}/candidates": (200, 3),
    "GET /customer-ibans": (200, 2),
    "GET /expenses": (200, 3),
    "GET /expenses/totals": (200, 2),
    "GET /expenses/{expense_id}": (200, 2),
    "GET /documents": (200, 3),
    "GET /documents/{document_id}": (200, 2),
    "GET /documents/{document_id}/download": (200, 2),
    "GET /dashboards/me": (200, 2),
    "GET /dashboards/widgets": (200, 1),
    "GET /dashboards/widgets/{widget_id}": (200, 2),
    "GET /dashboards/{employee_id}": (200, 3),
    "GET /exports/datev": (200, 6),
    "GET /exports/invoice-archive": (200, 2),
    "GET /incoming-invoices": (200, 3),
    "GET /incoming-invoices/archive": (200, 2),
    "GET /incoming-invoices/rules": (200, 1),
    "GET /incoming-invoices/{incoming_id}": (200, 3),
    "GET /incoming-invoices/{incoming_id}/original": (200, 2),
    "GET /incoming-invoices/{incoming_id}/xml": (200, 2),
    # refused: attachment not found (the example carries none)
    "GET /incoming-invoices/{incoming_id}/attachments/{index}": (404, 2),
    "GET /suppliers": (200, 3),
    "GET /suppliers/{supplier_id}": (200, 2),
    "GET /supplier-bills": (200, 4),
    "GET /supplier-bills/{bill_id}": (200, 4),
    "GET /supplier-bills/{bill_id}/payments": (200, 3),
    "GET /vat-report": (200, 4),
    "GET /worktime/settings": (200, 2),
    "GET /worktime/contracts": (200, 2),
    "GET /worktime/holidays": (200, 4),
    "GET /worktime/absences": (200, 7),
    "GET /worktime/absences/{absence_id}": (200, 6),
    "GET /worktime/vacation": (200, 17),
    "GET /worktime/calendar": (200, 8),
    "GET /worktime/timer/pause": (200, 2),
    "GET /worktime/breaks": (200, 2),
    "GET /worktime/deductions": (200, 2),
    "GET /worktime/days": (200, 12),
    "GET /worktime/weeks/{week}": (200, 12),
    "GET /worktime/balance": (200, 11),
    "GET /worktime/months": (200, 14),
    "GET /worktime/closings": (200, 2),
    "GET /worktime/months/{month}": (200, 14),
    "GET /worktime/months/{month}/sheet.pdf": (200, 14),
    "GET /worktime/months/{month}/sheet.csv": (200, 14),
    "GET /worktime/payroll/{month}.csv": (200, 23),
    "GET /worktime/bookings": (200, 2),
    # refused: calendar feed not found
    "GET /worktime/feed": (200, 2),
    "GET /worktime/feed/{token}.ics": (200, 2),
    "GET /jobs": (200, 2),
    "GET /jobs/counts": (200, 2),
    "GET /jobs/{job_id}": (200, 2),
    "GET /invoices/{invoice_id}/dispatches": (200, 3),
    "GET /invoices/{invoice_id}/messages": (200, 2),
    # the waiting e-mail's attachments: one statement for all messages
    "GET /outbox": (200, 4),
    "GET /outbox/{message_id}": (200, 3),
    "GET /mail-templates": (200, 13),
    "GET /quotes": (200, 3),
    "GET /quotes/{quote_id}": (200, 5),
    # refused: a draft quote has no document yet; issue it first
    "GET /quotes/{quote_id}/pdf": (409, 2),
    "GET /recurring-invoices": (200, 7),
    "GET /recurring-invoices/{template_id}": (200, 5),
    "GET /dunning/proposals": (200, 4),
    "GET /dunning/letters": (200, 2),
    "GET /dunning/letters/{letter_id}/pdf": (200, 3),
    "GET /dunning/base-rates": (200, 2),
    # refused: wrong email or password
    "POST /auth/login": (401, 7),
    "POST /auth/logout": (204, 1),
    "PATCH /auth/me": (200, 5),
    # refused: current_password is wrong
    "PUT /auth/me/password": (422, 2),
    # refused: creating an API token needs a login with your password (a web session)
    "POST /auth/tokens": (403, 1),
    "POST /employees": (201, 7),
    "PATCH /employees/{employee_id}": (200, 4),
    "PUT /employees/{employee_id}/password": (204, 7),
    # the link, and its e-mail queued in the outbox with its delivery job and audit rows
    "POST /employees/{employee_id}/invitation": (201, 11),
    "POST /departments": (201, 5),
    "PATCH /departments/{department_id}": (200, 3),
    "POST /roles": (201, 5),
    "PATCH /roles/{role_id}": (200, 3),
    "POST /customers": (201, 4),
    # refused: file: Field required
    "POST /customers/import": (422, 1),
    "PATCH /customers/{customer_id}": (200, 3),
    "POST /customers/{customer_id}/archive": (200, 4),
    "POST /customers/{customer_id}/unarchive": (200, 4),
    # refused: only B2C customers are persons; anonymise the contact persons instead
    "POST /customers/{customer_id}/anonymize": (409, 2),
    "POST /customers/{customer_id}/contacts": (201, 4),
    "PATCH /customers/{customer_id}/contacts/{contact_id}": (200, 3),
    "POST /customers/{customer_id}/contacts/{contact_id}/anonymize": (200, 4),
    "POST /projects": (201, 4),
    "PATCH /projects/{project_id}": (200, 3),
    "PUT /projects/{project_id}/members/{employee_id}": (204, 5),
    "POST /projects/{project_id}/messages": (201, 6),
    "POST /reminders": (201, 3),
    "PATCH /reminders/{reminder_id}": (200, 3),
    "POST /reminders/{reminder_id}/done": (200, 4),
    "POST /reminders/{reminder_id}/undone": (200, 4),
    "POST /time-entries/timer/start": (201, 4),
    "POST /time-entries/timer/stop": (200, 7),
    "POST /time-entries": (201, 9),
    "PATCH /time-entries/{entry_id}": (200, 10),
    "PUT /settings/company": (200, 5),
    # refused: file: Field required
    "PUT /settings/company/logo": (422, 1),
    "POST /invoices": (201, 14),
    "POST /invoices/from-time-entries": (201, 18),
    "PATCH /invoices/{invoice_id}": (200, 11),
    "POST /invoices/{invoice_id}/lines": (201, 12),
    "PATCH /invoices/{invoice_id}/lines/{line_id}": (200, 12),
    "POST /invoices/{invoice_id}/issue": (200, 22),
    "POST /invoices/{invoice_id}/credit-note": (201, 24),
    # the per-line check reads what earlier partial notes credited of each line
    "POST /invoices/{invoice_id}/credit-notes": (201, 26),
    "POST /invoices/{invoice_id}/payments": (201, 4),
    "POST /bank-accounts": (201, 4),
    "PATCH /bank-accounts/{account_id}": (200, 5),
    # refused: send the file as multipart/form-data with a boundary
    "POST /bank-statements": (415, 4),
    "POST /bank-transactions/{transaction_id}/confirm": (200, 15),
    "POST /bank-transactions/{transaction_id}/undo": (200, 16),
    "POST /bank-transactions/{transaction_id}/ignore": (200, 8),
    "POST /bank-transactions/{transaction_id}/unignore": (200, 11),
    # the waiting transaction is matched again
    "POST /bank-matching/run": (200, 4),
    "POST /customer-ibans": (201, 5),
    "POST /expenses": (201, 4),
    "PATCH /expenses/{expense_id}": (200, 4),
    # refused: send the file as multipart/form-data with a boundary
    "POST /documents": (415, 4),
    "PATCH /documents/{document_id}": (200, 4),
    "PUT /dashboards/me": (200, 4),
    "PUT /dashboards/{employee_id}": (200, 5),
    # refused: send the file as multipart/form-data with a boundary
    "POST /incoming-invoices": (415, 4),
    "POST /incoming-invoices/recheck": (202, 2),
    # refused: the invoice is booked already (booked at once on receipt)
    "POST /incoming-invoices/{incoming_id}/book": (409, 2),
    "POST /suppliers": (201, 6),
    "PATCH /suppliers/{supplier_id}": (200, 4),
    "POST /customers/{customer_id}/supplier": (200, 5),
    "POST /suppliers/{supplier_id}/customer": (200, 5),
    "POST /supplier-bills": (201, 10),
    "PATCH /supplier-bills/{bill_id}": (200, 7),
    "POST /supplier-bills/{bill_id}/payments": (201, 5),
    "PATCH /worktime/settings": (200, 3),
    "POST /worktime/lock": (200, 6),
    # refused: month 2026-01 of this employee is closed; a manager must reopen it fir
    "POST /worktime/contracts": (409, 5),
    # refused: month 2020-01 of this employee is closed; a manager must reopen it fir
    "PATCH /worktime/contracts/{contract_id}": (409, 5),
    # the request notice looks up who decides it (none here: nothing queued)
    "POST /worktime/absences": (201, 24),
    # the absence notice: who decides, the e-mail queued with its job and audit rows
    "POST /worktime/absences/{absence_id}/approve": (200, 36),
    # refused: the absence is approved already
    "POST /worktime/absences/{absence_id}/decline": (409, 4),
    # refused: an absence that has begun is cancelled by a manager
    "POST /worktime/absences/{absence_id}/cancel": (403, 4),
    # refused: no timer is running; start one before pausing
    "POST /worktime/timer/pause": (409, 4),
    # refused: no pause is running
    "POST /worktime/timer/resume": (409, 3),
    "POST /worktime/breaks": (201, 9),
    "POST /worktime/deductions/{deduction_id}/reverse": (200, 6),
    "POST /worktime/deductions/{deduction_id}/restore": (200, 6),
    "POST /worktime/months/{month}/submit": (200, 13),
    "POST /worktime/months/{month}/approve": (200, 21),
    # refused: month 2026-03 is approved; only a submitted month can be sent back
    "POST /worktime/months/{month}/return": (409, 3),
    "POST /worktime/months/{month}/reopen": (200, 7),
    "POST /worktime/bookings": (201, 5),
    "POST /worktime/feed": (201, 4),
    # refused: only a failed job can be retried; this one is todo
    "POST /jobs/{job_id}/retry": (409, 2),
    "POST /invoices/{invoice_id}/send": (200, 13),
    "POST /invoices/{invoice_id}/sent-by-post": (201, 5),
    # refused: no mail server configured
    "POST /outbox/{message_id}/send": (409, 2),
    "POST /outbox/{message_id}/cancel": (200, 5),
    "PUT /mail-templates/{purpose}/{language}": (200, 4),
    "POST /quotes": (201, 12),
    "PATCH /quotes/{quote_id}": (200, 8),
    "POST /quotes/{quote_id}/issue": (200, 10),
    "POST /quotes/{quote_id}/accept": (200, 7),
    # refused: only a sent quote can be declined; this one is accepted
    "POST /quotes/{quote_id}/decline": (409, 2),
    "POST /quotes/{quote_id}/send": (200, 17),
    "POST /quotes/{quote_id}/invoice": (201, 24),
    "POST /quotes/{quote_id}/down-payments": (201, 25),
    # refused: issue or delete the draft down-payment invoices first
    "POST /quotes/{quote_id}/final-invoice": (409, 4),
    "POST /recurring-invoices": (201, 10),
    "PATCH /recurring-invoices/{template_id}": (200, 8),
    "POST /recurring-invoices/{template_id}/pause": (200, 8),
    "POST /recurring-invoices/{template_id}/resume": (200, 8),
    "POST /recurring-invoices/{template_id}/end": (200, 8),
    "POST /dunning/run": (201, 18),
    "PUT /dunning/stops/customers/{customer_id}": (204, 5),
    "PUT /dunning/stops/invoices/{invoice_id}": (204, 5),
    "PUT /dunning/base-rates": (200, 4),
    "DELETE /auth/sessions/{session_id}": (204, 3),
    "DELETE /auth/tokens/{token_id}": (204, 3),
    "DELETE /employees/{employee_id}": (204, 7),
    "DELETE /departments/{department_id}": (204, 4),
    "DELETE /roles/{role_id}": (204, 5),
    "DELETE /customers/{customer_id}": (204, 6),
    "DELETE /customers/{customer_id}/contacts/{contact_id}": (204, 4),
    "DELETE /projects/{project_id}": (204, 5),
    "DELETE /projects/{project_id}/members/{employee_id}": (204, 4),
    "DELETE /reminders/{reminder_id}": (204, 4),
    "DELETE /time-entries/{entry_id}": (204, 10),
    "DELETE /invoices/{invoice_id}": (204, 4),
    "DELETE /invoices/{invoice_id}/lines/{line_id}": (200, 12),
    "DELETE /payments/{payment_id}": (204, 6),
    "DELETE /bank-accounts/{account_id}": (204, 5),
    "DELETE /customer-ibans/{iban_id}": (204, 4),
    "DELETE /expenses/{expense_id}": (204, 4),
    "DELETE /documents/{document_id}": (204, 8),
    "DELETE /supplier-bills/{bill_id}": (204, 4),
    # refused: month 2020-01 of this employee is closed; a manager must reopen it fir
    "DELETE /worktime/contracts/{contract_id}": (409, 5),
    "DELETE /worktime/breaks/{break_id}": (204, 10),
    "DELETE /worktime/bookings/{booking_id}": (204, 6),
    "DELETE /worktime/feed": (204, 3),
    "DELETE /quotes/{quote_id}": (204, 4),
    "DELETE /dunning/stops/customers/{customer_id}": (204, 5),
    "DELETE /dunning/stops/invoices/{invoice_id}": (204, 4),
}


def api_routes(app: Any) -> list[tuple[str, str]]:
    return [
        (method, path)
        for path, route, _ in app_routes()
        if path.startswith(API) and isinstance(route, APIRoute)
        for method in sorted(route.methods or ())
    ]


async def test_every_api_route_has_a_bound(app: Any) -> None:
    """A new route needs its entry in BOUNDS (measured, elsewhere, or a named gap)."""
    routes = {f"{m} {p.removeprefix(API)}" for m, p in api_routes(app)}
    assert sorted(routes - BOUNDS.keys()) == [], "add these routes to BOUNDS"
    assert sorted(BOUNDS.keys() - routes) == [], "these routes are gone; drop them"


async def test_each_route_stays_within_its_bound(
    app: Any,
    as_admin: httpx.AsyncClient,
    admin: Employee,
    db: AsyncSession,
    engine: AsyncEngine,
    files_settings: Settings,
) -> None:
    """Each measured route, called once on the world: the same answer, at most its statements."""
    w = await make_world(db, admin, as_admin)
    await as_admin.get(f"{API}/auth/me")  # a token's first use also records it
    order = {"GET": 0, "POST": 1, "PUT": 1, "PATCH": 1, "DELETE": 2}
    routes = sorted(api_routes(app), key=lambda r: order[r[0]])
    bodies = _requests()
    over: dict[str, Any] = {}
    for method, path in routes:
        key = f"{method} {path.removeprefix(API)}"
        bound = BOUNDS.get(key)
        url = url_of(path, w, method)
        if not isinstance(bound, tuple) or url is None:
            continue
        spec = bodies.get(key)
        body = spec(w) if callable(spec) else spec
        if isinstance(body, str):
            url, body = url + body, None
        with count_statements(engine) as seen:
            r = await as_admin.request(
                method, url, json=body if body is not None or method == "GET" else {}
            )
        statements = application_statements(seen)
        if r.status_code != bound[0] or len(statements) > bound[1]:
            over[key] = (r.status_code, len(statements), bound, r.text[:200], statements)
    # Status, statements and bound first, for every route over; then the statements.
    summary = [f"{k}: {v[0]}, {v[1]} (bound {v[2]}) {v[3][:100]!r}" for k, v in over.items()]
    assert not over, "\n".join([*summary, repr(over)])
    measured = sum(isinstance(b, tuple) for b in BOUNDS.values())
    assert measured == len(BOUNDS), [k for k, b in BOUNDS.items() if not isinstance(b, tuple)]

"""Every form, given bad input by a German user, answers in German next to the field: no
English validation texts, no regular expressions, German number formats."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.invoicing import make_company_settings
from tests.factories.records import make_customer, make_project

# Words of pydantic's, the services' and PostgreSQL's English that must never reach a page.
ENGLISH = re.compile(
    r"\b(should|must|cannot|exceeds?|missing|already|invalid|not a valid|is required|"
    r"field required|input|value error|string|pattern|overlaps|does not exist|not found|"
    r"uuid|violates|constraint)\b",
    re.IGNORECASE,
)
REGEX = re.compile(r"\^\[|\]\{\d|\$'|\\d")
MESSAGE = re.compile(
    r'<p class="(?:field-error|error)"[^>]*>(.*?)</p>|<p[^>]*role="alert"[^>]*>(.*?)</p>', re.S
)


def messages(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", a or b).strip() for a, b in MESSAGE.findall(html)]


def assert_german(response: httpx.Response) -> list[str]:
    assert response.status_code < 500, response.text[:500]
    found = messages(response.text)
    assert found, f"no message shown ({response.status_code})"
    for text in found:
        assert not ENGLISH.search(text), text
        assert not REGEX.search(text), text
    return found


@pytest.fixture
async def world(db: AsyncSession, admin: Any) -> dict[str, Any]:
    customer = await make_customer(db)
    project = await make_project(db, customer_id=customer.id)
    return {"customer": customer, "project": project}


FORMS: list[tuple[str, str, dict[str, str]]] = [
    ("customer: empty name, bad email", "/customers/new", {"name": "", "email": "kein-email"}),
    ("customer: country pattern", "/customers/new", {"name": "X", "country": "deu"}),
    (
        "customer: tax id and phone",
        "/customers/new",
        {"name": "X", "tax_id": "123", "phone": "abc"},
    ),
    ("company: iban, bic, vat id", "/admin/company", {"iban": "DE00", "bic": "x", "vat_id": "1"}),
    (
        "company: number and country",
        "/admin/company",
        {"payment_terms_days": "viele", "country": "d"},
    ),
    ("company: legal form", "/admin/company", {"legal_form": "llc"}),
    ("employee: email", "/admin/employees/new", {"firstname": "A", "lastname": "B", "email": "x"}),
    ("department: empty", "/admin/departments", {"name": ""}),
    (
        "expense: amount",
        "/expenses",
        {"category": "material", "amount": "zwölf", "expense_date": ""},
    ),
    (
        "expense: negative",
        "/expenses",
        {"category": "material", "amount": "-5", "expense_date": "2026-03-01"},
    ),
    ("reminder: empty", "/reminders", {"title": "", "due_date": "morgen"}),
    ("bank account: iban", "/banking/accounts", {"name": "Konto", "iban": "DE00 0000"}),
    (
        "invoice from time: nothing",
        "/invoices/from-time",
        {"project_id": "", "from": "x", "to": ""},
    ),
    (
        "time: no project",
        "/time/new",
        {"project_id": "", "date": "2026-03-02", "start": "09:00", "end": "08:00"},
    ),
]


@pytest.mark.parametrize(("name", "url", "data"), FORMS, ids=[f[0] for f in FORMS])
async def test_form_refusals_read_german(
    web_admin: httpx.AsyncClient, world: dict[str, Any], name: str, url: str, data: dict[str, str]
) -> None:
    assert_german(await web_admin.post(url, data=data))


async def test_project_dates_and_time_overlap_read_german(
    web_admin: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    customer, project = world["customer"], world["project"]
    assert_german(
        await web_admin.post(
            "/projects/new",
            data={
                "customer_id": str(customer.id),
                "title": "P",
                "start_date": "2026-03-10",
                "end_date": "2026-03-01",
                "hourly_rate": "neunzig",
            },
        )
    )
    entry = {"project_id": str(project.id), "date": "2026-03-02", "start": "09:00", "end": "12:00"}
    assert (await web_admin.post("/time/new", data=entry)).status_code == 303
    overlap = {**entry, "start": "10:00", "end": "11:00"}
    found = assert_german(await web_admin.post("/time/new", data=overlap))
    assert any("überschneidet" in t for t in found), found


async def test_payment_beyond_the_open_amount_in_german_numbers(
    web_admin: httpx.AsyncClient, as_manager: httpx.AsyncClient, db: AsyncSession
) -> None:
    from tests.factories.invoicing import draft_body, line

    await make_company_settings(db)
    customer = await make_customer(db)
    draft = await as_manager.post("/api/v1/invoices", json=draft_body(customer.id, line("1000.00")))
    invoice_id = draft.json()["id"]
    assert (await as_manager.post(f"/api/v1/invoices/{invoice_id}/issue")).status_code == 200
    r = await web_admin.post(
        f"/invoices/{invoice_id}/payments", data={"amount": "5000", "payment_date": ""}
    )
    found = assert_german(r)
    assert any("5.000,00" in t and "1.190,00" in t for t in found), found


async def test_issue_without_company_data_lists_what_is_missing_in_german(
    web_admin: httpx.AsyncClient, as_manager: httpx.AsyncClient, db: AsyncSession
) -> None:
    from tests.factories.invoicing import draft_body

    customer = await make_customer(db)
    draft = await as_manager.post("/api/v1/invoices", json=draft_body(customer.id))
    found = assert_german(await web_admin.post(f"/invoices/{draft.json()['id']}/issue"))
    assert any("Firmendaten: Firmenname" in t and "Bankverbindung" in t for t in found), found


async def test_the_api_keeps_english_and_a_stable_code(as_manager: httpx.AsyncClient) -> None:
    r = await as_manager.post("/api/v1/customers", json={"name": "X", "country": "deu"})
    assert r.status_code == 422
    assert r.json()["error"] == "ValidationError"
    assert "country" in r.json()["detail"]

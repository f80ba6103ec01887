"""Pages render for a logged-in user, send anonymous visitors to the login page, speak German
and English, and hide what a role may not see."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from workmate.models import Employee

PAGES = ["/", "/customers", "/customers/new"]


@pytest.mark.parametrize("path", PAGES)
async def test_anonymous_visitor_is_sent_to_login(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


async def test_login_redirect_remembers_the_page(client: httpx.AsyncClient) -> None:
    response = await client.get("/customers?q=abc")
    assert response.headers["location"] == "/login?next=%2Fcustomers%3Fq%3Dabc"


async def test_api_errors_stay_json(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/auth/me")
    assert response.status_code == 401
    assert response.json()["error"] == "Unauthorized"


@pytest.mark.parametrize("path", PAGES)
async def test_pages_render_for_admin(web_admin: httpx.AsyncClient, path: str) -> None:
    response = await web_admin.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert '<html lang="de"' in response.text
    assert "default-src 'self'" in response.headers["content-security-policy"]


async def test_navigation_follows_permissions(
    web_admin: httpx.AsyncClient, web_employee: httpx.AsyncClient
) -> None:
    admin_page = (await web_admin.get("/")).text
    employee_page = (await web_employee.get("/")).text
    assert 'href="/admin"' in admin_page
    assert 'href="/invoices"' in admin_page
    assert 'href="/admin"' not in employee_page
    assert 'href="/invoices"' not in employee_page
    assert 'href="/customers"' in employee_page


async def test_missing_permission_is_a_403_page(web_employee: httpx.AsyncClient) -> None:
    response = await web_employee.get("/customers/new")
    assert response.status_code == 403
    assert "Zugriff verweigert" in response.text


async def test_unknown_page_is_a_404_page(web_admin: httpx.AsyncClient) -> None:
    response = await web_admin.get("/no-such-page")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "Seite nicht gefunden" in response.text


async def test_german_is_the_default(web_admin: httpx.AsyncClient) -> None:
    text = (await web_admin.get("/customers")).text
    assert "Kunden" in text
    assert "Abmelden" in text


async def test_english_per_employee(
    app: object, db: AsyncSession, admin: Employee, web_admin: httpx.AsyncClient
) -> None:
    response = await web_admin.post(
        "/preferences/locale", data={"locale": "en", "next": "/customers"}
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/customers"
    text = (await web_admin.get("/customers")).text
    assert '<html lang="en"' in text
    assert "Customers" in text
    assert "Log out" in text


async def test_static_files_are_public(client: httpx.AsyncClient) -> None:
    css = await client.get("/static/app.css")
    assert css.status_code == 200
    assert "text/css" in css.headers["content-type"]
    assert (await client.get("/static/../pages.py")).status_code == 404
    assert (await client.get("/static/%2e%2e/pages.py")).status_code == 404


MORE_PAGES = [
    "/projects",
    "/projects/new",
    "/reminders",
    "/expenses",
    "/time/report",
    "/time/new",
    "/admin/company",
    "/admin/audit",
    "/time",
    "/time?week=2026-W10",
    "/invoices",
    "/invoices?status=overdue",
    "/admin",
]


@pytest.mark.parametrize("path", MORE_PAGES)
async def test_more_pages_render_for_admin(web_admin: httpx.AsyncClient, path: str) -> None:
    response = await web_admin.get(path)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("path", ["/admin", "/admin?q=x"])
async def test_manager_gets_403_on_admin_pages(web_manager: httpx.AsyncClient, path: str) -> None:
    response = await web_manager.get(path)
    assert response.status_code == 403
    assert 'href="/admin"' not in response.text


async def test_manager_sees_invoices_but_not_admin(web_manager: httpx.AsyncClient) -> None:
    text = (await web_manager.get("/")).text
    assert 'href="/invoices"' in text
    assert 'href="/admin"' not in text


async def test_unexpected_error_is_a_page_without_details(
    app: Any, db: AsyncSession, admin: Employee, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.factories.identity import session_client
    from workmate.customers.service import customer_service

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(customer_service, "list", broken)
    client = await session_client(app, db, admin)
    # Let the server's own 500 answer through instead of re-raising it in the test.
    client._transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with client:
        response = await client.get("/customers")
    assert response.status_code == 500
    assert "text/html" in response.headers["content-type"]
    assert "secret internals" not in response.text
    assert "Etwas ist schiefgegangen" in response.text

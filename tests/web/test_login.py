"""Web login: the form, the session cookie, wrong passwords, the brute-force limit, logout."""

from __future__ import annotations

import re

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.identity import PASSWORD, make_employee
from workmate.auth.deps import SESSION_COOKIE
from workmate.config import get_settings
from workmate.models import Employee


async def login_form(client: httpx.AsyncClient, path: str = "/login") -> str:
    """Open the login page like a browser; returns the form's CSRF token."""
    page = await client.get(path)
    assert page.status_code == 200
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match
    return match[1]


async def test_login_opens_a_session_and_goes_on(
    client: httpx.AsyncClient, db: AsyncSession, employee: Employee
) -> None:
    token = await login_form(client, "/login?next=/customers")
    response = await client.post(
        "/login",
        data={
            "email": employee.email.upper(),
            "password": PASSWORD,
            "csrf_token": token,
            "next": "/customers",
        },
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/customers"
    cookie = response.headers["set-cookie"]
    assert f"{SESSION_COOKIE}=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    dashboard = await client.get("/")
    assert dashboard.status_code == 200
    assert employee.email in dashboard.text


async def test_wrong_password_shows_a_message(
    client: httpx.AsyncClient, db: AsyncSession, employee: Employee
) -> None:
    await db.commit()  # a failed login rolls the request back; the employee must survive it
    token = await login_form(client)
    response = await client.post(
        "/login", data={"email": employee.email, "password": "wrong", "csrf_token": token}
    )
    assert response.status_code == 401
    assert "E-Mail-Adresse oder Passwort ist falsch." in response.text
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")


async def test_login_without_the_form_token_is_refused(
    client: httpx.AsyncClient, employee: Employee
) -> None:
    response = await client.post(
        "/login", data={"email": employee.email, "password": PASSWORD, "csrf_token": "forged"}
    )
    assert response.status_code == 400
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")


async def test_brute_force_is_stopped_with_a_message(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    victim = (await make_employee(db)).email
    await db.commit()
    token = await login_form(client)
    limit = get_settings().login_max_failures_per_account
    for _ in range(limit):
        response = await client.post(
            "/login", data={"email": victim, "password": "nope", "csrf_token": token}
        )
        assert response.status_code == 401
        token = re.search(r'name="csrf_token" value="([^"]+)"', response.text)[1]  # type: ignore[index]
    response = await client.post(
        "/login", data={"email": victim, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 429
    assert "Retry-After" in response.headers
    assert "Zu viele fehlgeschlagene Versuche" in response.text


async def test_next_never_leaves_the_site(client: httpx.AsyncClient, employee: Employee) -> None:
    token = await login_form(client)
    response = await client.post(
        "/login",
        data={
            "email": employee.email,
            "password": PASSWORD,
            "csrf_token": token,
            "next": "//evil.example/",
        },
    )
    assert response.headers["location"] == "/"


async def test_logout_ends_the_session(web_admin: httpx.AsyncClient) -> None:
    response = await web_admin.post("/logout")
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    again = await web_admin.get("/")
    assert again.status_code == 303


async def test_logout_needs_the_csrf_token(web_admin: httpx.AsyncClient, db: AsyncSession) -> None:
    await db.commit()  # the refusal rolls its request back; the session must outlive that
    web_admin.headers.pop("X-CSRF-Token")
    response = await web_admin.post("/logout")
    assert response.status_code == 403
    assert (await web_admin.get("/")).status_code == 200


async def test_login_page_in_english(client: httpx.AsyncClient) -> None:
    response = await client.get("/login?lang=en")
    assert response.status_code == 303
    page = await client.get("/login")
    assert '<html lang="en"' in page.text
    assert "Password" in page.text

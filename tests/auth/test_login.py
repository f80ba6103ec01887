"""Login, logout, CSRF and rate limits through the API."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.identity import PASSWORD, make_employee
from workmate.auth.deps import CSRF_HEADER, SESSION_COOKIE
from workmate.auth.service import auth_service
from workmate.config import get_settings
from workmate.errors import TooManyRequests, Unauthorized
from workmate.models import AuditLog, Employee, LoginAttempt

LOGIN = "/api/v1/auth/login"


async def login(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await client.post(LOGIN, json={"email": email, "password": password})


class TestLogin:
    async def test_right_password_sets_an_httponly_lax_cookie_and_returns_csrf_token(
        self, client: httpx.AsyncClient, employee: Employee
    ) -> None:
        r = await login(client, employee.email.upper(), PASSWORD)
        assert r.status_code == 200
        body = r.json()
        assert body["employee"]["id"] == str(employee.id)
        assert body["employee"]["role_name"] == "Employee"
        assert body["csrf_token"]
        cookie = r.headers["set-cookie"]
        assert cookie.startswith(f"{SESSION_COOKIE}=")
        assert "HttpOnly" in cookie
        assert "samesite=lax" in cookie.lower()
        assert "$argon2" not in r.text
        me = await client.get("/api/v1/auth/me")
        assert me.status_code == 200
        assert me.json()["email"] == employee.email

    async def test_secure_cookie_when_configured(
        self, client: httpx.AsyncClient, employee: Employee, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(get_settings(), "cookie_secure", True)
        r = await login(client, employee.email, PASSWORD)
        assert "Secure" in r.headers["set-cookie"]

    async def test_unknown_email_and_wrong_password_answer_identically(
        self, client: httpx.AsyncClient, employee: Employee
    ) -> None:
        email = employee.email  # a failed request's rollback expires loaded objects
        unknown = await login(client, "nobody@example.de", PASSWORD)
        wrong = await login(client, email, "not the password at all")
        assert unknown.status_code == wrong.status_code == 401
        assert unknown.json() == wrong.json()
        assert unknown.json()["detail"] == "wrong email or password"
        skip = {"date", "content-length", "x-request-id"}  # per request
        assert {k: v for k, v in unknown.headers.items() if k not in skip} == {
            k: v for k, v in wrong.headers.items() if k not in skip
        }

    async def test_deactivated_employee_gets_the_same_answer(
        self, client: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        gone = await make_employee(db, is_active=False)
        r = await login(client, gone.email, PASSWORD)
        assert r.status_code == 401
        assert r.json()["detail"] == "wrong email or password"

    async def test_failures_and_successes_are_audited_and_counted(
        self, client: httpx.AsyncClient, db: AsyncSession, employee: Employee
    ) -> None:
        email, employee_id = employee.email, employee.id
        await login(client, email, "wrong password!!")
        await login(client, email, PASSWORD)
        actions = (
            await db.scalars(
                select(AuditLog.action)
                .where(AuditLog.entity_id == str(employee_id))
                .order_by(AuditLog.id)
            )
        ).all()
        assert actions == ["login_failed", "login"]
        attempts = (
            await db.execute(
                select(LoginAttempt.success).where(LoginAttempt.email == email.lower())
            )
        ).scalars()
        assert sorted(attempts) == [False, True]

    async def test_service_raises_unauthorized_keeping_the_counted_failure(
        self, db: AsyncSession, employee: Employee
    ) -> None:
        with pytest.raises(Unauthorized) as caught:
            await auth_service.login(
                db, employee.email, "nope nope nope", client_addr="10.0.0.1", user_agent=None
            )
        # The failure is written in the transaction that holds the rate-limit locks, and that
        # transaction commits although the request fails: no parallel attempt can miss it.
        assert caught.value.commit
        stored = await db.scalar(
            select(func.count())
            .select_from(LoginAttempt)
            .where(LoginAttempt.client_addr == "10.0.0.1", LoginAttempt.success.is_(False))
        )
        assert stored == 1
        audited = await db.scalar(
            select(func.count()).select_from(AuditLog).where(AuditLog.action == "login_failed")
        )
        assert audited


class TestRateLimit:
    async def test_brute_force_on_one_account_gets_429_with_retry_after(
        self, client: httpx.AsyncClient, employee: Employee, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(get_settings(), "login_max_failures_per_account", 3)
        email = employee.email
        for _ in range(3):
            assert (await login(client, email, "wrong guess 123")).status_code == 401
        blocked = await login(client, email, "wrong guess 123")
        assert blocked.status_code == 429
        retry = int(blocked.headers["retry-after"])
        assert 0 < retry <= get_settings().login_window_seconds
        # Even the right password waits: the lock must not tell a guess is right.
        assert (await login(client, email, PASSWORD)).status_code == 429

    async def test_unknown_emails_are_limited_the_same_way(
        self, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(get_settings(), "login_max_failures_per_account", 2)
        for _ in range(2):
            assert (await login(client, "ghost@example.de", "whatever12345")).status_code == 401
        assert (await login(client, "ghost@example.de", "whatever12345")).status_code == 429

    async def test_one_address_trying_many_accounts_gets_429(
        self, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(get_settings(), "login_max_failures_per_address", 3)
        for n in range(3):
            assert (await login(client, f"spray{n}@example.de", "password123")).status_code == 401
        r = await login(client, "spray-next@example.de", "password123")
        assert r.status_code == 429
        assert "retry-after" in r.headers

    async def test_limit_is_counted_in_the_database(
        self, db: AsyncSession, employee: Employee, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Failures stored by any process count: rows alone trigger the limit."""
        monkeypatch.setattr(get_settings(), "login_max_failures_per_account", 2)
        email = employee.email.lower()
        original = employee.email
        db.add_all(
            [LoginAttempt(email=email, client_addr="192.0.2.1", success=False) for _ in range(2)]
        )
        await db.flush()
        with pytest.raises(TooManyRequests):
            await auth_service.login(
                db, original, PASSWORD, client_addr="198.51.100.7", user_agent=None
            )
        count = await db.scalar(
            select(func.count()).select_from(LoginAttempt).where(LoginAttempt.email == email)
        )
        assert count == 2


class TestLogoutAndCsrf:
    async def _browser(self, client: httpx.AsyncClient, who: Employee) -> dict[str, Any]:
        r = await login(client, who.email, PASSWORD)
        assert r.status_code == 200
        return dict(r.json())

    async def test_cookie_post_without_csrf_header_is_403(
        self, client: httpx.AsyncClient, employee: Employee
    ) -> None:
        await self._browser(client, employee)
        r = await client.post("/api/v1/auth/logout")
        assert r.status_code == 403
        assert r.json()["field"] == CSRF_HEADER
        wrong = await client.post("/api/v1/auth/logout", headers={CSRF_HEADER: "forged"})
        assert wrong.status_code == 403
        assert (await client.get("/api/v1/auth/me")).status_code == 200

    async def test_logout_ends_the_session_on_the_next_request(
        self, client: httpx.AsyncClient, employee: Employee
    ) -> None:
        body = await self._browser(client, employee)
        cookie = client.cookies[SESSION_COOKIE]
        r = await client.post("/api/v1/auth/logout", headers={CSRF_HEADER: body["csrf_token"]})
        assert r.status_code == 204
        # Replaying the old cookie (a stolen copy) must not work either.
        client.cookies.set(SESSION_COOKIE, cookie)
        assert (await client.get("/api/v1/auth/me")).status_code == 401

    async def test_anonymous_is_401(self, client: httpx.AsyncClient) -> None:
        r = await client.get("/api/v1/auth/me")
        assert r.status_code == 401
        assert r.headers["www-authenticate"] == "Bearer"

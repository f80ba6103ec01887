"""Personal tokens, the own profile and password, and revocation taking effect at once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest_asyncio
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.identity import (
    PASSWORD,
    make_employee,
    role_id,
    session_client,
    token_client,
)
from workmate.models import ApiToken, Employee

TOKENS = "/api/v1/auth/tokens"


def bearer(app: Any, secret: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://test",
        headers={"Authorization": f"Bearer {secret}"},
    )


@pytest_asyncio.fixture
async def in_employee(
    app: Any, db: AsyncSession, employee: Employee
) -> AsyncIterator[httpx.AsyncClient]:
    """The employee logged in with their password (web session): tokens are made so."""
    async with await session_client(app, db, employee) as c:
        yield c


@pytest_asyncio.fixture
async def in_manager(
    app: Any, db: AsyncSession, manager: Employee
) -> AsyncIterator[httpx.AsyncClient]:
    async with await session_client(app, db, manager) as c:
        yield c


class TestTokens:
    async def test_secret_is_shown_once_and_lists_show_the_prefix_only(
        self, app: Any, in_employee: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        created = await in_employee.post(TOKENS, json={"name": "laptop"})
        assert created.status_code == 201
        body = created.json()
        secret = body["token"]
        assert secret.startswith("wm_")
        assert body["prefix"] == secret[:10]
        listed = await in_employee.get(TOKENS)
        assert listed.status_code == 200
        assert "laptop" in listed.text
        assert secret not in listed.text
        assert "token_hash" not in listed.text
        stored = await db.scalar(select(ApiToken.token_hash).where(ApiToken.name == "laptop"))
        assert stored is not None
        assert stored not in listed.text
        assert stored not in created.text
        async with bearer(app, secret) as c:
            assert (await c.get("/api/v1/auth/me")).status_code == 200

    async def test_revoked_token_is_refused_on_the_next_request(
        self, app: Any, in_employee: httpx.AsyncClient
    ) -> None:
        body = (await in_employee.post(TOKENS, json={"name": "ci"})).json()
        async with bearer(app, body["token"]) as c:
            assert (await c.get("/api/v1/auth/me")).status_code == 200
            assert (await in_employee.delete(f"{TOKENS}/{body['id']}")).status_code == 204
            assert (await c.get("/api/v1/auth/me")).status_code == 401

    async def test_someone_elses_token_cannot_be_revoked_and_does_not_leak(
        self, app: Any, in_employee: httpx.AsyncClient, in_manager: httpx.AsyncClient
    ) -> None:
        body = (await in_manager.post(TOKENS, json={"name": "mine"})).json()
        r = await in_employee.delete(f"{TOKENS}/{body['id']}")
        assert r.status_code == 404
        assert "mine" not in (await in_employee.get(TOKENS)).text

    async def test_expiry_must_be_aware_and_ahead(self, in_employee: httpx.AsyncClient) -> None:
        naive = await in_employee.post(
            TOKENS, json={"name": "x", "expires_at": "2030-01-01T00:00:00"}
        )
        assert naive.status_code == 422
        past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
        r = await in_employee.post(TOKENS, json={"name": "x", "expires_at": past})
        assert r.status_code == 422
        assert r.json()["field"] == "expires_at"
        ahead = await in_employee.post(
            TOKENS, json={"name": "x", "expires_at": "2099-01-01T00:00:00Z"}
        )
        assert ahead.status_code == 201

    async def test_expired_token_is_refused(
        self, app: Any, db: AsyncSession, employee: Employee
    ) -> None:
        from workmate.auth.service import auth_service

        token = await auth_service.create_token(
            db, employee.id, "old", datetime.now(UTC) - timedelta(seconds=1)
        )
        async with bearer(app, token.secret) as c:
            assert (await c.get("/api/v1/auth/me")).status_code == 401


class TestRevocationIsImmediate:
    async def test_deactivation_locks_out_on_the_next_request(
        self, app: Any, db: AsyncSession, as_admin: httpx.AsyncClient
    ) -> None:
        victim = await make_employee(db)
        victim_id = victim.id
        async with await token_client(app, db, victim) as c:
            assert (await c.get("/api/v1/auth/me")).status_code == 200
            r = await as_admin.patch(f"/api/v1/employees/{victim_id}", json={"is_active": False})
            assert r.status_code == 200
            assert (await c.get("/api/v1/auth/me")).status_code == 401

    async def test_role_change_applies_on_the_next_request(
        self, app: Any, db: AsyncSession, as_admin: httpx.AsyncClient
    ) -> None:
        worker = await make_employee(db, "Employee")
        worker_id = worker.id
        manager_role = await role_id(db, "Manager")
        async with await token_client(app, db, worker) as c:
            assert (await c.get("/api/v1/employees")).status_code == 403
            r = await as_admin.patch(
                f"/api/v1/employees/{worker_id}", json={"role_id": str(manager_role)}
            )
            assert r.status_code == 200
            assert (await c.get("/api/v1/employees")).status_code == 200

    async def test_role_permission_edit_applies_on_the_next_request(
        self, app: Any, db: AsyncSession, as_admin: httpx.AsyncClient
    ) -> None:
        created = await as_admin.post(
            "/api/v1/roles", json={"name": "Reader", "permissions": {"employees": ["read"]}}
        )
        assert created.status_code == 201
        reader = await make_employee(db, role_id=created.json()["id"])
        async with await token_client(app, db, reader) as c:
            assert (await c.get("/api/v1/employees")).status_code == 200
            r = await as_admin.patch(
                f"/api/v1/roles/{created.json()['id']}", json={"permissions": {}}
            )
            assert r.status_code == 200
            assert (await c.get("/api/v1/employees")).status_code == 403

    async def test_revoking_an_own_session_ends_it(
        self, client: httpx.AsyncClient, employee: Employee, as_employee: httpx.AsyncClient
    ) -> None:
        r = await client.post(
            "/api/v1/auth/login", json={"email": employee.email, "password": PASSWORD}
        )
        assert r.status_code == 200
        sessions = (await as_employee.get("/api/v1/auth/sessions")).json()
        assert len(sessions) == 1
        assert "csrf" not in str(sessions)
        assert "hash" not in str(sessions)
        gone = await as_employee.delete(f"/api/v1/auth/sessions/{sessions[0]['id']}")
        assert gone.status_code == 204
        assert (await client.get("/api/v1/auth/me")).status_code == 401


class TestProfile:
    async def test_employee_cannot_change_own_role_department_or_activity(
        self, as_employee: httpx.AsyncClient, db: AsyncSession, employee: Employee
    ) -> None:
        admin_role = await role_id(db, "Admin")
        employee_id = employee.id
        for body in (
            {"role_id": str(admin_role)},
            {"is_active": True},
            {"department_id": None},
            {"firstname": "Eve", "role_id": str(admin_role)},
            {"password_hash": "x"},
        ):
            r = await as_employee.patch("/api/v1/auth/me", json=body)
            assert r.status_code == 422, body
        via_org = await as_employee.patch(
            f"/api/v1/employees/{employee_id}", json={"role_id": str(admin_role)}
        )
        assert via_org.status_code == 403
        me = (await as_employee.get("/api/v1/auth/me")).json()
        assert me["role_name"] == "Employee"
        assert me["firstname"] == "Emil"

    async def test_employee_changes_own_name_and_language(
        self, as_employee: httpx.AsyncClient
    ) -> None:
        r = await as_employee.patch("/api/v1/auth/me", json={"firstname": "Emilia", "locale": "en"})
        assert r.status_code == 200
        assert r.json()["firstname"] == "Emilia"
        assert r.json()["locale"] == "en"
        bad = await as_employee.patch("/api/v1/auth/me", json={"locale": "xx"})
        assert bad.status_code == 422

    async def test_password_change_needs_the_current_one_and_the_minimum_length(
        self, client: httpx.AsyncClient, as_employee: httpx.AsyncClient, employee: Employee
    ) -> None:
        email = employee.email
        url = "/api/v1/auth/me/password"
        wrong = await as_employee.put(
            url, json={"current_password": "nope", "new_password": "a long new password"}
        )
        assert wrong.status_code == 422
        assert wrong.json()["field"] == "current_password"
        short = await as_employee.put(
            url, json={"current_password": PASSWORD, "new_password": "short"}
        )
        assert short.status_code == 422
        assert short.json()["field"] == "new_password"
        ok = await as_employee.put(
            url, json={"current_password": PASSWORD, "new_password": "a long new password"}
        )
        assert ok.status_code == 204
        old = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
        assert old.status_code == 401
        new = await client.post(
            "/api/v1/auth/login", json={"email": email, "password": "a long new password"}
        )
        assert new.status_code == 200


class TestRevocation:
    """Issue 13, item 10: a password reset or change revokes the API tokens; a token cannot
    mint tokens."""

    async def test_a_token_cannot_create_a_token(self, as_employee: httpx.AsyncClient) -> None:
        r = await as_employee.post(TOKENS, json={"name": "child"})
        assert r.status_code == 403
        assert "password" in r.json()["detail"]

    async def test_admin_password_reset_revokes_tokens_and_sessions(
        self, app: Any, db: AsyncSession, as_admin: httpx.AsyncClient, employee: Employee
    ) -> None:
        employee_id = employee.id
        async with await session_client(app, db, employee) as web:
            secret = (await web.post(TOKENS, json={"name": "laptop"})).json()["token"]
            async with bearer(app, secret) as c:
                assert (await c.get("/api/v1/auth/me")).status_code == 200
                r = await as_admin.put(
                    f"/api/v1/employees/{employee_id}/password",
                    json={"password": "ein-neues-langes-Passwort"},
                )
                assert r.status_code == 204, r.text
                assert (await c.get("/api/v1/auth/me")).status_code == 401
            assert (await web.get("/api/v1/auth/me")).status_code == 401
        live = await db.scalar(
            select(func.count())
            .select_from(ApiToken)
            .where(ApiToken.employee_id == employee_id, ApiToken.revoked_at.is_(None))
        )
        assert live == 0

    async def test_own_password_change_revokes_tokens_and_other_sessions(
        self, app: Any, db: AsyncSession, employee: Employee
    ) -> None:
        async with (
            await session_client(app, db, employee) as web,
            await session_client(app, db, employee) as other,
        ):
            secret = (await web.post(TOKENS, json={"name": "ci"})).json()["token"]
            r = await web.put(
                "/api/v1/auth/me/password",
                json={"current_password": PASSWORD, "new_password": "ein-neues-langes-Passwort"},
            )
            assert r.status_code == 204, r.text
            async with bearer(app, secret) as c:
                assert (await c.get("/api/v1/auth/me")).status_code == 401
            assert (await other.get("/api/v1/auth/me")).status_code == 401
            assert (await web.get("/api/v1/auth/me")).status_code == 200

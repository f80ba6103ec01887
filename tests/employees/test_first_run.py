"""The first-run story: an admin logs in, creates a Manager and an Employee, each of whom is
refused what their role does not allow (all through the API, as a browser would)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.identity import PASSWORD, make_employee, role_id
from workmate.auth.deps import CSRF_HEADER

API = "/api/v1"


@asynccontextmanager
async def browser(app: Any, email: str, password: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client logged in through the API: session cookie plus the CSRF header."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    ) as c:
        r = await c.post(f"{API}/auth/login", json={"email": email, "password": password})
        assert r.status_code == 200, r.text
        c.headers[CSRF_HEADER] = r.json()["csrf_token"]
        yield c


async def test_admin_creates_a_manager_and_an_employee_who_are_refused_admin_work(
    app: Any, db: AsyncSession
) -> None:
    admin = await make_employee(db, "Admin")
    roles = {name: str(await role_id(db, name)) for name in ("Manager", "Employee")}
    async with browser(app, admin.email, PASSWORD) as boss:
        for name in ("Manager", "Employee"):
            r = await boss.post(
                f"{API}/employees",
                json={
                    "firstname": name,
                    "lastname": "Neu",
                    "email": f"{name.lower()}@firma.example",
                    "role_id": roles[name],
                    "password": "first day at work",
                },
            )
            assert r.status_code == 201, r.text
    async with browser(app, "manager@firma.example", "first day at work") as manager:
        assert (await manager.get(f"{API}/employees")).status_code == 200
        assert (await manager.post(f"{API}/roles", json={"name": "X"})).status_code == 403
        assert (await manager.get(f"{API}/audit-log")).status_code == 403
    async with browser(app, "employee@firma.example", "first day at work") as worker:
        assert (await worker.get(f"{API}/auth/me")).json()["role_name"] == "Employee"
        assert (await worker.get(f"{API}/employees")).status_code == 403
        assert (await worker.get(f"{API}/audit-log")).status_code == 403

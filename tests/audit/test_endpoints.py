"""The audit log: written with every change, readable by admins, never alterable."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.identity import role_id
from workmate.models import AuditLog, Employee

AUDIT = "/api/v1/audit-log"


async def create_employee(as_admin: httpx.AsyncClient, db: AsyncSession) -> dict[str, str]:
    r = await as_admin.post(
        "/api/v1/employees",
        json={
            "firstname": "Anna",
            "lastname": "Audit",
            "email": f"anna-{uuid.uuid4().hex[:6]}@example.de",
            "role_id": str(await role_id(db, "Employee")),
            "password": "a secret password",
        },
    )
    assert r.status_code == 201
    return dict(r.json())


class TestWritten:
    async def test_create_update_delete_are_logged_with_actor_and_changes(
        self, as_admin: httpx.AsyncClient, admin: Employee, db: AsyncSession
    ) -> None:
        admin_id = admin.id
        emp = await create_employee(as_admin, db)
        await as_admin.patch(f"/api/v1/employees/{emp['id']}", json={"lastname": "Neu"})
        await as_admin.delete(f"/api/v1/employees/{emp['id']}")
        r = await as_admin.get(AUDIT, params={"entity": "employee", "entity_id": emp["id"]})
        assert r.status_code == 200
        rows = r.json()["items"]
        assert [row["action"] for row in rows] == ["delete", "update", "create"]
        assert all(row["actor_id"] == str(admin_id) for row in rows)
        assert rows[1]["changes"] == {"lastname": ["Audit", "Neu"]}
        assert rows[2]["changes"]["email"] == [None, emp["email"]]
        assert "$argon2" not in r.text
        assert "password_hash" not in r.text

    async def test_permission_denial_is_logged(
        self, as_employee: httpx.AsyncClient, as_admin: httpx.AsyncClient, employee: Employee
    ) -> None:
        employee_id = employee.id
        assert (await as_employee.get("/api/v1/employees")).status_code == 403
        r = await as_admin.get(
            AUDIT, params={"actor_id": str(employee_id), "action": "permission_denied"}
        )
        assert r.json()["total"] == 1
        assert r.json()["items"][0]["changes"]["path"] == [None, "/api/v1/employees"]

    async def test_rows_cannot_be_altered_or_deleted(
        self, as_admin: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        emp = await create_employee(as_admin, db)
        row_id = await db.scalar(
            select(AuditLog.id).where(AuditLog.entity_id == emp["id"], AuditLog.action == "create")
        )
        assert row_id is not None
        for statement in (
            update(AuditLog).where(AuditLog.id == row_id).values(action="nothing"),
            delete(AuditLog).where(AuditLog.id == row_id),
            text("TRUNCATE audit_log"),
        ):
            with pytest.raises(DBAPIError, match="append-only"):
                async with db.begin_nested():
                    await db.execute(statement)
        assert await db.scalar(select(AuditLog.action).where(AuditLog.id == row_id)) == "create"


class TestRead:
    async def test_only_admin_panel_may_read(
        self, as_manager: httpx.AsyncClient, as_employee: httpx.AsyncClient
    ) -> None:
        assert (await as_manager.get(AUDIT)).status_code == 403
        assert (await as_employee.get(AUDIT)).status_code == 403

    async def test_time_filters_need_a_zone_and_an_order(
        self, as_admin: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        naive = await as_admin.get(AUDIT, params={"from": "2026-01-01T00:00:00"})
        assert naive.status_code == 422
        assert naive.json()["field"] == "from"
        backwards = await as_admin.get(
            AUDIT, params={"from": "2026-02-01T00:00:00Z", "to": "2026-01-01T00:00:00+01:00"}
        )
        assert backwards.status_code == 422
        emp = await create_employee(as_admin, db)
        now = datetime.now(UTC)
        window = {
            "entity_id": emp["id"],
            "from": (now - timedelta(days=1)).isoformat(),
            "to": (now + timedelta(days=1)).isoformat(),
        }
        assert (await as_admin.get(AUDIT, params=window)).json()["total"] == 1
        window["to"] = (now - timedelta(hours=23)).isoformat()
        assert (await as_admin.get(AUDIT, params=window)).json()["total"] == 0

    async def test_paging_total_matches_the_filter(
        self, as_admin: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        for _ in range(3):
            await create_employee(as_admin, db)
        r = await as_admin.get(AUDIT, params={"entity": "employee", "action": "create", "limit": 2})
        body = r.json()
        assert len(body["items"]) == 2
        assert body["total"] >= 3

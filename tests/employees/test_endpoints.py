"""The organisation API: employees, departments, roles and their rules."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.identity import make_employee, make_role, role_id, token_client
from tests.factories.records import make_project, make_time_entry
from workmate.models import Department, Employee

API = "/api/v1"


async def department_id(db: AsyncSession, name: str = "Sales") -> uuid.UUID:
    found = await db.scalar(select(Department.id).where(Department.name == name))
    assert found is not None
    return found


async def new_employee(
    client: httpx.AsyncClient, db: AsyncSession, **overrides: Any
) -> httpx.Response:
    body: dict[str, Any] = {
        "firstname": "Nora",
        "lastname": "Neu",
        "email": f"nora-{uuid.uuid4().hex[:6]}@example.de",
        "role_id": str(await role_id(db, "Employee")),
    }
    body.update(overrides)
    return await client.post(f"{API}/employees", json=body)


class TestEmployees:
    async def test_create_read_update_delete(
        self, as_admin: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        dept = await department_id(db)
        r = await new_employee(
            as_admin, db, department_id=str(dept), password="a good long password"
        )
        assert r.status_code == 201
        body = r.json()
        assert "password" not in r.text
        assert "$argon2" not in r.text
        assert body["department_id"] == str(dept)
        got = await as_admin.get(f"{API}/employees/{body['id']}")
        assert got.json()["email"] == body["email"]
        upd = await as_admin.patch(f"{API}/employees/{body['id']}", json={"lastname": "Alt"})
        assert upd.status_code == 200
        assert upd.json()["lastname"] == "Alt"
        assert (await as_admin.delete(f"{API}/employees/{body['id']}")).status_code == 204
        assert (await as_admin.get(f"{API}/employees/{body['id']}")).status_code == 404

    async def test_email_must_be_valid_and_unique_regardless_of_case(
        self, as_admin: httpx.AsyncClient, db: AsyncSession, employee: Employee
    ) -> None:
        email = employee.email
        bad = await new_employee(as_admin, db, email="not-an-email")
        assert bad.status_code == 422
        assert bad.json()["field"] == "email"
        dup = await new_employee(as_admin, db, email=email.upper())
        assert dup.status_code == 409
        assert dup.json()["field"] == "email"

    async def test_without_a_role_a_new_employee_gets_the_least_privileged_one(
        self, as_admin: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        r = await new_employee(as_admin, db, role_id=None)
        assert r.status_code == 201
        assert r.json()["role_id"] == str(await role_id(db, "Employee"))
        body = {"firstname": "Ida", "lastname": "Ohne", "email": "ida-ohne@example.de"}
        r = await as_admin.post(f"{API}/employees", json=body)
        assert r.status_code == 201
        assert r.json()["role_id"] == str(await role_id(db, "Employee"))

    async def test_role_and_department_must_exist(
        self, as_admin: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        r = await new_employee(as_admin, db, role_id=str(uuid.uuid4()))
        assert r.status_code == 422
        assert r.json()["field"] == "role_id"
        r = await new_employee(as_admin, db, department_id=str(uuid.uuid4()))
        assert r.status_code == 422
        assert r.json()["field"] == "department_id"

    async def test_unknown_fields_and_short_passwords_are_refused(
        self, as_admin: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        r = await new_employee(as_admin, db, password_hash="$argon2id$forged")
        assert r.status_code == 422
        assert r.json()["field"] == "password_hash"
        r = await new_employee(as_admin, db, password="short")
        assert r.status_code == 422
        assert r.json()["field"] == "password"

    async def test_list_filters_sorts_pages_and_counts_with_the_same_filters(
        self, as_admin: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        tag = uuid.uuid4().hex[:8]
        for n in range(5):
            await make_employee(db, lastname=f"Zz{tag}{n}", is_active=n != 4)
        r = await as_admin.get(
            f"{API}/employees",
            params={"q": f"zz{tag}", "is_active": "true", "sort": "-lastname", "limit": 2},
        )
        assert r.status_code == 200
        page = r.json()
        assert page["total"] == 4
        assert [e["lastname"] for e in page["items"]] == [f"Zz{tag}3", f"Zz{tag}2"]
        nxt = await as_admin.get(
            f"{API}/employees",
            params={
                "q": f"zz{tag}",
                "is_active": "true",
                "sort": "-lastname",
                "limit": 2,
                "offset": 2,
            },
        )
        assert [e["lastname"] for e in nxt.json()["items"]] == [f"Zz{tag}1", f"Zz{tag}0"]
        bad = await as_admin.get(f"{API}/employees", params={"sort": "password_hash"})
        assert bad.status_code == 422
        assert bad.json()["field"] == "sort"

    async def test_manager_of_a_department_cannot_be_deleted(
        self, as_admin: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        boss = await make_employee(db, lastname="Chef")
        boss_id = boss.id
        d = await as_admin.post(
            f"{API}/departments", json={"name": "Einkauf", "manager_id": str(boss_id)}
        )
        assert d.status_code == 201
        r = await as_admin.delete(f"{API}/employees/{boss_id}")
        assert r.status_code == 409
        assert "Einkauf" in r.json()["detail"]

    async def test_employee_with_history_is_deactivated_not_deleted(
        self, as_admin: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        worker = await make_employee(db)
        worker_id = worker.id
        await make_time_entry(db, worker_id, await make_project(db))
        r = await as_admin.delete(f"{API}/employees/{worker_id}")
        assert r.status_code == 409
        assert "deactivate" in r.json()["detail"]
        r = await as_admin.patch(f"{API}/employees/{worker_id}", json={"is_active": False})
        assert r.status_code == 200
        assert r.json()["is_active"] is False

    async def test_nobody_deactivates_or_demotes_themselves(
        self, as_admin: httpx.AsyncClient, admin: Employee, db: AsyncSession
    ) -> None:
        admin_id = admin.id
        r = await as_admin.patch(f"{API}/employees/{admin_id}", json={"is_active": False})
        assert r.status_code == 409
        r = await as_admin.patch(
            f"{API}/employees/{admin_id}", json={"role_id": str(await role_id(db, "Employee"))}
        )
        assert r.status_code == 409

    async def test_employees_write_alone_cannot_hand_out_more_rights(
        self, app: Any, db: AsyncSession
    ) -> None:
        hr = await make_role(db, employees=["read", "write"])
        clerk = await make_employee(db, role_id=hr.id)
        target = await make_employee(db, role_id=(await make_role(db)).id)
        target_id = target.id
        admin_role = await role_id(db, "Admin")
        async with await token_client(app, db, clerk) as c:
            r = await c.patch(f"{API}/employees/{target_id}", json={"role_id": str(admin_role)})
            assert r.status_code == 403
            assert r.json()["field"] == "role_id"
            r = await c.patch(f"{API}/employees/{target_id}", json={"lastname": "Ok"})
            assert r.status_code == 200
            boss_id = (await make_employee(db, "Admin")).id
            r = await c.put(
                f"{API}/employees/{boss_id}/password", json={"password": "taken over now!"}
            )
            assert r.status_code == 403
            r = await c.patch(f"{API}/employees/{boss_id}", json={"email": "me@example.de"})
            assert r.status_code == 403

    async def test_admin_sets_a_password(
        self, as_admin: httpx.AsyncClient, client: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        worker = await make_employee(db)
        worker_id, email = worker.id, worker.email
        r = await as_admin.put(
            f"{API}/employees/{worker_id}/password", json={"password": "brand new secret"}
        )
        assert r.status_code == 204
        login = await client.post(
            f"{API}/auth/login", json={"email": email, "password": "brand new secret"}
        )
        assert login.status_code == 200

    async def test_naked_fields_cannot_be_nulled(
        self, as_admin: httpx.AsyncClient, employee: Employee
    ) -> None:
        r = await as_admin.patch(f"{API}/employees/{employee.id}", json={"email": None})
        assert r.status_code == 422
        assert r.json()["field"] == "email"


class TestDepartments:
    async def test_manager_must_be_an_employee_and_name_unique(
        self, as_admin: httpx.AsyncClient
    ) -> None:
        r = await as_admin.post(
            f"{API}/departments", json={"name": "Lager", "manager_id": str(uuid.uuid4())}
        )
        assert r.status_code == 422
        assert r.json()["field"] == "manager_id"
        assert (
            await as_admin.post(f"{API}/departments", json={"name": "Lager"})
        ).status_code == 201
        dup = await as_admin.post(f"{API}/departments", json={"name": "Lager"})
        assert dup.status_code == 409
        assert dup.json()["field"] == "name"

    async def test_update_list_and_delete(self, as_admin: httpx.AsyncClient) -> None:
        d = (await as_admin.post(f"{API}/departments", json={"name": "Qualität"})).json()
        r = await as_admin.patch(f"{API}/departments/{d['id']}", json={"name": "QS"})
        assert r.json()["name"] == "QS"
        listed = await as_admin.get(f"{API}/departments", params={"q": "QS"})
        assert listed.json()["total"] == 1
        assert (await as_admin.delete(f"{API}/departments/{d['id']}")).status_code == 204
        assert (await as_admin.get(f"{API}/departments/{d['id']}")).status_code == 404

    async def test_manager_may_read_but_not_change_departments(
        self, as_manager: httpx.AsyncClient
    ) -> None:
        assert (await as_manager.get(f"{API}/departments")).status_code == 200
        assert (await as_manager.post(f"{API}/departments", json={"name": "X"})).status_code == 403


class TestRoles:
    async def test_permissions_are_validated_naming_the_field(
        self, as_admin: httpx.AsyncClient
    ) -> None:
        r = await as_admin.post(
            f"{API}/roles", json={"name": "Odd", "permissions": {"crm": ["fly"]}}
        )
        assert r.status_code == 422
        assert r.json()["field"] == "permissions.crm"
        r = await as_admin.post(
            f"{API}/roles", json={"name": "Odd", "permissions": {"spaceship": ["read"]}}
        )
        assert r.status_code == 422
        assert r.json()["field"] == "permissions.spaceship"
        ok = await as_admin.post(
            f"{API}/roles", json={"name": "Odd", "permissions": {"crm": ["write", "read", "read"]}}
        )
        assert ok.status_code == 201
        assert ok.json()["permissions"] == {"crm": ["read", "write"]}

    async def test_role_in_use_cannot_be_deleted_and_says_how_many_hold_it(
        self, as_admin: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        role = await make_role(db, "Aushilfe", crm=["read"])
        rid = role.id
        await make_employee(db, role_id=rid)
        await make_employee(db, role_id=rid)
        r = await as_admin.delete(f"{API}/roles/{rid}")
        assert r.status_code == 409
        assert "2 employees" in r.json()["detail"]
        unused = await make_role(db, "Leer")
        assert (await as_admin.delete(f"{API}/roles/{unused.id}")).status_code == 204

    async def test_admin_cannot_remove_admin_access_from_own_role(
        self, as_admin: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        r = await as_admin.patch(
            f"{API}/roles/{await role_id(db, 'Admin')}", json={"permissions": {"crm": ["read"]}}
        )
        assert r.status_code == 409

    async def test_duplicate_name_is_409(self, as_admin: httpx.AsyncClient) -> None:
        r = await as_admin.post(f"{API}/roles", json={"name": "Manager"})
        assert r.status_code == 409
        assert r.json()["field"] == "name"

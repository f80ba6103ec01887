"""Admin pages: the permission matrix editor goes through the role service."""

from __future__ import annotations

import re

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.identity import make_role, role_id


def checked(html: str, permission: str) -> bool:
    box = re.search(rf'<input type="checkbox" name="perm" value="{permission}"[^>]*>', html)
    assert box, permission
    return "checked" in box[0]


async def test_matrix_shows_and_saves_permissions(
    web_admin: httpx.AsyncClient, db: AsyncSession
) -> None:
    role = await make_role(db, "Buchhaltung", invoices=["read"])
    page = await web_admin.get(f"/admin/roles/{role.id}")
    assert page.status_code == 200
    assert 'value="invoices.read"' in page.text
    assert checked(page.text, "invoices.read")
    assert not checked(page.text, "invoices.write")
    response = await web_admin.post(
        f"/admin/roles/{role.id}",
        data={"name": "Buchhaltung", "perm": ["invoices.read", "invoices.write", "payments.read"]},
    )
    assert response.status_code == 303, response.text
    await db.refresh(role)
    assert role.permissions == {"invoices": ["read", "write"], "payments": ["read"]}


async def test_own_admin_access_cannot_be_removed(
    web_admin: httpx.AsyncClient, db: AsyncSession
) -> None:
    await db.commit()  # the refusal rolls back its request; the admin's session must survive
    admin_role = await role_id(db, "Admin")
    response = await web_admin.post(
        f"/admin/roles/{admin_role}", data={"name": "Admin", "perm": ["crm.read"]}
    )
    assert response.status_code == 409
    assert "admin_panel" in response.text
    # The form keeps what was chosen.
    assert checked(response.text, "crm.read")


async def test_unknown_action_is_refused(web_admin: httpx.AsyncClient, db: AsyncSession) -> None:
    role = await make_role(db, "Test-Rolle")
    response = await web_admin.post(
        f"/admin/roles/{role.id}", data={"name": "Test-Rolle", "perm": ["crm.fly"]}
    )
    assert response.status_code == 422
    assert "fly" in response.text


async def test_manager_cannot_edit_roles(web_manager: httpx.AsyncClient, db: AsyncSession) -> None:
    response = await web_manager.get(f"/admin/roles/{await role_id(db, 'Employee')}")
    assert response.status_code == 403


async def test_company_settings_saved_and_checked(
    web_admin: httpx.AsyncClient, db: AsyncSession
) -> None:
    page = await web_admin.get("/admin/company")
    assert page.status_code == 200
    ok = await web_admin.post(
        "/admin/company",
        data={"name": "Muster GmbH", "city": "Köln", "payment_terms_days": "30"},
    )
    assert ok.status_code == 303, ok.text
    assert 'value="Muster GmbH"' in (await web_admin.get("/admin/company")).text
    await db.commit()  # the refusal below rolls its request back
    bad = await web_admin.post("/admin/company", data={"iban": "DE00 1234", "name": "Muster"})
    assert bad.status_code == 422
    assert 'id="e-iban"' in bad.text


async def test_audit_log_lists_changes(web_admin: httpx.AsyncClient, db: AsyncSession) -> None:
    role = await make_role(db, "Protokollrolle")
    await web_admin.post(
        f"/admin/roles/{role.id}", data={"name": "Protokollrolle", "perm": ["crm.read"]}
    )
    page = await web_admin.get("/admin/audit?entity=role")
    assert page.status_code == 200
    assert "permissions" in page.text


async def test_manager_gets_403_on_every_admin_page(web_manager: httpx.AsyncClient) -> None:
    for path in ("/admin/company", "/admin/audit"):
        assert (await web_manager.get(path)).status_code == 403


async def test_create_and_deactivate_an_employee(
    web_admin: httpx.AsyncClient, db: AsyncSession
) -> None:
    from sqlalchemy import select

    from workmate.models import Employee

    employee_role = await role_id(db, "Employee")
    form = await web_admin.get("/admin/employees/new")
    assert form.status_code == 200
    response = await web_admin.post(
        "/admin/employees/new",
        data={
            "firstname": "Neu",
            "lastname": "Angestellt",
            "email": "neu.angestellt@example.de",
            "role_id": str(employee_role),
            "locale": "en",
            "password": "ein-langes-passwort",
        },
    )
    assert response.status_code == 303, response.text
    new = await db.scalar(select(Employee).where(Employee.email == "neu.angestellt@example.de"))
    assert new is not None
    assert new.locale == "en"
    assert new.password_hash
    edit = await web_admin.post(
        f"/admin/employees/{new.id}",
        data={
            "firstname": "Neu",
            "lastname": "Angestellt",
            "email": "neu.angestellt@example.de",
            "role_id": str(employee_role),
            "locale": "en",
        },
    )
    assert edit.status_code == 303, edit.text
    await db.refresh(new)
    assert new.is_active is False


async def test_employee_form_errors(web_admin: httpx.AsyncClient, db: AsyncSession) -> None:
    response = await web_admin.post(
        "/admin/employees/new",
        data={"firstname": "", "lastname": "X", "email": "kaputt", "password": "kurz"},
    )
    assert response.status_code == 422
    for name in ("firstname", "email", "role_id", "password"):
        assert f'id="e-{name}"' in response.text
    assert "kurz" not in response.text


async def test_manager_cannot_manage_employees(
    web_manager: httpx.AsyncClient, manager: object
) -> None:
    assert (await web_manager.get("/admin/employees/new")).status_code == 403

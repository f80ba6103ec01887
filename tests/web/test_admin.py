"""Admin pages: the permission matrix editor goes through the role service."""

from __future__ import annotations

import re

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.identity import make_employee, make_role, role_id
from workmate.models import Employee


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


async def test_admin_creates_a_role_from_the_roles_page(
    web_admin: httpx.AsyncClient, db: AsyncSession
) -> None:
    from sqlalchemy import select

    from workmate.models import Role

    home = await web_admin.get("/admin")
    assert 'href="/admin/roles/new"' in home.text
    form = await web_admin.get("/admin/roles/new")
    assert form.status_code == 200
    assert not checked(form.text, "invoices.read")
    response = await web_admin.post(
        "/admin/roles/new", data={"name": "Buchhaltung", "perm": ["invoices.read", "payments.read"]}
    )
    assert response.status_code == 303, response.text
    role = await db.scalar(select(Role).where(Role.name == "Buchhaltung"))
    assert role is not None
    assert role.permissions == {"invoices": ["read"], "payments": ["read"]}
    await db.commit()  # the refusals below roll their requests back
    duplicate = await web_admin.post("/admin/roles/new", data={"name": "Buchhaltung"})
    assert duplicate.status_code == 409
    assert checked(duplicate.text, "invoices.read") is False
    nameless = await web_admin.post("/admin/roles/new", data={"name": "", "perm": ["crm.read"]})
    assert nameless.status_code == 422
    assert checked(nameless.text, "crm.read")


async def test_new_employee_form_preselects_the_least_privileged_role(
    web_admin: httpx.AsyncClient, db: AsyncSession
) -> None:
    form = await web_admin.get("/admin/employees/new")
    employee_role = await role_id(db, "Employee")
    assert re.search(rf'<option value="{employee_role}"[^>]*selected', form.text)


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
    # Saving the form never changes whether someone may log in ...
    assert new.is_active is True
    page = await web_admin.get(f"/admin/employees/{new.id}")
    assert f'action="/admin/employees/{new.id}/active"' in page.text
    assert "data-confirm" in page.text
    # ... that is its own confirmed action.
    off = await web_admin.post(f"/admin/employees/{new.id}/active", data={"active": "false"})
    assert off.status_code == 303, off.text
    await db.refresh(new)
    assert new.is_active is False
    on = await web_admin.post(f"/admin/employees/{new.id}/active", data={"active": "true"})
    assert on.status_code == 303, on.text
    await db.refresh(new)
    assert new.is_active is True


async def test_nobody_deactivates_themselves(
    web_admin: httpx.AsyncClient, db: AsyncSession, admin: Employee
) -> None:
    await db.commit()  # the refusal rolls back its request; the admin's session must survive
    admin_id = admin.id
    page = await web_admin.get(f"/admin/employees/{admin_id}")
    assert "/active" not in page.text  # no button to lock oneself out
    response = await web_admin.post(f"/admin/employees/{admin_id}/active", data={"active": "false"})
    assert response.status_code == 409
    assert "nicht selbst deaktivieren" in response.text


async def test_employee_form_errors(web_admin: httpx.AsyncClient, db: AsyncSession) -> None:
    response = await web_admin.post(
        "/admin/employees/new",
        data={"firstname": "", "lastname": "X", "email": "kaputt", "password": "kurz"},
    )
    assert response.status_code == 422
    # No role is no error: a new employee gets the least privileged one (Employee).
    for name in ("firstname", "email", "password"):
        assert f'id="e-{name}"' in response.text
    assert 'id="e-role_id"' not in response.text
    assert "kurz" not in response.text


async def test_manager_cannot_manage_employees(
    web_manager: httpx.AsyncClient, manager: object
) -> None:
    assert (await web_manager.get("/admin/employees/new")).status_code == 403


async def test_departments_create_rename_set_manager_delete(
    web_admin: httpx.AsyncClient, db: AsyncSession, manager: Employee
) -> None:
    from sqlalchemy import select

    from workmate.models import Department

    page = await web_admin.get("/admin/departments")
    assert page.status_code == 200
    assert 'action="/admin/departments"' in page.text
    created = await web_admin.post("/admin/departments", data={"name": "Werkstatt"})
    assert created.status_code == 303, created.text
    dept = await db.scalar(select(Department).where(Department.name == "Werkstatt"))
    assert dept is not None
    assert dept.manager_id is None
    listing = await web_admin.get("/admin/departments")
    assert "Werkstatt" in listing.text
    # A second one with the same name is refused next to the field.
    again = await web_admin.post("/admin/departments", data={"name": "Werkstatt"})
    assert again.status_code == 422
    assert 'id="e-name"' in again.text
    # Rename and set a manager, then clear the manager again.
    edit = await web_admin.post(
        f"/admin/departments/{dept.id}",
        data={"name": "Werkstatt Nord", "manager_id": str(manager.id)},
    )
    assert edit.status_code == 303, edit.text
    await db.refresh(dept)
    assert (dept.name, dept.manager_id) == ("Werkstatt Nord", manager.id)
    shown = await web_admin.get("/admin/departments")
    assert f"{manager.firstname} {manager.lastname}" in shown.text
    cleared = await web_admin.post(
        f"/admin/departments/{dept.id}", data={"name": "Werkstatt Nord", "manager_id": ""}
    )
    assert cleared.status_code == 303
    await db.refresh(dept)
    assert dept.manager_id is None
    # Deleting asks first (data-confirm) and goes through the service.
    form = await web_admin.get(f"/admin/departments/{dept.id}")
    assert "data-confirm" in form.text
    gone = await web_admin.post(f"/admin/departments/{dept.id}/delete")
    assert gone.status_code == 303
    db.expire_all()
    assert await db.scalar(select(Department).where(Department.id == dept.id)) is None


async def test_department_name_is_required(web_admin: httpx.AsyncClient) -> None:
    response = await web_admin.post("/admin/departments", data={"name": ""})
    assert response.status_code == 422
    assert 'id="e-name"' in response.text


async def test_manager_cannot_edit_departments(web_manager: httpx.AsyncClient) -> None:
    assert (await web_manager.get("/admin/departments")).status_code == 403
    assert (await web_manager.post("/admin/departments", data={"name": "X"})).status_code == 403


async def test_admin_page_shows_the_link_to_pass_on(
    web_admin: httpx.AsyncClient, client: httpx.AsyncClient, db: AsyncSession
) -> None:
    newcomer = await make_employee(db, password_hash=None)
    page = await web_admin.get(f"/admin/employees/{newcomer.id}")
    assert f'action="/admin/employees/{newcomer.id}/invitation"' in page.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf
    shown = await web_admin.post(
        f"/admin/employees/{newcomer.id}/invitation", data={"csrf_token": csrf[1]}
    )
    assert shown.status_code == 200, shown.text
    url = re.search(r'id="invitation-url"[^>]*value="([^"]+)"', shown.text)
    assert url
    # No mail server in tests: the e-mail waits and the admin is told to pass the link on.
    assert f"Eine E-Mail mit dem Link an {newcomer.email} wartet im Postausgang" in shown.text
    assert (await client.get(url[1].removeprefix("http://test"))).status_code == 200

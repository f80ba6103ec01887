"""Rules for employees, departments and roles (the organisation)."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from fastapi import Request
from pydantic import ValidationError
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from workmate import clock
from workmate.audit.service import audit_service, diff
from workmate.auth.permissions import PermissionError_, allows, validate_permissions
from workmate.auth.principal import Principal
from workmate.auth.schemas import MeRead
from workmate.auth.service import auth_service, hash_password_async
from workmate.auth.tokens import digest, new_secret
from workmate.company.service import company_service
from workmate.config import get_settings
from workmate.employees import repository
from workmate.employees.schemas import (
    DepartmentCreate,
    EmployeeCreate,
    EmployeeRead,
    RoleCreate,
)
from workmate.errors import (
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
)
from workmate.models import Department, Employee, Invitation, OutboxMessage, Role
from workmate.outbox import templates
from workmate.outbox.service import NewMessage, outbox_service
from workmate.pagination import PageParams

# A race between our Python check and the insert still gets our words, not PostgreSQL's.

ADMIN_ROLE = "Admin"
LEAST_ROLE = "Employee"


def parse_sort(
    sort: str, allowed: dict[str, InstrumentedAttribute[Any]]
) -> tuple[InstrumentedAttribute[Any], bool]:
    """`name` ascending, `-name` descending; anything else is a 422 naming `sort`."""
    desc = sort.startswith("-")
    key = sort.removeprefix("-")
    if key not in allowed:
        raise Invalid(
            f"sort must be one of {', '.join(allowed)} (prefix - for descending)", field="sort"
        )
    return allowed[key], desc


def _no_nulls(data: dict[str, Any], fields: tuple[str, ...]) -> None:
    for name in fields:
        if name in data and data[name] is None:
            raise Invalid("{field} cannot be empty", field=name, params={"field": name})


def _may_assign(who: Principal | None, role: Role) -> bool:
    """Who may give a role: the operator at the CLI, admins, or anyone already holding every
    permission of that role (so employees.write alone is no way to become Admin)."""
    if who is None or who.can("admin_panel", "access"):
        return True
    return all(
        allows(who.permissions, module, action)
        for module, actions in (role.permissions or {}).items()
        for action in actions
    )


async def _delete_or_conflict(db: AsyncSession, obj: object, message: str) -> None:
    # Rows of other domains refer to this one with ON DELETE RESTRICT; the savepoint keeps
    # the request's transaction usable so the refusal becomes our 409, not a 500.
    try:
        async with db.begin_nested():
            await db.delete(obj)
            await db.flush()
    except IntegrityError:
        raise Conflict(message) from None


class EmployeeService:
    async def names(self, db: AsyncSession, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, str]:
        """Full names by employee id, in one statement (owner columns of lists)."""
        return await repository.names(db, ids)

    async def search(
        self,
        db: AsyncSession,
        paging: PageParams,
        *,
        q: str | None = None,
        role_id: uuid.UUID | None = None,
        department_id: uuid.UUID | None = None,
        is_active: bool | None = None,
        sort: str = "lastname",
    ) -> tuple[list[Employee], int]:
        """Employees matching the filters, in a stable order, with the total."""
        column, desc = parse_sort(sort, repository.EMPLOYEE_SORTS)
        stmt = repository.employees_query(
            q=q, role_id=role_id, department_id=department_id, is_active=is_active
        )
        order = repository.ordered(stmt, column, desc, Employee.id)
        return await repository.page(db, stmt, order, paging.limit, paging.offset)

    async def get(self, db: AsyncSession, employee_id: uuid.UUID) -> Employee:
        """One employee, 404 if unknown."""
        employee = await repository.get_employee(db, employee_id)
        if employee is None:
            raise NotFound("employee")
        return employee

    async def _check_role(
        self, db: AsyncSession, who: Principal | None, role_id: uuid.UUID
    ) -> Role:
        role = await repository.get_role(db, role_id)
        if role is None:
            raise Invalid("role_id: no such role", field="role_id")
        if not _may_assign(who, role):
            raise Forbidden(
                f"you may not assign the role {role.name}: it grants more than you hold",
                field="role_id",
            )
        return role

    async def _check_target(self, db: AsyncSession, who: Principal, employee: Employee) -> None:
        # Editing, resetting the password of or deleting someone more powerful would be a
        # way to take over their account; only who could give their role may touch them.
        role = await repository.get_role(db, employee.role_id)
        if role is not None and not _may_assign(who, role):
            raise Forbidden(f"you may not change an employee with the role {role.name}")

    async def _check_department(self, db: AsyncSession, department_id: uuid.UUID | None) -> None:
        if department_id is not None and await repository.get_department(db, department_id) is None:
            raise Invalid("department_id: no such department", field="department_id")

    async def create(
        self, db: AsyncSession, who: Principal | None, data: EmployeeCreate
    ) -> Employee:
        """Create an employee: unique email (case-insensitive), existing role and department,
        a role the creator may assign; without a role the least privileged one (Employee)."""
        if await repository.email_taken(db, data.email):
            raise Conflict("an employee with this email exists", field="email")
        role_id = data.role_id
        if role_id is None:
            least = await repository.get_role_by_name(db, LEAST_ROLE)
            if least is None:
                raise Invalid("role_id: no role given and no Employee role exists", field="role_id")
            role_id = least.id
        await self._check_role(db, who, role_id)
        await self._check_department(db, data.department_id)
        employee = Employee(
            id=uuid.uuid4(),
            firstname=data.firstname,
            lastname=data.lastname,
            email=data.email,
            role_id=role_id,
            department_id=data.department_id,
            locale=data.locale,
            is_active=data.is_active,
            password_hash=await hash_password_async(data.password) if data.password else None,
        )
        db.add(employee)
        await db.flush()
        await db.refresh(employee)
        await audit_service.record(
            db, who, "create", "employee", employee.id, diff(None, audit_service.snapshot(employee))
        )
        return employee

    async def update(
        self, db: AsyncSession, who: Principal, employee_id: uuid.UUID, data: dict[str, Any]
    ) -> Employee:
        """Change an employee; role changes and deactivation take effect on their next request
        (deactivation also ends their sessions). Nobody changes their own role or activity."""
        _no_nulls(data, ("firstname", "lastname", "email", "role_id", "locale", "is_active"))
        employee = await repository.get_employee(db, employee_id, lock=True)
        if employee is None:
            raise NotFound("employee")
        await self._check_target(db, who, employee)
        before = audit_service.snapshot(employee)
        own = employee.id == who.employee_id
        if (
            "email" in data
            and data["email"].lower() != employee.email.lower()
            and await repository.email_taken(db, data["email"], except_id=employee.id)
        ):
            raise Conflict("an employee with this email exists", field="email")
        if "role_id" in data and data["role_id"] != employee.role_id:
            if own:
                raise Conflict("you cannot change your own role", field="role_id")
            await self._check_role(db, who, data["role_id"])
        if "department_id" in data:
            await self._check_department(db, data["department_id"])
        if data.get("is_active") is False and own:
            raise Conflict("you cannot deactivate yourself", field="is_active")
        for name, value in data.items():
            setattr(employee, name, value)
        await db.flush()
        await db.refresh(employee)
        changes = diff(before, audit_service.snapshot(employee))
        changes.pop("updated_at", None)
        if changes:
            await audit_service.record(db, who, "update", "employee", employee.id, changes)
        if before["is_active"] and not employee.is_active:
            await auth_service.end_sessions(db, who, employee.id)
            # A link must not come back to life when they are reactivated.
            await invitation_service.revoke_open(db, who, employee.id)
        return employee

    async def delete(self, db: AsyncSession, who: Principal, employee_id: uuid.UUID) -> None:
        """Delete an employee without history; a department manager or an employee with
        history is refused with 409 (deactivate instead)."""
        employee = await repository.get_employee(db, employee_id, lock=True)
        if employee is None:
            raise NotFound("employee")
        if employee.id == who.employee_id:
            raise Conflict("you cannot delete yourself", field="id")
        await self._check_target(db, who, employee)
        managed = await repository.departments_managed_by(db, employee.id)
        if managed:
            raise Conflict(
                f"{employee.firstname} {employee.lastname} manages {', '.join(managed)}; "
                "assign another manager first",
                field="manager_id",
            )
        before = audit_service.snapshot(employee)
        await invitation_service.revoke_open(db, who, employee.id)
        await _delete_or_conflict(
            db,
            employee,
            "the employee has history (time entries, documents, messages); "
            "deactivate them instead (PATCH is_active=false)",
        )
        await audit_service.record(db, who, "delete", "employee", employee_id, diff(before, None))

    async def set_password(
        self, db: AsyncSession, who: Principal, employee_id: uuid.UUID, password: str
    ) -> None:
        """Set another employee's password; their open sessions end."""
        employee = await repository.get_employee(db, employee_id, lock=True)
        if employee is None:
            raise NotFound("employee")
        await self._check_target(db, who, employee)
        await auth_service.set_password(db, who, employee, password)

    async def me(self, db: AsyncSession, who: Principal) -> MeRead:
        """The caller with their role's name and permissions as they stand now."""
        return await self.me_of(db, await auth_service.me(db, who))

    async def me_of(self, db: AsyncSession, employee: Employee) -> MeRead:
        """An employee with their role's name and permissions (never the password hash)."""
        role = await repository.get_role(db, employee.role_id)
        return MeRead(
            **EmployeeRead.model_validate(employee).model_dump(),
            role_name=role.name if role else "",
            permissions=role.permissions if role else {},
        )

    async def update_profile(
        self, db: AsyncSession, who: Principal, data: dict[str, Any]
    ) -> MeRead:
        """Change one's own name and language; nothing that grants rights."""
        _no_nulls(data, ("firstname", "lastname", "locale"))
        employee = await auth_service.me(db, who)
        before = audit_service.snapshot(employee)
        for name in ("firstname", "lastname", "locale"):
            if name in data:
                setattr(employee, name, data[name])
        await db.flush()
        await db.refresh(employee)
        changes = diff(before, audit_service.snapshot(employee))
        changes.pop("updated_at", None)
        if changes:
            await audit_service.record(db, who, "update", "employee", employee.id, changes)
        return await self.me(db, who)

    async def create_admin(
        self, db: AsyncSession, *, email: str, firstname: str, lastname: str, password: str
    ) -> Employee:
        """Create an active employee with the Admin role (the CLI's first account)."""
        role = await repository.get_role_by_name(db, ADMIN_ROLE)
        if role is None:
            raise Invalid("the Admin role is missing; run 'workmate db upgrade'", field="role")
        try:
            data = EmployeeCreate(
                email=email,
                firstname=firstname,
                lastname=lastname,
                role_id=role.id,
                password=password,
            )
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(p) for p in first.get("loc", ())) or None
            raise Invalid(f"{field}: {first.get('msg')}", field=field) from None
        return await self.create(db, None, data)


class DepartmentService:
    async def search(
        self, db: AsyncSession, paging: PageParams, *, q: str | None = None, sort: str = "name"
    ) -> tuple[list[Department], int]:
        """Departments matching the filter, in a stable order, with the total."""
        column, desc = parse_sort(sort, repository.DEPARTMENT_SORTS)
        stmt = repository.departments_query(q=q)
        order = repository.ordered(stmt, column, desc, Department.id)
        return await repository.page(db, stmt, order, paging.limit, paging.offset)

    async def get(self, db: AsyncSession, department_id: uuid.UUID) -> Department:
        """One department, 404 if unknown."""
        department = await repository.get_department(db, department_id)
        if department is None:
            raise NotFound("department")
        return department

    async def _check_manager(self, db: AsyncSession, manager_id: uuid.UUID | None) -> None:
        if manager_id is None:
            return
        manager = await repository.get_employee(db, manager_id)
        if manager is None:
            raise Invalid("manager_id: no such employee", field="manager_id")
        if not manager.is_active:
            raise Invalid("manager_id: the employee is deactivated", field="manager_id")

    async def create(self, db: AsyncSession, who: Principal, data: DepartmentCreate) -> Department:
        """Create a department: unique name, the manager must be an active employee."""
        if await repository.department_name_taken(db, data.name):
            raise Conflict("a department with this name exists", field="name")
        await self._check_manager(db, data.manager_id)
        department = Department(id=uuid.uuid4(), name=data.name, manager_id=data.manager_id)
        db.add(department)
        await db.flush()
        await db.refresh(department)
        await audit_service.record(
            db,
            who,
            "create",
            "department",
            department.id,
            diff(None, audit_service.snapshot(department)),
        )
        return department

    async def update(
        self, db: AsyncSession, who: Principal, department_id: uuid.UUID, data: dict[str, Any]
    ) -> Department:
        """Rename a department or change (or clear) its manager."""
        _no_nulls(data, ("name",))
        department = await repository.get_department(db, department_id, lock=True)
        if department is None:
            raise NotFound("department")
        before = audit_service.snapshot(department)
        if "name" in data and await repository.department_name_taken(
            db, data["name"], except_id=department.id
        ):
            raise Conflict("a department with this name exists", field="name")
        if "manager_id" in data:
            await self._check_manager(db, data["manager_id"])
        for name, value in data.items():
            setattr(department, name, value)
        await db.flush()
        await db.refresh(department)
        changes = diff(before, audit_service.snapshot(department))
        changes.pop("updated_at", None)
        if changes:
            await audit_service.record(db, who, "update", "department", department.id, changes)
        return department

    async def delete(self, db: AsyncSession, who: Principal, department_id: uuid.UUID) -> None:
        """Delete a department; its employees keep working without one."""
        department = await repository.get_department(db, department_id, lock=True)
        if department is None:
            raise NotFound("department")
        before = audit_service.snapshot(department)
        await _delete_or_conflict(
            db, department, "the department is still referred to (projects); reassign them first"
        )
        await audit_service.record(
            db, who, "delete", "department", department_id, diff(before, None)
        )


class RoleService:
    async def search(
        self, db: AsyncSession, paging: PageParams, *, q: str | None = None, sort: str = "name"
    ) -> tuple[list[Role], int]:
        """Roles matching the filter, in a stable order, with the total."""
        column, desc = parse_sort(sort, repository.ROLE_SORTS)
        stmt = repository.roles_query(q=q)
        order = repository.ordered(stmt, column, desc, Role.id)
        return await repository.page(db, stmt, order, paging.limit, paging.offset)

    async def get(self, db: AsyncSession, role_id: uuid.UUID) -> Role:
        """One role, 404 if unknown."""
        role = await repository.get_role(db, role_id)
        if role is None:
            raise NotFound("role")
        return role

    @staticmethod
    def _permissions(data: Any) -> dict[str, list[str]]:
        try:
            return validate_permissions(data)
        except PermissionError_ as exc:
            raise Invalid(str(exc), field=exc.field) from None

    async def create(self, db: AsyncSession, who: Principal, data: RoleCreate) -> Role:
        """Create a role: unique name, permissions from the known vocabulary only."""
        permissions = self._permissions(data.permissions)
        if await repository.role_name_taken(db, data.name):
            raise Conflict("a role with this name exists", field="name")
        role = Role(id=uuid.uuid4(), name=data.name, permissions=permissions)
        db.add(role)
        await db.flush()
        await db.refresh(role)
        await audit_service.record(
            db, who, "create", "role", role.id, diff(None, audit_service.snapshot(role))
        )
        return role

    async def update(
        self, db: AsyncSession, who: Principal, role_id: uuid.UUID, data: dict[str, Any]
    ) -> Role:
        """Rename a role or replace its permissions; holders get them on their next request.
        Nobody takes admin_panel.access away from their own role (no lock-out)."""
        _no_nulls(data, ("name", "permissions"))
        role = await repository.get_role(db, role_id, lock=True)
        if role is None:
            raise NotFound("role")
        before = audit_service.snapshot(role)
        if "permissions" in data:
            data["permissions"] = self._permissions(data["permissions"])
            if role.id == who.role_id and not allows(data["permissions"], "admin_panel", "access"):
                raise Conflict(
                    "you cannot remove admin_panel access from your own role",
                    field="permissions.admin_panel",
                )
        if "name" in data and await repository.role_name_taken(db, data["name"], except_id=role.id):
            raise Conflict("a role with this name exists", field="name")
        for name, value in data.items():
            setattr(role, name, value)
        await db.flush()
        await db.refresh(role)
        changes = diff(before, audit_service.snapshot(role))
        changes.pop("updated_at", None)
        if changes:
            await audit_service.record(db, who, "update", "role", role.id, changes)
        return role

    async def delete(self, db: AsyncSession, who: Principal, role_id: uuid.UUID) -> None:
        """Delete a role nobody holds; otherwise 409 naming how many employees hold it."""
        role = await repository.get_role(db, role_id, lock=True)
        if role is None:
            raise NotFound("role")
        holders = await repository.role_holders(db, role.id)
        if holders:
            noun = "employee holds" if holders == 1 else "employees hold"
            raise Conflict(
                f"{holders} {noun} the role {role.name}; assign them another role first",
                field="role_id",
            )
        before = audit_service.snapshot(role)
        await _delete_or_conflict(db, role, f"the role {role.name} is still in use")
        await audit_service.record(db, who, "delete", "role", role_id, diff(before, None))


employee_service = EmployeeService()
department_service = DepartmentService()
role_service = RoleService()


INVITATION_DAYS = 7


def base_url(request: Request) -> str:
    """Where links for others point, without a trailing slash: WORKMATE_PUBLIC_URL, else the
    address the admin reached us by."""
    public = get_settings().public_url
    return (public or str(request.base_url)).rstrip("/")


def only_here(url: str) -> bool:
    """Whether a link points at this machine only (127.0.0.1, localhost): useless to others."""
    host = urlsplit(url).hostname or ""
    return host == "localhost" or host.startswith("127.") or host == "::1"


@dataclass(frozen=True, slots=True)
class NewInvitation:
    """A fresh invitation: its link (shown once to the admin) and the e-mail queued to the
    employee with the same link."""

    invitation: Invitation
    url: str
    message: OutboxMessage


class InvitationInvalid(Invalid):
    """An invitation link that is unknown, used, revoked or expired."""

    def __init__(self) -> None:
        super().__init__(
            "this invitation link is invalid, used or expired; ask for a new one", field="token"
        )


class InvitationService:
    async def invite(
        self, db: AsyncSession, who: Principal, employee_id: uuid.UUID, base: str
    ) -> NewInvitation:
        """A one-time set-password link (on the address `base`) for an active employee, valid
        7 days, and an e-mail with it to the employee in the same transaction; older open
        links of theirs are revoked and their waiting e-mails withdrawn. Only the link's
        SHA-256 is stored; the outbox keeps the link beside the body until delivery."""
        employee = await repository.get_employee(db, employee_id, lock=True)
        if employee is None:
            raise NotFound("employee")
        await employee_service._check_target(db, who, employee)
        if not employee.is_active:
            raise Conflict("the employee is deactivated; activate them first", field="is_active")
        now = clock.now()
        await self.revoke_open(db, who, employee.id)
        secret = new_secret()
        invitation = Invitation(
            id=uuid.uuid4(),
            employee_id=employee.id,
            token_hash=digest(secret),
            expires_at=now + timedelta(days=INVITATION_DAYS),
        )
        db.add(invitation)
        await db.flush()
        await audit_service.record(db, who, "invite", "employee", employee.id)
        url = f"{base}/invitation/{secret}"
        message = await self._mail(db, who, employee, invitation, url)
        return NewInvitation(invitation, url, message)

    async def revoke_open(
        self, db: AsyncSession, who: Principal | None, employee_id: uuid.UUID
    ) -> None:
        """End the employee's open invitation links and withdraw the e-mails still waiting
        with them (a new link, deactivation, deletion)."""
        revoked = await db.scalars(
            update(Invitation)
            .where(
                Invitation.employee_id == employee_id,
                Invitation.used_at.is_(None),
                Invitation.revoked_at.is_(None),
            )
            .values(revoked_at=clock.now())
            .returning(Invitation.id)
        )
        await outbox_service.withdraw(db, who, "invitation", revoked.all(), "invitation")

    async def _mail(
        self,
        db: AsyncSession,
        who: Principal,
        employee: Employee,
        invitation: Invitation,
        url: str,
    ) -> OutboxMessage:
        language = employee.locale if employee.locale in templates.BABEL else "de"
        company = await company_service.get(db)
        sender = company.name if company is not None and company.name else None
        if sender is None:
            # Before the company settings are filled in, the inviting admin signs.
            sender = (await repository.names(db, [who.employee_id])).get(who.employee_id)
        values = {
            "name": f"{employee.firstname} {employee.lastname}",
            "company": sender or "Workmate",
            "expires": templates.moment(invitation.expires_at, language),
            "email": employee.email,
            # The link stays a placeholder in the stored body (see outbox secret_link).
            "link": templates.LINK,
        }
        text = templates.INVITATION[language]
        return await outbox_service.enqueue(
            db,
            who,
            NewMessage(
                purpose="invitation",
                related_type="invitation",
                related_id=invitation.id,
                to=[employee.email],
                cc=[],
                subject=templates.fill(text.subject, values),
                body=templates.fill(text.body, values),
                language=language,
                secret_link=url,
            ),
        )

    async def is_open(self, db: AsyncSession, invitation_id: uuid.UUID) -> bool:
        """Whether an invitation can still be used: not used, revoked or expired, and its
        employee active (a waiting e-mail with it is withdrawn otherwise)."""
        invitation = await db.get(Invitation, invitation_id, populate_existing=True)
        if invitation is None or not self._usable(invitation):
            return False
        employee = await repository.get_employee(db, invitation.employee_id)
        return employee is not None and employee.is_active

    @staticmethod
    def _usable(invitation: Invitation) -> bool:
        return (
            invitation.used_at is None
            and invitation.revoked_at is None
            and invitation.expires_at > clock.now()
        )

    async def _open(self, db: AsyncSession, secret: str, *, lock: bool) -> Invitation:
        stmt = select(Invitation).where(Invitation.token_hash == digest(secret))
        if lock:
            stmt = stmt.with_for_update()
        invitation = await db.scalar(stmt)
        if invitation is None or not self._usable(invitation):
            raise InvitationInvalid
        return invitation

    async def employee_for(self, db: AsyncSession, secret: str) -> Employee:
        """The active employee an open invitation is for; refused if used, revoked or expired."""
        invitation = await self._open(db, secret, lock=False)
        employee = await repository.get_employee(db, invitation.employee_id)
        if employee is None or not employee.is_active:
            raise InvitationInvalid
        return employee

    async def accept(self, db: AsyncSession, secret: str, password: str) -> Employee:
        """Set the password through an open invitation (same password rules); the link is
        used up at once."""
        invitation = await self._open(db, secret, lock=True)
        employee = await repository.get_employee(db, invitation.employee_id, lock=True)
        if employee is None or not employee.is_active:
            raise InvitationInvalid
        await auth_service.set_password(db, None, employee, password)
        invitation.used_at = clock.now()
        await db.flush()
        # The link is used up: an e-mail with it still waiting goes nowhere.
        await outbox_service.withdraw(db, None, "invitation", [invitation.id], "invitation")
        return employee


invitation_service = InvitationService()

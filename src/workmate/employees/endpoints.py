"""HTTP routes for organisation (thin: validate, call the service, shape the answer)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from workmate.db import SessionDep
from workmate.employees.auth import EmployeesDelete, EmployeesRead, EmployeesWrite, OrgAdmin
from workmate.employees.schemas import (
    DepartmentCreate,
    DepartmentRead,
    DepartmentUpdate,
    EmployeeCreate,
    EmployeeRead,
    EmployeeUpdate,
    InvitationRead,
    PasswordSet,
    RoleCreate,
    RoleRead,
    RoleUpdate,
)
from workmate.employees.service import (
    base_url,
    department_service,
    employee_service,
    invitation_service,
    role_service,
)
from workmate.models import Department, Employee, Role
from workmate.pagination import Page, Paging

router = APIRouter(prefix="", tags=["organisation"])

Search = Annotated[str | None, Query(max_length=100, description="Text contained in the name.")]


@router.get("/employees", response_model=Page[EmployeeRead])
async def list_employees(
    who: EmployeesRead,
    db: SessionDep,
    paging: Paging,
    q: Search = None,
    role_id: uuid.UUID | None = None,
    department_id: uuid.UUID | None = None,
    is_active: bool | None = None,
    sort: Annotated[
        str,
        Query(
            max_length=20, description="lastname, firstname, email or created_at; - for descending"
        ),
    ] = "lastname",
) -> Page[EmployeeRead]:
    """Employees, filtered by text, role, department and activity; stable order, with total."""
    items, total = await employee_service.search(
        db,
        paging,
        q=q,
        role_id=role_id,
        department_id=department_id,
        is_active=is_active,
        sort=sort,
    )
    return Page(
        items=[EmployeeRead.model_validate(e) for e in items],
        total=total,
        limit=paging.limit,
        offset=paging.offset,
    )


@router.post("/employees", response_model=EmployeeRead, status_code=status.HTTP_201_CREATED)
async def create_employee(data: EmployeeCreate, who: EmployeesWrite, db: SessionDep) -> Employee:
    """Create an employee; email unique regardless of case, role and department must exist."""
    return await employee_service.create(db, who, data)


@router.get("/employees/{employee_id}", response_model=EmployeeRead)
async def get_employee(employee_id: uuid.UUID, who: EmployeesRead, db: SessionDep) -> Employee:
    """One employee."""
    return await employee_service.get(db, employee_id)


@router.patch("/employees/{employee_id}", response_model=EmployeeRead)
async def update_employee(
    employee_id: uuid.UUID, data: EmployeeUpdate, who: EmployeesWrite, db: SessionDep
) -> Employee:
    """Change an employee (deactivate with is_active=false); effective on their next request."""
    return await employee_service.update(db, who, employee_id, data.model_dump(exclude_unset=True))


@router.delete("/employees/{employee_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_employee(employee_id: uuid.UUID, who: EmployeesDelete, db: SessionDep) -> Response:
    """Delete an employee without history; managers and employees with history get 409."""
    await employee_service.delete(db, who, employee_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.put("/employees/{employee_id}/password", status_code=status.HTTP_204_NO_CONTENT)
async def set_employee_password(
    employee_id: uuid.UUID, data: PasswordSet, who: EmployeesWrite, db: SessionDep
) -> Response:
    """Set an employee's password (a reset); their open sessions end and their API tokens
    are revoked."""
    await employee_service.set_password(db, who, employee_id, data.password)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/employees/{employee_id}/invitation",
    response_model=InvitationRead,
    status_code=status.HTTP_201_CREATED,
)
async def invite_employee(
    employee_id: uuid.UUID, request: Request, who: EmployeesWrite, db: SessionDep
) -> InvitationRead:
    """A one-time set-password link for the employee, valid 7 days, also e-mailed to them
    through the outbox; older links are revoked."""
    new = await invitation_service.invite(db, who, employee_id, base_url(request))
    return InvitationRead(
        url=new.url,
        expires_at=new.invitation.expires_at,
        message_id=new.message.id,
        emailed_to=new.message.to_addresses[0],
    )


@router.get("/departments", response_model=Page[DepartmentRead])
async def list_departments(
    who: EmployeesRead,
    db: SessionDep,
    paging: Paging,
    q: Search = None,
    sort: Annotated[
        str, Query(max_length=20, description="name or created_at; - for descending")
    ] = "name",
) -> Page[DepartmentRead]:
    """Departments, filtered by name; stable order, with total."""
    items, total = await department_service.search(db, paging, q=q, sort=sort)
    return Page(
        items=[DepartmentRead.model_validate(d) for d in items],
        total=total,
        limit=paging.limit,
        offset=paging.offset,
    )


@router.post("/departments", response_model=DepartmentRead, status_code=status.HTTP_201_CREATED)
async def create_department(data: DepartmentCreate, who: OrgAdmin, db: SessionDep) -> Department:
    """Create a department; unique name, the manager must be an active employee."""
    return await department_service.create(db, who, data)


@router.get("/departments/{department_id}", response_model=DepartmentRead)
async def get_department(
    department_id: uuid.UUID, who: EmployeesRead, db: SessionDep
) -> Department:
    """One department."""
    return await department_service.get(db, department_id)


@router.patch("/departments/{department_id}", response_model=DepartmentRead)
async def update_department(
    department_id: uuid.UUID, data: DepartmentUpdate, who: OrgAdmin, db: SessionDep
) -> Department:
    """Rename a department or change its manager (null clears it)."""
    return await department_service.update(
        db, who, department_id, data.model_dump(exclude_unset=True)
    )


@router.delete("/departments/{department_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_department(department_id: uuid.UUID, who: OrgAdmin, db: SessionDep) -> Response:
    """Delete a department; its employees stay, without a department."""
    await department_service.delete(db, who, department_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/roles", response_model=Page[RoleRead])
async def list_roles(
    who: EmployeesRead,
    db: SessionDep,
    paging: Paging,
    q: Search = None,
    sort: Annotated[
        str, Query(max_length=20, description="name or created_at; - for descending")
    ] = "name",
) -> Page[RoleRead]:
    """Roles with their permissions, filtered by name; stable order, with total."""
    items, total = await role_service.search(db, paging, q=q, sort=sort)
    return Page(
        items=[RoleRead.model_validate(r) for r in items],
        total=total,
        limit=paging.limit,
        offset=paging.offset,
    )


@router.post("/roles", response_model=RoleRead, status_code=status.HTTP_201_CREATED)
async def create_role(data: RoleCreate, who: OrgAdmin, db: SessionDep) -> Role:
    """Create a role; permissions must name known modules and actions (422 naming the module)."""
    return await role_service.create(db, who, data)


@router.get("/roles/{role_id}", response_model=RoleRead)
async def get_role(role_id: uuid.UUID, who: EmployeesRead, db: SessionDep) -> Role:
    """One role with its permissions."""
    return await role_service.get(db, role_id)


@router.patch("/roles/{role_id}", response_model=RoleRead)
async def update_role(role_id: uuid.UUID, data: RoleUpdate, who: OrgAdmin, db: SessionDep) -> Role:
    """Rename a role or replace its permissions; holders get them on their next request."""
    return await role_service.update(db, who, role_id, data.model_dump(exclude_unset=True))


@router.delete("/roles/{role_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_role(role_id: uuid.UUID, who: OrgAdmin, db: SessionDep) -> Response:
    """Delete a role nobody holds; 409 naming how many employees still hold it."""
    await role_service.delete(db, who, role_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)

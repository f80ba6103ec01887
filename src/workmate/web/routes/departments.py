"""Admin area: departments (list, create, rename, set or clear the manager, delete).

Every change goes through workmate.employees.service.department_service, which checks the
unique name, that a manager is an active employee and that nothing still refers to a
department being deleted.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from workmate.auth.deps import require
from workmate.auth.principal import Principal
from workmate.db import SessionDep
from workmate.employees.schemas import DepartmentCreate, DepartmentUpdate
from workmate.employees.service import department_service, employee_service
from workmate.pagination import MAX_LIMIT, PageParams
from workmate.web.forms import (
    FORM,
    REFUSALS,
    FieldErrors,
    blank_to_none,
    domain_error,
    parse,
    refusal,
)
from workmate.web.i18n import formatter
from workmate.web.render import render
from workmate.web.routes.common import form_data, page_numbers, see_other, undo
from workmate.web.routes.timer import timer_context

router = APIRouter(prefix="/admin/departments")

# Departments shape the organisation: an admin area, as in the API (OrgAdmin).
OrgAdmin = Annotated[Principal, Depends(require("admin_panel", "access"))]
# Showing managers by name reads employees.
READS_EMPLOYEES = [Depends(require("employees", "read"))]
FIELDS = ("name", "manager_id")
PER_PAGE = 25


async def _managers(db: AsyncSession) -> list[tuple[str, str]]:
    """Active employees a department may be led by, for the select box."""
    active, _ = await employee_service.search(
        db, PageParams(limit=MAX_LIMIT, offset=0), is_active=True
    )
    return [(str(e.id), f"{e.firstname} {e.lastname}") for e in active]


async def _names(db: AsyncSession, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    names: dict[uuid.UUID, str] = {}
    for employee_id in ids:
        e = await employee_service.get(db, employee_id)
        names[employee_id] = f"{e.firstname} {e.lastname}"
    return names


async def _list_page(
    request: Request,
    who: Principal,
    db: AsyncSession,
    *,
    page: int = 1,
    values: dict[str, Any] | None = None,
    errors: FieldErrors | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> Response:
    departments, total = await department_service.search(
        db, PageParams(limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
    )
    managers = await _names(db, {d.manager_id for d in departments if d.manager_id})
    return render(
        request,
        "admin/departments.html",
        who,
        status_code=status_code,
        timer=await timer_context(db, who),
        departments=departments,
        manager_names=managers,
        manager_options=[("", "–"), *await _managers(db)],
        values=values or {},
        errors=errors or {},
        paging=page_numbers(page, PER_PAGE, total),
        notice=notice,
    )


@router.get("", dependencies=READS_EMPLOYEES)
async def departments(
    request: Request,
    who: OrgAdmin,
    db: SessionDep,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    saved: bool = False,
    deleted: bool = False,
) -> Response:
    """All departments with their manager, and a form for a new one."""
    fmt = formatter(who.locale)
    notice = (
        fmt.gettext("Saved.")
        if saved
        else fmt.gettext("The department was deleted.")
        if deleted
        else None
    )
    return await _list_page(request, who, db, page=page, notice=notice)


@router.post("", dependencies=READS_EMPLOYEES)
async def create_department(request: Request, who: OrgAdmin, db: SessionDep) -> Response:
    """Create through the department service (unique name, active manager)."""
    fmt = formatter(who.locale)
    raw = {k: v for k, v in (await form_data(request)).items() if k in FIELDS}
    parsed, errors = parse(DepartmentCreate, blank_to_none(raw, keep=("name",)), fmt)
    if parsed is not None:
        try:
            await department_service.create(db, who, parsed)
        except REFUSALS as exc:
            await undo(db, exc)
            errors = domain_error(exc, FIELDS)
        else:
            return see_other("/admin/departments?saved=1")
    return await _list_page(request, who, db, values=raw, errors=errors, status_code=422)


async def _edit_page(
    request: Request,
    who: Principal,
    db: AsyncSession,
    department_id: uuid.UUID,
    values: dict[str, Any],
    errors: FieldErrors,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "admin/department.html",
        who,
        status_code=status_code,
        timer=await timer_context(db, who),
        department_id=department_id,
        values=values,
        errors=errors,
        manager_options=[("", "–"), *await _managers(db)],
    )


@router.get("/{department_id}", dependencies=READS_EMPLOYEES)
async def edit_department(
    request: Request, department_id: uuid.UUID, who: OrgAdmin, db: SessionDep
) -> Response:
    """Rename the department or change its manager; delete it."""
    d = await department_service.get(db, department_id)
    values = {"name": d.name, "manager_id": str(d.manager_id) if d.manager_id else ""}
    return await _edit_page(request, who, db, department_id, values, {})


@router.post("/{department_id}", dependencies=READS_EMPLOYEES)
async def update_department(
    request: Request, department_id: uuid.UUID, who: OrgAdmin, db: SessionDep
) -> Response:
    """Save the name and manager (an empty manager clears it)."""
    fmt = formatter(who.locale)
    raw = {k: v for k, v in (await form_data(request)).items() if k in FIELDS}
    data = blank_to_none(raw, keep=("name",))
    data.setdefault("manager_id", None)
    parsed, errors = parse(DepartmentUpdate, data, fmt)
    if parsed is not None:
        try:
            await department_service.update(
                db, who, department_id, parsed.model_dump(include=set(FIELDS))
            )
        except REFUSALS as exc:
            await undo(db, exc)
            errors = domain_error(exc, FIELDS)
        else:
            return see_other("/admin/departments?saved=1")
    return await _edit_page(request, who, db, department_id, raw, errors, status_code=422)


@router.post("/{department_id}/delete", dependencies=READS_EMPLOYEES)
async def delete_department(
    request: Request, department_id: uuid.UUID, who: OrgAdmin, db: SessionDep
) -> Response:
    """Delete; employees stay without a department, projects referring to it refuse."""
    try:
        await department_service.delete(db, who, department_id)
    except REFUSALS as exc:
        await undo(db, exc)
        d = await department_service.get(db, department_id)
        values = {"name": d.name, "manager_id": str(d.manager_id) if d.manager_id else ""}
        return await _edit_page(
            request, who, db, department_id, values, {FORM: refusal(exc)}, status_code=409
        )
    return see_other("/admin/departments?deleted=1")

"""HTTP routes for projects (thin: validate, call the service, shape the answer)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from workmate.db import SessionDep, read_only
from workmate.models import Project
from workmate.pagination import Page, Paging
from workmate.projects.auth import ProjectsDelete, ProjectsRead, ProjectsWrite
from workmate.projects.members import MemberRead, member_service
from workmate.projects.schemas import (
    ProjectCreate,
    ProjectOverview,
    ProjectRead,
    ProjectStatus,
    ProjectUpdate,
)
from workmate.projects.service import project_service
from workmate.reads import ReaderDep, json_response, page_response

router = APIRouter(prefix="/projects", tags=["projects"])


@router.get("", response_model=Page[ProjectRead])
@read_only
async def list_projects(
    who: ProjectsRead,
    db: SessionDep,
    paging: Paging,
    customer_id: uuid.UUID | None = None,
    department_id: uuid.UUID | None = None,
    status: ProjectStatus | None = None,
    q: Annotated[str | None, Query(max_length=200, description="Part of the title.")] = None,
) -> Response:
    """List projects, filtered by customer, department, status or title."""
    items, total = await project_service.list(
        db,
        customer_id=customer_id,
        department_id=department_id,
        status=status,
        q=q,
        limit=paging.limit,
        offset=paging.offset,
        as_json=True,
    )
    return page_response(items, total, paging)


@router.post("", response_model=ProjectRead, status_code=201)
async def create_project(data: ProjectCreate, who: ProjectsWrite, db: SessionDep) -> Project:
    """Create a project for a customer; end_date must not precede start_date."""
    return await project_service.create(db, who, data)


@router.get("/{project_id}", response_model=ProjectRead)
@read_only
async def get_project(project_id: uuid.UUID, who: ProjectsRead, reader: ReaderDep) -> Response:
    """One project."""
    return json_response(await project_service.get_json(reader, project_id))


@router.patch("/{project_id}", response_model=ProjectRead)
async def update_project(
    project_id: uuid.UUID, data: ProjectUpdate, who: ProjectsWrite, db: SessionDep
) -> Project:
    """Change a project; status moves planned->in_progress->completed, open->cancelled."""
    return await project_service.update(db, who, project_id, data)


@router.delete("/{project_id}", status_code=204)
async def delete_project(project_id: uuid.UUID, who: ProjectsDelete, db: SessionDep) -> Response:
    """Delete a project without booked time or invoices; otherwise 409 (cancel it)."""
    await project_service.delete(db, who, project_id)
    return Response(status_code=204)


@router.get("/{project_id}/overview", response_model=ProjectOverview)
async def project_overview(
    project_id: uuid.UUID, who: ProjectsRead, db: SessionDep
) -> ProjectOverview:
    """Hours booked, billable value, invoiced, paid, expenses and margin of a project."""
    return await project_service.overview(db, who, project_id)


@router.get("/{project_id}/members", response_model=list[MemberRead])
async def list_members(project_id: uuid.UUID, who: ProjectsRead, db: SessionDep) -> Any:
    """The project's members (besides its department and projects.write holders, the only
    ones who read and post in its chat)."""
    return await member_service.list(db, project_id)


@router.put("/{project_id}/members/{employee_id}", status_code=204)
async def add_member(
    project_id: uuid.UUID, employee_id: uuid.UUID, who: ProjectsWrite, db: SessionDep
) -> Response:
    """Put an employee on the project (idempotent); booking time never does this."""
    await member_service.add(db, who, project_id, employee_id)
    return Response(status_code=204)


@router.delete("/{project_id}/members/{employee_id}", status_code=204)
async def remove_member(
    project_id: uuid.UUID, employee_id: uuid.UUID, who: ProjectsWrite, db: SessionDep
) -> Response:
    """Take an employee off the project; their chat access ends with the next delivery."""
    await member_service.remove(db, who, project_id, employee_id)
    return Response(status_code=204)

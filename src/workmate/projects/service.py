"""Project rules: links must exist, dates in order, status moves only along the allowed paths."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from workmate.audit.service import audit_service, diff
from workmate.auth.principal import Principal
from workmate.customers.service import customer_service
from workmate.errors import Conflict, Invalid, NotFound, msg
from workmate.models import Project
from workmate.projects import repository as repo
from workmate.projects.schemas import ProjectCreate, ProjectOverview, ProjectUpdate
from workmate.reads import Reader

# planned -> in_progress -> completed; any open state -> cancelled. Terminal states stay.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "planned": ("in_progress", "cancelled"),
    "in_progress": ("completed", "cancelled"),
    "completed": (),
    "cancelled": (),
}


class ProjectService:
    async def list(
        self,
        db: AsyncSession,
        *,
        customer_id: uuid.UUID | None = None,
        department_id: uuid.UUID | None = None,
        status: str | None = None,
        q: str | None = None,
        limit: int = 50,
        offset: int = 0,
        as_json: bool = False,
    ) -> tuple[Sequence[Any], int]:
        """Projects matching the filters; items and total share one filter (`as_json`: the
        items as ProjectRead's JSON text, for the API's bytes path)."""
        where = repo.filtered(
            customer_id=customer_id, department_id=department_id, status=status, q=q
        )
        return await repo.list_projects(db, where, limit, offset, as_json=as_json)

    async def choices(
        self,
        db: AsyncSession,
        statuses: Sequence[str] | None = None,
        ids: Collection[uuid.UUID] = (),
        limit: int = 500,
    ) -> Sequence[Any]:
        """Projects for pickers and lists, with their customer's name, sorted by customer and
        title, in one statement: those in `statuses` plus those named in `ids`."""
        return await repo.choices(db, statuses, ids, limit)

    async def get(self, db: AsyncSession, project_id: uuid.UUID) -> Project:
        """One project or 404."""
        project = await repo.get(db, project_id)
        if project is None:
            raise NotFound("project")
        return project

    async def get_json(self, reader: Reader, project_id: uuid.UUID) -> str:
        """One project as JSON built by PostgreSQL (the API's bytes path), or 404."""
        body = await repo.get_json(reader, project_id)
        if body is None:
            raise NotFound("project")
        return body

    async def check_for_customer(
        self, db: AsyncSession, project_id: uuid.UUID | None, customer_id: uuid.UUID
    ) -> None:
        """A quote's or invoice's project, if any, must exist and belong to its customer."""
        if project_id is None:
            return
        project = await db.get(Project, project_id)
        if project is None:
            raise Invalid("project does not exist", field="project_id")
        if project.customer_id != customer_id:
            raise Invalid("project belongs to another customer", field="project_id")

    async def _check_links(
        self, db: AsyncSession, customer_id: uuid.UUID | None, department_id: uuid.UUID | None
    ) -> None:
        if customer_id is not None:
            await customer_service.billable(db, customer_id)
        if department_id is not None and not await repo.department_exists(db, department_id):
            raise Invalid("department does not exist", field="department_id")

    @staticmethod
    def _check_dates(project: Project) -> None:
        if project.start_date and project.end_date and project.end_date < project.start_date:
            raise Invalid("end_date must be on or after start_date", field="end_date")

    async def create(self, db: AsyncSession, who: Principal | None, data: ProjectCreate) -> Project:
        """Create a project for an existing customer (and department); end_date >= start_date."""
        await self._check_links(db, data.customer_id, data.department_id)
        project = Project(id=uuid.uuid4(), **data.model_dump())
        self._check_dates(project)
        db.add(project)
        await db.flush()
        await audit_service.record(
            db, who, "create", "project", project.id, diff(None, audit_service.snapshot(project))
        )
        return project

    async def update(
        self, db: AsyncSession, who: Principal, project_id: uuid.UUID, data: ProjectUpdate
    ) -> Project:
        """Change fields; status only planned->in_progress->completed or open->cancelled (409)."""
        project = await repo.get(db, project_id, lock=True)
        if project is None:
            raise NotFound("project")
        changes = data.model_dump(exclude_unset=True)
        for key in ("customer_id", "title", "status"):
            if key in changes and changes[key] is None:
                raise Invalid("{field} cannot be empty", field=key, params={"field": key})
        new_status = changes.get("status")
        if new_status is not None and new_status != project.status:
            allowed = TRANSITIONS[project.status]
            if new_status not in allowed:
                raise Conflict(
                    "a {status} project cannot become {new}; allowed: {moves}",
                    field="status",
                    params={
                        "status": project.status,
                        "new": new_status,
                        "moves": ", ".join(allowed) or msg("none (final state)"),
                    },
                )
        await self._check_links(db, changes.get("customer_id"), changes.get("department_id"))
        before = audit_service.snapshot(project)
        for key, value in changes.items():
            setattr(project, key, value)
        self._check_dates(project)
        await db.flush()
        await audit_service.record(
            db, who, "update", "project", project.id, diff(before, audit_service.snapshot(project))
        )
        return project

    async def delete(self, db: AsyncSession, who: Principal, project_id: uuid.UUID) -> None:
        """Delete a project nobody booked time on or invoiced; otherwise 409 (cancel it)."""
        project = await repo.get(db, project_id, lock=True)
        if project is None:
            raise NotFound("project")
        if await repo.is_referenced(db, project_id):
            raise Conflict(
                "the project has booked time or invoices; cancel it instead of deleting",
                field="id",
            )
        before = audit_service.snapshot(project)
        await db.delete(project)
        await db.flush()
        await audit_service.record(db, who, "delete", "project", project_id, diff(before, None))

    async def overview(
        self, db: AsyncSession, who: Principal, project_id: uuid.UUID
    ) -> ProjectOverview:
        """Hours, billable value, invoiced, paid, expenses and margin, computed in SQL; the
        invoice figures only for who may read invoices, expenses for who may read expenses."""
        figures: dict[str, Decimal | None] = dict(await repo.overview(db, project_id) or {})
        if not figures:
            raise NotFound("project")
        if not who.can("invoices", "read"):
            figures.update(invoiced=None, paid=None, margin=None)
        if not who.can("expenses", "read"):
            figures.update(expenses=None, margin=None)
        return ProjectOverview(project_id=project_id, **figures)


project_service = ProjectService()

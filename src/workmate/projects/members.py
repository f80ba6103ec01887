"""Project members: who is on a project besides its department and projects.write holders.

Membership is given by a projects.write holder, never by booking time; it decides who may read
and post in the project's chat (workmate.chat).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict
from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from workmate.audit.service import audit_service
from workmate.auth.principal import Principal
from workmate.errors import Invalid, NotFound
from workmate.models import Employee, Project, ProjectMember


class MemberRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    employee_id: uuid.UUID
    firstname: str
    lastname: str
    added_by: uuid.UUID | None
    created_at: datetime


class MemberService:
    async def list(self, db: AsyncSession, project_id: uuid.UUID) -> list[MemberRead]:
        """The project's members, by name."""
        await self._project(db, project_id)
        rows = await db.execute(
            select(
                ProjectMember.employee_id,
                Employee.firstname,
                Employee.lastname,
                ProjectMember.added_by,
                ProjectMember.created_at,
            )
            .join(Employee, Employee.id == ProjectMember.employee_id)
            .where(ProjectMember.project_id == project_id)
            .order_by(Employee.lastname, Employee.firstname, Employee.id)
        )
        return [MemberRead.model_validate(dict(r._mapping)) for r in rows]

    async def add(
        self, db: AsyncSession, who: Principal, project_id: uuid.UUID, employee_id: uuid.UUID
    ) -> None:
        """Put an employee on the project (idempotent); audited."""
        await self._project(db, project_id)
        if await db.get(Employee, employee_id) is None:
            raise Invalid("employee_id: no such employee", field="employee_id")
        added = await db.execute(
            insert(ProjectMember)
            .values(project_id=project_id, employee_id=employee_id, added_by=who.employee_id)
            .on_conflict_do_nothing()
            .returning(ProjectMember.employee_id)
        )
        if added.first() is not None:
            await audit_service.record(
                db, who, "add_member", "project", project_id, {"member": [None, str(employee_id)]}
            )

    async def remove(
        self, db: AsyncSession, who: Principal, project_id: uuid.UUID, employee_id: uuid.UUID
    ) -> None:
        """Take an employee off the project; 404 when they are not a member."""
        await self._project(db, project_id)
        removed = await db.execute(
            delete(ProjectMember)
            .where(ProjectMember.project_id == project_id, ProjectMember.employee_id == employee_id)
            .returning(ProjectMember.employee_id)
        )
        if removed.first() is None:
            raise NotFound("project member", field="employee_id")
        await audit_service.record(
            db, who, "remove_member", "project", project_id, {"member": [str(employee_id), None]}
        )

    @staticmethod
    async def _project(db: AsyncSession, project_id: uuid.UUID) -> None:
        if await db.get(Project, project_id) is None:
            raise NotFound("project")


member_service = MemberService()

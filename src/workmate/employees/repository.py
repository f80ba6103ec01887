"""SQL for employees, departments and roles. One query builder per list serves items and count."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from workmate.models import Department, Employee, Role

EMPLOYEE_SORTS: dict[str, InstrumentedAttribute[Any]] = {
    "lastname": Employee.lastname,
    "firstname": Employee.firstname,
    "email": Employee.email,
    "created_at": Employee.created_at,
}
DEPARTMENT_SORTS: dict[str, InstrumentedAttribute[Any]] = {
    "name": Department.name,
    "created_at": Department.created_at,
}
ROLE_SORTS: dict[str, InstrumentedAttribute[Any]] = {
    "name": Role.name,
    "created_at": Role.created_at,
}


def contains(text: str) -> str:
    """An ILIKE pattern matching `text` anywhere, its own % and _ taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def ordered(stmt: Select[Any], column: InstrumentedAttribute[Any], desc: bool, pk: Any) -> Any:
    # The primary key breaks ties, so pages never overlap or skip rows.
    return stmt.order_by(column.desc() if desc else column.asc(), pk.desc() if desc else pk.asc())


async def page(
    db: AsyncSession, stmt: Select[Any], order: Any, limit: int, offset: int
) -> tuple[list[Any], int]:
    """Items of one page and the total, both from the same filtered statement."""
    total = await db.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    items = list((await db.scalars(order.limit(limit).offset(offset))).all())
    return items, int(total or 0)


def employees_query(
    *,
    q: str | None,
    role_id: uuid.UUID | None,
    department_id: uuid.UUID | None,
    is_active: bool | None,
) -> Select[Employee]:
    stmt = select(Employee)
    if q:
        pattern = contains(q)
        stmt = stmt.where(
            or_(
                Employee.firstname.ilike(pattern),
                Employee.lastname.ilike(pattern),
                Employee.email.ilike(pattern),
            )
        )
    if role_id is not None:
        stmt = stmt.where(Employee.role_id == role_id)
    if department_id is not None:
        stmt = stmt.where(Employee.department_id == department_id)
    if is_active is not None:
        stmt = stmt.where(Employee.is_active.is_(is_active))
    return stmt


def departments_query(*, q: str | None) -> Select[Department]:
    stmt = select(Department)
    if q:
        stmt = stmt.where(Department.name.ilike(contains(q)))
    return stmt


def roles_query(*, q: str | None) -> Select[Role]:
    stmt = select(Role)
    if q:
        stmt = stmt.where(Role.name.ilike(contains(q)))
    return stmt


async def get_employee(
    db: AsyncSession, employee_id: uuid.UUID, *, lock: bool = False
) -> Employee | None:
    stmt = select(Employee).where(Employee.id == employee_id)
    if lock:
        stmt = stmt.with_for_update()
    return await db.scalar(stmt)


async def email_taken(db: AsyncSession, email: str, except_id: uuid.UUID | None = None) -> bool:
    stmt = select(Employee.id).where(func.lower(Employee.email) == email.lower())
    if except_id is not None:
        stmt = stmt.where(Employee.id != except_id)
    return (await db.scalar(stmt.limit(1))) is not None


async def get_department(
    db: AsyncSession, department_id: uuid.UUID, *, lock: bool = False
) -> Department | None:
    stmt = select(Department).where(Department.id == department_id)
    if lock:
        stmt = stmt.with_for_update()
    return await db.scalar(stmt)


async def department_name_taken(
    db: AsyncSession, name: str, except_id: uuid.UUID | None = None
) -> bool:
    stmt = select(Department.id).where(Department.name == name)
    if except_id is not None:
        stmt = stmt.where(Department.id != except_id)
    return (await db.scalar(stmt.limit(1))) is not None


async def departments_managed_by(db: AsyncSession, employee_id: uuid.UUID) -> list[str]:
    stmt = select(Department.name).where(Department.manager_id == employee_id)
    return list((await db.scalars(stmt.order_by(Department.name))).all())


async def get_role(db: AsyncSession, role_id: uuid.UUID, *, lock: bool = False) -> Role | None:
    stmt = select(Role).where(Role.id == role_id)
    if lock:
        stmt = stmt.with_for_update()
    return await db.scalar(stmt)


async def get_role_by_name(db: AsyncSession, name: str) -> Role | None:
    return await db.scalar(select(Role).where(Role.name == name))


async def role_name_taken(db: AsyncSession, name: str, except_id: uuid.UUID | None = None) -> bool:
    stmt = select(Role.id).where(Role.name == name)
    if except_id is not None:
        stmt = stmt.where(Role.id != except_id)
    return (await db.scalar(stmt.limit(1))) is not None


async def role_holders(db: AsyncSession, role_id: uuid.UUID) -> int:
    stmt = select(func.count()).select_from(Employee).where(Employee.role_id == role_id)
    return int(await db.scalar(stmt) or 0)


async def names(db: AsyncSession, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    rows = await db.execute(
        select(Employee.id, Employee.firstname, Employee.lastname).where(Employee.id.in_(list(ids)))
    )
    return {r.id: f"{r.firstname} {r.lastname}" for r in rows}

"""Whose working time a caller may see and decide on.

Everyone sees their own. `worktime.approve` adds the employees of the departments the caller
leads (departments.manager_id); `worktime.manage` adds everyone. Others' data does not exist
for a caller outside this scope (404, like other personal modules).
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from workmate.auth.principal import Principal
from workmate.errors import Forbidden, NotFound
from workmate.worktime.repository import worktime_repository

MODULE = "worktime"


def sees_everyone(who: Principal) -> bool:
    return who.can(MODULE, "manage")


async def led(db: AsyncSession, who: Principal) -> list[uuid.UUID]:
    """Departments whose employees the caller decides for (none without approve)."""
    if not who.can(MODULE, "approve"):
        return []
    return await worktime_repository.led_departments(db, who.employee_id)


async def in_scope(db: AsyncSession, who: Principal, employee_id: uuid.UUID) -> bool:
    if employee_id == who.employee_id or sees_everyone(who):
        return True
    departments = await led(db, who)
    return bool(departments) and (
        await worktime_repository.department_of(db, employee_id) in departments
    )


async def subject(db: AsyncSession, who: Principal, employee_id: uuid.UUID | None) -> uuid.UUID:
    """The employee whose data a request reads: the caller, or one in the caller's scope."""
    if employee_id is None or employee_id == who.employee_id:
        return who.employee_id
    if not await in_scope(db, who, employee_id) or not await worktime_repository.employee_exists(
        db, employee_id
    ):
        raise NotFound("employee", field="employee_id")
    return employee_id


async def decider(db: AsyncSession, who: Principal, employee_id: uuid.UUID) -> None:
    """The caller may decide for this employee: approve right and scope; never for oneself
    (four eyes) unless the caller configures the module (the owner of a small firm)."""
    if not who.can(MODULE, "approve") and not who.can(MODULE, "manage"):
        raise Forbidden("your role may not approve working time")
    if employee_id == who.employee_id:
        if not who.can(MODULE, "configure"):
            raise Forbidden("you cannot decide on your own working time; ask another manager")
        return
    if not who.can(MODULE, "approve"):
        raise Forbidden("your role may not approve working time")
    if not await in_scope(db, who, employee_id):
        raise NotFound("employee", field="employee_id")


async def visible(db: AsyncSession, who: Principal) -> list[uuid.UUID] | None:
    """Departments the caller sees others in: None for everyone, else the led ones."""
    if sees_everyone(who):
        return None
    return await led(db, who)

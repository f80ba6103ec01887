"""The spec's seed rows (roles Admin/Manager/Employee, departments), idempotent."""

from __future__ import annotations

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from workmate.auth.permissions import SEED_DEPARTMENTS, SEED_ROLES
from workmate.models import Department, Role


async def ensure_seed(db: AsyncSession) -> int:
    """Insert missing seed roles and departments; existing ones (even edited) stay as they are."""
    added = 0
    for name, permissions in SEED_ROLES.items():
        result = await db.execute(
            insert(Role)
            .values(name=name, permissions=permissions)
            .on_conflict_do_nothing(index_elements=["name"])
        )
        added += result.rowcount  # type: ignore[attr-defined]
    for name in SEED_DEPARTMENTS:
        result = await db.execute(
            insert(Department).values(name=name).on_conflict_do_nothing(index_elements=["name"])
        )
        added += result.rowcount  # type: ignore[attr-defined]
    return added

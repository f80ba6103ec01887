"""SQL for the single company settings row."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from workmate.models import CompanySettings


async def get(db: AsyncSession, *, for_share: bool = False) -> CompanySettings | None:
    query = select(CompanySettings).where(CompanySettings.id == 1)
    if for_share:
        # Issuing reads the seller under a share lock so a concurrent PUT cannot slip between
        # the check and the number (and a PUT waits for the issue to commit).
        query = query.with_for_update(read=True)
    return await db.scalar(query)


async def get_or_create(db: AsyncSession) -> CompanySettings:
    """The row, created with defaults if absent; locked for the caller's update."""
    await db.execute(insert(CompanySettings).values(id=1).on_conflict_do_nothing())
    row = await db.scalar(
        select(CompanySettings)
        .where(CompanySettings.id == 1)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert row is not None
    return row

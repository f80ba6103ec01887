"""Daily: store 'expired' on sent quotes past their validity date (idempotent)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from workmate import jobs
from workmate.quotes.service import quote_service


@jobs.task("quotes.expire", periodic="15 0 * * *", retries=3)
async def expire(db: AsyncSession, *, timestamp: int | None = None) -> int:
    """Sent quotes past their validity date become expired."""
    return await quote_service.expire_due(db)

"""Hourly: bill every due period of every active recurring invoice (once per period)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from workmate import jobs
from workmate.recurring.service import recurring_service


@jobs.task("recurring.run", periodic="23 * * * *", retries=3)
async def run(db: AsyncSession, *, timestamp: int | None = None) -> int:
    """Create the invoices of all due periods; a missed hour or day is caught up."""
    return await recurring_service.run_due(db)

"""Periodic invoice jobs: overdue marking and dunning levels.

A procrastinate periodic task: its defer is recorded per period in PostgreSQL
(`procrastinate_periodic_defers`), so with any number of workers on any number of machines it
runs once per period. It is idempotent (it only moves 'sent' past due to 'overdue' and raises
dunning levels), so a retry after a crash does no harm.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from workmate import clock, jobs
from workmate.invoices.service import invoice_service


@jobs.task("invoices.mark_overdue", periodic="7 * * * *", retries=3)
async def mark_overdue(db: AsyncSession, *, timestamp: int | None = None) -> int:
    """Hourly: store 'overdue' on sent invoices past due (German calendar day)."""
    return await invoice_service.mark_overdue(db, clock.today())

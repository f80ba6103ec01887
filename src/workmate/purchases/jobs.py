"""Background work of purchases: checking received invoices again after the rules changed.

After `rules/` is replaced by a newer release, `POST /api/v1/incoming-invoices/recheck`
queues one job per received e-invoice checked with other rules; each job checks the stored
original again (in the worker pool) and updates its verdict and findings. What was received
never changes (the database refuses that); a booked bill keeps its figures.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from workmate import jobs
from workmate.config import get_settings
from workmate.documents.storage import get_storage
from workmate.purchases import examine, pool, ruleset
from workmate.purchases import repository as repo
from workmate.purchases.service import _read_all, _status


@jobs.task("purchases.recheck", retries=3)
async def recheck(db: AsyncSession, *, incoming_id: str) -> None:
    """Check one received invoice with the shipped rules (idempotent: a current one is left)."""
    found = await repo.incoming(db, uuid.UUID(incoming_id))
    if found is None:
        return
    row = found[0]
    if not row.is_einvoice or row.rules_version == ruleset.version_label():
        return
    data = _read_all(get_storage(), row.storage_key)
    if data is None:
        raise RuntimeError(f"received file {row.id} is missing from storage")
    result = await pool.run(examine.examine, data, get_settings().einvoice_max_xml_bytes)
    if result.get("refused") or not result["einvoice"]:
        return
    row.findings = result["findings"]
    row.status = _status(result)
    row.official_verdict = result["official"]
    row.rules_version = result["rules_version"]
    row.error_count = result.get("error_total", 0)
    row.warning_count = result.get("warning_total", 0)
    row.check_seconds = result.get("seconds")
    await db.flush()


async def defer_rechecks(db: AsyncSession) -> int:
    """Queue a recheck for every e-invoice checked with other rules; returns how many."""
    ids = await repo.stale_incoming(db, ruleset.version_label())
    for ident in ids:
        await jobs.defer(
            db, "purchases.recheck", queueing_lock=f"recheck:{ident}", incoming_id=str(ident)
        )
    return len(ids)

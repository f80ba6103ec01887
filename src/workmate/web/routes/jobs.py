"""Admin area: background jobs (queued, running, failed with their error; retry a failed one).

The same service as the API (workmate.jobs.service); system.read to look, system.write to
retry.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from workmate.db import SessionDep
from workmate.jobs.auth import SystemRead, SystemWrite
from workmate.jobs.repository import STATUSES
from workmate.jobs.service import job_service
from workmate.web.catalogs import N_
from workmate.web.forms import REFUSALS
from workmate.web.render import render
from workmate.web.routes.common import page_numbers, see_other, undo
from workmate.web.routes.timer import timer_context

router = APIRouter(prefix="/admin/jobs")
PER_PAGE = 25
# What each procrastinate status means to a reader (shown translated).
STATUS_NAMES = {
    "todo": N_("queued"),
    "doing": N_("running"),
    "succeeded": N_("done"),
    "failed": N_("failed"),
    "cancelled": N_("cancelled"),
    "aborted": N_("aborted"),
}


@router.get("")
async def jobs_page(
    request: Request,
    who: SystemRead,
    db: SessionDep,
    status: Annotated[str, Query(max_length=20)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    retried: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
    refused: bool = False,
) -> Response:
    """Jobs newest first, filtered by status, with counts per status and the last error."""
    chosen = status if status in STATUSES else None
    rows, total = await job_service.list(db, chosen, None, PER_PAGE, (page - 1) * PER_PAGE)
    return render(
        request,
        "admin/jobs.html",
        who,
        timer=await timer_context(db, who),
        rows=rows,
        counts=await job_service.counts(db),
        status=chosen or "",
        status_names=STATUS_NAMES,
        may_retry=who.can("system", "write"),
        retried=retried,
        refused=refused,
        paging=page_numbers(page, PER_PAGE, total),
    )


@router.post("/{job_id}/retry")
async def retry_job(
    job_id: Annotated[int, Path(ge=1, le=2**63 - 1)], who: SystemWrite, db: SessionDep
) -> Response:
    """Queue a failed job again; anything else is shown as a message on the list."""
    try:
        await job_service.retry(db, who, job_id)
    except REFUSALS as exc:
        await undo(db, exc)
        return see_other("/admin/jobs?status=failed&refused=1")
    return see_other(f"/admin/jobs?status=failed&retried={job_id}")

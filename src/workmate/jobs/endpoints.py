"""HTTP routes for background jobs (administrators: list, counts, retry a failed one)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from workmate.db import SessionDep
from workmate.jobs.auth import SystemRead, SystemWrite
from workmate.jobs.schemas import JobCounts, JobRead, JobStatus
from workmate.jobs.service import job_service
from workmate.pagination import Page, Paging

router = APIRouter(prefix="/jobs", tags=["jobs"])

JobId = Annotated[int, Path(ge=1, le=2**63 - 1)]


@router.get("", response_model=Page[JobRead])
async def list_jobs(
    who: SystemRead,
    db: SessionDep,
    paging: Paging,
    status: Annotated[JobStatus | None, Query(description="todo, doing, failed, ...")] = None,
    task: Annotated[str | None, Query(max_length=128, description="A task name.")] = None,
) -> Page[JobRead]:
    """Background jobs, newest first: queued (todo), running (doing), failed with the error."""
    rows, total = await job_service.list(db, status, task, paging.limit, paging.offset)
    return Page(
        items=[JobRead.model_validate(r) for r in rows],
        total=total,
        limit=paging.limit,
        offset=paging.offset,
    )


@router.get("/counts", response_model=JobCounts)
async def job_counts(who: SystemRead, db: SessionDep) -> JobCounts:
    """How many jobs are queued, running, failed, ... right now."""
    return JobCounts(**await job_service.counts(db))


@router.get("/{job_id}", response_model=JobRead)
async def get_job(job_id: JobId, who: SystemRead, db: SessionDep) -> JobRead:
    """One job with its last error."""
    return JobRead.model_validate(await job_service.get(db, job_id))


@router.post("/{job_id}/retry", response_model=JobRead)
async def retry_job(job_id: JobId, who: SystemWrite, db: SessionDep) -> JobRead:
    """Queue a failed job again, due now (409 unless it failed)."""
    return JobRead.model_validate(await job_service.retry(db, who, job_id))

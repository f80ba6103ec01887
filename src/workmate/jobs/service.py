"""Rules for looking at and retrying background jobs. Flushes, never commits."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from workmate.audit.service import audit_service
from workmate.auth.principal import Principal
from workmate.errors import Conflict, NotFound
from workmate.jobs.repository import JobRow, job_repository


class JobNotFailed(Conflict):
    def __init__(self, status: str) -> None:
        super().__init__(
            "only a failed job can be retried; this one is {status}", params={"status": status}
        )


class JobService:
    async def list(
        self, db: AsyncSession, status: str | None, task: str | None, limit: int, offset: int
    ) -> tuple[list[JobRow], int]:
        """Jobs newest first, optionally of one status or task, with their last error."""
        return await job_repository.page(db, status, task, limit, offset)

    async def get(self, db: AsyncSession, job_id: int) -> JobRow:
        """One job or 404."""
        job = await job_repository.get(db, job_id)
        if job is None:
            raise NotFound("job")
        return job

    async def counts(self, db: AsyncSession) -> dict[str, int]:
        """How many jobs are in each status."""
        return await job_repository.counts(db)

    async def retry(self, db: AsyncSession, who: Principal, job_id: int) -> JobRow:
        """Queue a failed job again, due now (409 for any other status); audited."""
        status = await job_repository.lock_status(db, job_id)
        if status is None:
            raise NotFound("job")
        if status != "failed":
            raise JobNotFailed(status)
        await job_repository.retry(db, job_id)
        await audit_service.record(db, who, "retry", "job", job_id, {"status": [status, "todo"]})
        return await self.get(db, job_id)


job_service = JobService()

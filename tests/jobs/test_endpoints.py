"""The jobs API: administrators list queued, running and failed jobs and retry failed ones."""

from __future__ import annotations

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from workmate import jobs

URL = "/api/v1/jobs"


async def _failed_job(db: AsyncSession) -> int:
    job_id = await jobs.defer(db, "test.effect", key="api")
    assert job_id is not None
    await db.execute(
        text("UPDATE procrastinate_jobs SET status = 'doing' WHERE id = :id"), {"id": job_id}
    )
    await db.execute(
        text("UPDATE procrastinate_jobs SET status = 'failed', attempts = 3 WHERE id = :id"),
        {"id": job_id},
    )
    await db.execute(
        text(
            "INSERT INTO job_failures (job_id, task_name, attempt, final, error) "
            "VALUES (:id, 'test.effect', 3, true, 'RuntimeError: smtp down')"
        ),
        {"id": job_id},
    )
    return job_id


async def test_admin_lists_failed_job_with_error_and_retries_it(
    as_admin: httpx.AsyncClient, db: AsyncSession
) -> None:
    job_id = await _failed_job(db)
    page = (await as_admin.get(URL, params={"status": "failed", "task": "test.effect"})).json()
    [item] = [i for i in page["items"] if i["id"] == job_id]
    assert item["error"] == "RuntimeError: smtp down"
    assert item["attempts"] == 3
    counts = (await as_admin.get(f"{URL}/counts")).json()
    assert counts["failed"] >= 1

    retried = await as_admin.post(f"{URL}/{job_id}/retry")
    assert retried.status_code == 200, retried.text
    assert retried.json()["status"] == "todo"
    again = await as_admin.post(f"{URL}/{job_id}/retry")
    assert again.status_code == 409
    assert again.json()["error"] == "JobNotFailed"
    audit = await db.scalar(
        text("SELECT count(*) FROM audit_log WHERE entity = 'job' AND entity_id = :id"),
        {"id": str(job_id)},
    )
    assert audit == 1


async def test_unknown_job_is_404_and_bad_ids_are_422(as_admin: httpx.AsyncClient) -> None:
    assert (await as_admin.get(f"{URL}/999999999")).status_code == 404
    assert (await as_admin.post(f"{URL}/999999999/retry")).status_code == 404
    assert (await as_admin.get(f"{URL}/0")).status_code == 422
    assert (await as_admin.get(f"{URL}/9223372036854775808")).status_code == 422
    assert (await as_admin.get(URL, params={"status": "nonsense"})).status_code == 422


async def test_managers_and_employees_may_not_see_or_retry_jobs(
    as_manager: httpx.AsyncClient, as_employee: httpx.AsyncClient, db: AsyncSession
) -> None:
    job_id = await _failed_job(db)
    for client in (as_manager, as_employee):
        assert (await client.get(URL)).status_code == 403
        assert (await client.post(f"{URL}/{job_id}/retry")).status_code == 403

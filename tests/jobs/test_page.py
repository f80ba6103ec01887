"""The jobs page for administrators: counts, the error of a failed job, retry; German."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.identity import make_employee, session_client
from tests.jobs.test_endpoints import _failed_job


async def test_admin_sees_failed_job_and_retries_it_in_german(app: Any, db: AsyncSession) -> None:
    admin = await make_employee(db, "Admin", locale="de")
    job_id = await _failed_job(db)
    async with await session_client(app, db, admin) as client:
        page = await client.get("/admin/jobs", params={"status": "failed"})
        assert page.status_code == 200
        assert "Hintergrundaufgaben" in page.text
        assert "RuntimeError: smtp down" in page.text
        assert f'action="/admin/jobs/{job_id}/retry"' in page.text
        done = await client.post(f"/admin/jobs/{job_id}/retry")
        assert done.status_code == 303
        shown = await client.get(done.headers["location"])
        assert f"Aufgabe {job_id} ist wieder eingereiht." in shown.text
        again = await client.post(f"/admin/jobs/{job_id}/retry")
        shown = await client.get(again.headers["location"])
        assert "Nur eine fehlgeschlagene Aufgabe kann wiederholt werden." in shown.text


async def test_jobs_page_is_for_administrators_only(app: Any, db: AsyncSession) -> None:
    for role in ("Manager", "Employee"):
        someone = await make_employee(db, role)
        async with await session_client(app, db, someone) as client:
            assert (await client.get("/admin/jobs")).status_code == 403

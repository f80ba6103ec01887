"""Races through a real server process, each request on its own connection."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.identity import make_employee
from tests.factories.records import make_project, make_time_entry
from workmate.auth.service import auth_service
from workmate.models import AuditLog, TimeEntry


async def test_twenty_parallel_starts_leave_one_running_timer(
    live_server: str, live_db: AsyncSession
) -> None:
    who = await make_employee(live_db)
    project = await make_project(live_db)
    token = await auth_service.create_token(live_db, who.id, "race")
    await live_db.commit()

    async def start() -> httpx.Response:
        # A client per request: separate TCP connections, so the server handles them at once.
        async with httpx.AsyncClient(
            base_url=live_server, headers={"Authorization": f"Bearer {token.secret}"}, timeout=60
        ) as client:
            return await client.post(
                "/api/v1/time-entries/timer/start", json={"project_id": str(project.id)}
            )

    responses = await asyncio.gather(*(start() for _ in range(20)))

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * 19, [r.text for r in responses if r.status_code >= 500]
    winner = next(r.json()["id"] for r in responses if r.status_code == 201)
    assert all(winner in r.json()["detail"] for r in responses if r.status_code == 409)
    running = await live_db.scalar(
        select(func.count())
        .select_from(TimeEntry)
        .where(TimeEntry.employee_id == who.id, TimeEntry.end_time.is_(None))
    )
    assert running == 1


async def test_stop_stale_command_ends_forgotten_timers_at_the_limit(
    live_database_url: str, live_db: AsyncSession
) -> None:
    who = await make_employee(live_db)
    project = await make_project(live_db)
    started = datetime.now(UTC) - timedelta(hours=30)
    stale = await make_time_entry(live_db, who.id, project, start_time=started, end_time=None)
    stale_id = stale.id
    await live_db.commit()

    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "workmate.cli.main",
        "timers",
        "stop-stale",
        env={**os.environ, "WORKMATE_DATABASE_URL": live_database_url},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()

    assert process.returncode == 0, err.decode()
    assert f"stopped timer {stale_id}" in out.decode()
    live_db.expire_all()
    entry = await live_db.get(TimeEntry, stale_id)
    assert entry is not None
    assert entry.end_time == started + timedelta(hours=12)
    assert entry.auto_stopped_at is not None
    audited = await live_db.scalar(
        select(AuditLog.changes).where(
            AuditLog.entity == "time_entry",
            AuditLog.entity_id == str(stale_id),
            AuditLog.action == "timer_auto_stop",
        )
    )
    assert audited is not None
    assert "end_time" in audited

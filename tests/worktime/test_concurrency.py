"""Races over real HTTP, each request on its own connection: submit and approve at once, two
managers approving at once, an edit racing the lock, two managers deciding one vacation."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.identity import make_employee
from tests.factories.records import make_project, make_time_entry
from tests.factories.time import berlin
from tests.factories.worktime import lead, make_contract
from workmate import clock
from workmate.auth.service import auth_service

pytestmark = pytest.mark.live

API = "/api/v1/worktime"
ROUNDS = 4


def months_back(n: int) -> date:
    month = clock.today().replace(day=1)
    for _ in range(n):
        month = (month - timedelta(days=1)).replace(day=1)
    return month


async def token(db: AsyncSession, employee_id: uuid.UUID) -> str:
    t = await auth_service.create_token(db, employee_id, "race")
    await db.commit()
    return t.secret


async def call(base: str, secret: str, method: str, path: str, body: Any = None) -> httpx.Response:
    # A client (and connection) of its own per request.
    async with httpx.AsyncClient(
        base_url=base, headers={"Authorization": f"Bearer {secret}"}, timeout=60
    ) as c:
        return await c.request(method, path, json=body)


async def status(db: AsyncSession, employee_id: uuid.UUID, month: date) -> str | None:
    found = await db.scalar(
        text("SELECT status FROM month_closings WHERE employee_id = :e AND month = :m"),
        {"e": employee_id, "m": month},
    )
    await db.commit()
    return found


@pytest.fixture
async def people(live_db: AsyncSession) -> dict[str, Any]:
    worker = await make_employee(live_db)
    boss = await make_employee(live_db, "Manager")
    admin = await make_employee(live_db, "Admin")
    await lead(live_db, boss.id, worker.id)
    await make_contract(live_db, worker.id, date(2020, 1, 1))
    project = await make_project(live_db)
    ids = {"worker": worker.id, "boss": boss.id, "admin": admin.id, "project": project.id}
    await live_db.commit()
    return {
        **ids,
        "worker_token": await token(live_db, ids["worker"]),
        "boss_token": await token(live_db, ids["boss"]),
        "admin_token": await token(live_db, ids["admin"]),
    }


async def test_submit_and_approve_at_the_same_time(
    live_server: str, live_db: AsyncSession, people: dict[str, Any]
) -> None:
    worker = people["worker"]
    for n in range(1, ROUNDS + 1):
        month = months_back(n)
        label = month.strftime("%Y-%m")
        submit, approve = await asyncio.gather(
            call(live_server, people["worker_token"], "POST", f"{API}/months/{label}/submit"),
            call(
                live_server,
                people["boss_token"],
                "POST",
                f"{API}/months/{label}/approve",
                {"employee_id": str(worker)},
            ),
        )
        assert submit.status_code == 200, submit.text
        assert approve.status_code in (200, 409), approve.text
        stored = await status(live_db, worker, month)
        # Approved exactly when the approval answered 200; otherwise it is waiting.
        assert stored == ("approved" if approve.status_code == 200 else "submitted")


async def test_two_managers_approving_at_once(
    live_server: str, live_db: AsyncSession, people: dict[str, Any]
) -> None:
    worker = people["worker"]
    for n in range(1, ROUNDS + 1):
        month = months_back(n)
        label = month.strftime("%Y-%m")
        r = await call(live_server, people["worker_token"], "POST", f"{API}/months/{label}/submit")
        assert r.status_code == 200, r.text
        answers = await asyncio.gather(
            *(
                call(
                    live_server,
                    people[who],
                    "POST",
                    f"{API}/months/{label}/approve",
                    {"employee_id": str(worker)},
                )
                for who in ("boss_token", "admin_token")
            )
        )
        assert sorted(a.status_code for a in answers) == [200, 409], [a.text for a in answers]
        assert await status(live_db, worker, month) == "approved"
        audited = await live_db.scalar(
            text(
                "SELECT count(*) FROM audit_log WHERE action = 'approve' "
                "AND entity = 'month_closing' AND changes->'status'->>1 = 'approved' "
                "AND entity_id = (SELECT id::text FROM month_closings "
                "WHERE employee_id = :e AND month = :m)"
            ),
            {"e": worker, "m": month},
        )
        await live_db.commit()
        assert audited == 1


async def test_an_edit_racing_the_lock(
    live_server: str, live_db: AsyncSession, people: dict[str, Any]
) -> None:
    worker, project = people["worker"], people["project"]
    from workmate.models import Project

    project_row = await live_db.get(Project, project)
    assert project_row is not None
    outcomes = set()
    for n in range(1, ROUNDS + 1):
        month = months_back(n)
        label = month.strftime("%Y-%m")
        day = month + timedelta(days=9)
        entry = await make_time_entry(
            live_db, worker, project_row, start_time=berlin(day, 9), end_time=berlin(day, 12)
        )
        entry_id = entry.id
        await live_db.commit()
        r = await call(live_server, people["worker_token"], "POST", f"{API}/months/{label}/submit")
        assert r.status_code == 200, r.text
        edit, approve = await asyncio.gather(
            call(
                live_server,
                people["worker_token"],
                "PATCH",
                f"/api/v1/time-entries/{entry_id}",
                {"end_time": berlin(day, 13).isoformat(), "note": f"round {n}"},
            ),
            call(
                live_server,
                people["boss_token"],
                "POST",
                f"{API}/months/{label}/approve",
                {"employee_id": str(worker)},
            ),
        )
        assert approve.status_code == 200, approve.text
        assert edit.status_code in (200, 409), edit.text
        outcomes.add(edit.status_code)
        row = (
            await live_db.execute(
                text(
                    "SELECT e.note, e.updated_at, c.decided_at, c.actual_hours "
                    "FROM time_entries e, month_closings c "
                    "WHERE e.id = :id AND c.employee_id = :w AND c.month = :m"
                ),
                {"id": entry_id, "w": worker, "m": month},
            )
        ).one()
        await live_db.commit()
        if edit.status_code == 200:
            # The edit landed before the lock, and the approval signed the edited figures.
            assert row.note == f"round {n}"
            assert row.updated_at < row.decided_at
            assert str(row.actual_hours) == "4.00"
        else:
            assert "closed" in edit.json()["detail"]
            assert row.note is None
            assert str(row.actual_hours) == "3.00"
    assert outcomes <= {200, 409}


async def test_two_managers_deciding_one_vacation(
    live_server: str, live_db: AsyncSession, people: dict[str, Any]
) -> None:
    start = clock.today() + timedelta(days=60)
    start -= timedelta(days=start.weekday())
    r = await call(
        live_server,
        people["worker_token"],
        "POST",
        f"{API}/absences",
        {"kind": "vacation", "start_date": str(start), "end_date": str(start)},
    )
    assert r.status_code == 201, r.text
    absence = r.json()["id"]
    approve, decline = await asyncio.gather(
        call(live_server, people["boss_token"], "POST", f"{API}/absences/{absence}/approve"),
        call(live_server, people["admin_token"], "POST", f"{API}/absences/{absence}/decline"),
    )
    assert sorted([approve.status_code, decline.status_code]) == [200, 409]
    stored = await live_db.scalar(text("SELECT status FROM absences WHERE id = :i"), {"i": absence})
    await live_db.commit()
    assert stored == ("approved" if approve.status_code == 200 else "declined")

"""Reminders: personal by default, views, done/undone, links that must exist, the CLI."""

from __future__ import annotations

import asyncio
import sys
import uuid
from datetime import date, timedelta

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.crm import new_customer, new_project, new_reminder
from tests.factories.identity import make_employee
from tests.factories.records import make_invoice
from workmate.models import Employee

pytestmark = pytest.mark.asyncio

TODAY = date(2026, 3, 10)


class TestOwnership:
    async def test_others_reminders_do_not_exist_for_an_employee(
        self, as_employee: httpx.AsyncClient, db: AsyncSession, employee: Employee
    ) -> None:
        other = await make_employee(db)
        mine = await new_reminder(db, employee.id, title="meins")
        await new_reminder(db, other.id, title="fremd")
        listed = await as_employee.get("/api/v1/reminders", params={"view": "all"})
        assert [r["title"] for r in listed.json()["items"]] == ["meins"]
        assert listed.json()["total"] == 1
        assert (await as_employee.get(f"/api/v1/reminders/{mine.id}")).status_code == 200

    @pytest.mark.parametrize(
        ("method", "suffix"),
        [("GET", ""), ("PATCH", ""), ("POST", "/done"), ("POST", "/undone"), ("DELETE", "")],
    )
    async def test_others_reminder_is_404_for_every_action(
        self, as_employee: httpx.AsyncClient, db: AsyncSession, method: str, suffix: str
    ) -> None:
        other = await make_employee(db)
        theirs = await new_reminder(db, other.id, title="fremd")
        r = await as_employee.request(
            method,
            f"/api/v1/reminders/{theirs.id}{suffix}",
            json={"title": "x"} if method == "PATCH" else None,
        )
        assert r.status_code == 404

    async def test_employee_cannot_create_for_someone_else(
        self, as_employee: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        other = await make_employee(db)
        r = await as_employee.post(
            "/api/v1/reminders",
            json={"title": "x", "due_date": "2026-03-10", "owner_id": str(other.id)},
        )
        assert r.status_code == 422
        assert r.json()["field"] == "owner_id"

    async def test_manage_sees_and_assigns_everyone(
        self, as_admin: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        other = await make_employee(db)
        theirs = await new_reminder(db, other.id)
        assert (await as_admin.get(f"/api/v1/reminders/{theirs.id}")).status_code == 200
        listed = await as_admin.get(
            "/api/v1/reminders", params={"owner_id": str(other.id), "view": "all"}
        )
        assert [r["id"] for r in listed.json()["items"]] == [str(theirs.id)]
        r = await as_admin.post(
            "/api/v1/reminders",
            json={"title": "für dich", "due_date": "2026-03-10", "owner_id": str(other.id)},
        )
        assert r.status_code == 201
        assert r.json()["owner_id"] == str(other.id)


class TestViews:
    async def test_due_today_overdue_upcoming_and_done(
        self, as_employee: httpx.AsyncClient, db: AsyncSession, employee: Employee
    ) -> None:
        await new_reminder(db, employee.id, title="heute", due_date=TODAY)
        await new_reminder(db, employee.id, title="gestern", due_date=TODAY - timedelta(days=1))
        await new_reminder(db, employee.id, title="morgen", due_date=TODAY + timedelta(days=1))
        done = await new_reminder(db, employee.id, title="erledigt", due_date=TODAY)

        async def titles(view: str) -> list[str]:
            r = await as_employee.get(
                "/api/v1/reminders", params={"view": view, "today": TODAY.isoformat()}
            )
            assert r.status_code == 200
            return [x["title"] for x in r.json()["items"]]

        r = await as_employee.post(f"/api/v1/reminders/{done.id}/done")
        assert r.status_code == 200
        assert r.json()["is_done"]
        assert r.json()["done_at"]
        assert await titles("due_today") == ["heute"]
        assert await titles("overdue") == ["gestern"]
        assert await titles("upcoming") == ["morgen"]
        assert await titles("done") == ["erledigt"]
        r = await as_employee.post(f"/api/v1/reminders/{done.id}/undone")
        assert not r.json()["is_done"]
        assert r.json()["done_at"] is None
        assert sorted(await titles("due_today")) == ["erledigt", "heute"]


class TestLinks:
    @pytest.mark.parametrize("kind", ["customer", "project", "invoice"])
    async def test_link_to_an_existing_object(
        self, as_employee: httpx.AsyncClient, db: AsyncSession, kind: str
    ) -> None:
        customer = await new_customer(db)
        target = {
            "customer": customer,
            "project": await new_project(db, customer),
            "invoice": await make_invoice(db, customer),
        }[kind]
        r = await as_employee.post(
            "/api/v1/reminders",
            json={
                "title": "x",
                "due_date": "2026-03-10",
                "linked_to": kind,
                "linked_id": str(target.id),
            },
        )
        assert r.status_code == 201, r.text

    @pytest.mark.parametrize("kind", ["customer", "project", "invoice"])
    async def test_link_to_a_missing_object_is_422(
        self, as_employee: httpx.AsyncClient, kind: str
    ) -> None:
        r = await as_employee.post(
            "/api/v1/reminders",
            json={
                "title": "x",
                "due_date": "2026-03-10",
                "linked_to": kind,
                "linked_id": str(uuid.uuid4()),
            },
        )
        assert r.status_code == 422
        assert r.json()["field"] == "linked_id"

    async def test_half_a_link_is_422(self, as_employee: httpx.AsyncClient) -> None:
        r = await as_employee.post(
            "/api/v1/reminders",
            json={"title": "x", "due_date": "2026-03-10", "linked_to": "customer"},
        )
        assert r.status_code == 422
        assert r.json()["field"] == "linked_id"

    async def test_update_and_delete(
        self, as_employee: httpx.AsyncClient, db: AsyncSession, employee: Employee
    ) -> None:
        reminder = await new_reminder(db, employee.id)
        r = await as_employee.patch(
            f"/api/v1/reminders/{reminder.id}", json={"title": "neu", "priority": "high"}
        )
        assert r.status_code == 200
        assert r.json()["title"] == "neu"
        assert (await as_employee.delete(f"/api/v1/reminders/{reminder.id}")).status_code == 204


@pytest.mark.live
async def test_cli_lists_due_reminders(live_db: AsyncSession, live_database_url: str) -> None:
    owner = await make_employee(live_db, email=f"cli-{uuid.uuid4().hex[:6]}@example.de")
    tag = uuid.uuid4().hex[:8]
    await new_reminder(live_db, owner.id, title=f"fällig {tag}", due_date=TODAY)
    await new_reminder(live_db, owner.id, title=f"alt {tag}", due_date=TODAY - timedelta(days=3))
    await new_reminder(live_db, owner.id, title=f"später {tag}", due_date=TODAY + timedelta(days=1))
    await new_reminder(live_db, owner.id, title=f"erledigt {tag}", due_date=TODAY, is_done=True)
    await live_db.commit()
    import os

    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "workmate.cli.main",
        "reminders",
        "due",
        "--date",
        TODAY.isoformat(),
        env={**os.environ, "WORKMATE_DATABASE_URL": live_database_url},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()
    mine = [line for line in out.decode().splitlines() if tag in line]
    assert len(mine) == 2
    assert any("OVERDUE" in line and f"alt {tag}" in line for line in mine)
    assert any(f"fällig {tag}" in line and owner.email in line for line in mine)

"""Project chat over HTTP: who is on a project, length limit, newest-first cursor pages."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.crm import new_project
from tests.factories.identity import make_employee, token_client
from tests.factories.records import make_time_entry
from workmate.models import ChatMessage, Department, Employee
from workmate.models.chat_message import MAX_MESSAGE_LENGTH

pytestmark = pytest.mark.asyncio


async def department(db: AsyncSession, name: str = "Development") -> Department:
    found = await db.scalar(select(Department).where(Department.name == name))
    assert found is not None
    return found


class TestMembership:
    async def test_department_member_posts_and_reads(self, app: object, db: AsyncSession) -> None:
        dev = await department(db)
        member = await make_employee(db, department_id=dev.id)
        project = await new_project(db, department_id=dev.id)
        async with await token_client(app, db, member) as c:
            r = await c.post(f"/api/v1/projects/{project.id}/messages", json={"message": "Hallo"})
            assert r.status_code == 201, r.text
            assert r.json()["author_id"] == str(member.id)
            assert r.json()["author_name"] == f"{member.firstname} {member.lastname}"
            listed = await c.get(f"/api/v1/projects/{project.id}/messages")
            assert [m["message"] for m in listed.json()["items"]] == ["Hallo"]

    async def test_booking_time_does_not_put_anyone_on_the_project(
        self, app: object, db: AsyncSession
    ) -> None:
        """Issue 13, item 7: anyone may book a minute on any project; that grants no chat."""
        worker = await make_employee(db)
        project = await new_project(db)
        await make_time_entry(db, worker.id, project)
        project_id = project.id
        async with await token_client(app, db, worker) as c:
            r = await c.get(f"/api/v1/projects/{project_id}/messages")
            assert r.status_code == 404
            posted = await c.post(f"/api/v1/projects/{project_id}/messages", json={"message": "x"})
            assert posted.status_code == 404
            booked = await c.post(
                "/api/v1/time-entries",
                json={
                    "project_id": str(project_id),
                    "start_time": "2026-03-05T08:00:00+00:00",
                    "end_time": "2026-03-05T08:01:00+00:00",
                },
            )
            assert booked.status_code == 201, booked.text
            assert (await c.get(f"/api/v1/projects/{project_id}/messages")).status_code == 404

    async def test_a_manager_puts_an_employee_on_the_project_and_takes_them_off(
        self, app: object, as_manager: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        worker = await make_employee(db)
        worker_id = worker.id
        project = await new_project(db)
        url = f"/api/v1/projects/{project.id}"
        async with await token_client(app, db, worker) as c:
            assert (await c.get(f"{url}/messages")).status_code == 404
            assert (await c.put(f"{url}/members/{worker_id}")).status_code == 403
            assert (await as_manager.put(f"{url}/members/{worker_id}")).status_code == 204
            assert (await as_manager.put(f"{url}/members/{worker_id}")).status_code == 204
            members = (await as_manager.get(f"{url}/members")).json()
            assert [m["employee_id"] for m in members] == [str(worker_id)]
            assert (await c.get(f"{url}/messages")).status_code == 200
            assert (await as_manager.delete(f"{url}/members/{worker_id}")).status_code == 204
            assert (await as_manager.delete(f"{url}/members/{worker_id}")).status_code == 404
            assert (await c.get(f"{url}/messages")).status_code == 404

    async def test_projects_write_holder_is_on_every_project(
        self, as_manager: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        project = await new_project(db)
        r = await as_manager.post(f"/api/v1/projects/{project.id}/messages", json={"message": "x"})
        assert r.status_code == 201

    @pytest.mark.parametrize("method", ["GET", "POST"])
    async def test_outsider_gets_404(
        self, as_employee: httpx.AsyncClient, db: AsyncSession, employee: Employee, method: str
    ) -> None:
        sales = await department(db, "Sales")
        project = await new_project(db, department_id=sales.id)
        r = await as_employee.request(
            method,
            f"/api/v1/projects/{project.id}/messages",
            json={"message": "x"} if method == "POST" else None,
        )
        assert r.status_code == 404


class TestMessages:
    @pytest.mark.parametrize("text", ["", "   ", "x" * (MAX_MESSAGE_LENGTH + 1)])
    async def test_length_limit(
        self, as_manager: httpx.AsyncClient, db: AsyncSession, text: str
    ) -> None:
        project = await new_project(db)
        r = await as_manager.post(f"/api/v1/projects/{project.id}/messages", json={"message": text})
        assert r.status_code == 422
        assert r.json()["field"] == "message"

    async def test_longest_allowed_message(
        self, as_manager: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        project = await new_project(db)
        r = await as_manager.post(
            f"/api/v1/projects/{project.id}/messages", json={"message": "ä" * MAX_MESSAGE_LENGTH}
        )
        assert r.status_code == 201

    async def test_cursor_pages_newest_first_without_gaps_or_repeats(
        self, as_manager: httpx.AsyncClient, db: AsyncSession, manager: Employee
    ) -> None:
        from datetime import UTC, datetime, timedelta

        project = await new_project(db)
        start = datetime(2026, 3, 2, 9, tzinfo=UTC)
        # two messages share a timestamp: the id breaks the tie
        stamps = [start + timedelta(minutes=i // 2) for i in range(7)]
        for i, at in enumerate(stamps):
            db.add(
                ChatMessage(
                    project_id=project.id, author_id=manager.id, message=f"m{i}", created_at=at
                )
            )
        await db.flush()
        seen: list[str] = []
        cursor: str | None = None
        for _ in range(10):
            params: dict[str, str | int] = {"limit": 3}
            if cursor:
                params["before"] = cursor
            r = await as_manager.get(f"/api/v1/projects/{project.id}/messages", params=params)
            body = r.json()
            seen += [m["message"] for m in body["items"]]
            cursor = body["next_cursor"]
            if cursor is None:
                break
        assert sorted(seen) == [f"m{i}" for i in range(7)]
        assert len(seen) == 7
        times = [stamps[int(m[1:])] for m in seen]
        assert times == sorted(times, reverse=True)

    async def test_bad_cursor_is_422(self, as_manager: httpx.AsyncClient, db: AsyncSession) -> None:
        project = await new_project(db)
        r = await as_manager.get(
            f"/api/v1/projects/{project.id}/messages", params={"before": "bm90IGEgY3Vyc29y"}
        )
        assert r.status_code == 422
        assert r.json()["field"] == "before"

    async def test_without_chat_permission_403(self, app: object, db: AsyncSession) -> None:
        from tests.factories.identity import make_role

        role = await make_role(db, projects=["read"])
        nobody = await make_employee(db, role_id=role.id)
        project = await new_project(db)
        async with await token_client(app, db, nobody) as c:
            r = await c.get(f"/api/v1/projects/{project.id}/messages")
            assert r.status_code == 403

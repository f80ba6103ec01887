"""Time entries through the HTTP API: timers, manual entries, visibility, frozen entries."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import DateTime, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.identity import make_employee, token_client
from tests.factories.records import make_invoice, make_project, make_time_entry
from tests.factories.time import berlin
from tests.test_lessons import application_statements, count_statements
from workmate.audit.service import iso_timestamp
from workmate.models import AuditLog, Employee, TimeEntry

DAY = date(2026, 3, 3)


def entry_body(project_id: uuid.UUID, start: str, end: str, **extra: Any) -> dict[str, Any]:
    return {"project_id": str(project_id), "start_time": start, "end_time": end, **extra}


async def audit_actions(db: AsyncSession, entry_id: Any) -> list[str]:
    rows = await db.scalars(
        select(AuditLog.action)
        .where(AuditLog.entity == "time_entry", AuditLog.entity_id == str(entry_id))
        .order_by(AuditLog.id)
    )
    return list(rows)


class TestTimer:
    async def test_start_get_stop_and_stop_again(
        self, as_employee: httpx.AsyncClient, employee: Employee, db: AsyncSession
    ) -> None:
        project = await make_project(db)
        assert (await as_employee.get("/api/v1/time-entries/timer")).json() is None

        started = await as_employee.post(
            "/api/v1/time-entries/timer/start", json={"project_id": str(project.id), "note": "x"}
        )
        assert started.status_code == 201, started.text
        body = started.json()
        assert body["employee_id"] == str(employee.id)
        assert body["end_time"] is None

        running = (await as_employee.get("/api/v1/time-entries/timer")).json()
        assert running["entry"]["id"] == body["id"]
        assert running["elapsed_seconds"] >= 0

        stopped = await as_employee.post("/api/v1/time-entries/timer/stop")
        assert stopped.status_code == 200
        assert stopped.json()["id"] == body["id"]
        assert stopped.json()["end_time"] is not None

        again = await as_employee.post("/api/v1/time-entries/timer/stop")
        assert again.status_code == 200
        assert again.json() == stopped.json()
        assert (await as_employee.get("/api/v1/time-entries/timer")).json() is None
        assert await audit_actions(db, body["id"]) == ["timer_start", "timer_stop"]

    async def test_second_start_is_409_naming_the_running_timer(
        self, as_employee: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        project = await make_project(db)
        url = "/api/v1/time-entries/timer/start"
        first = await as_employee.post(url, json={"project_id": str(project.id)})
        second = await as_employee.post(url, json={"project_id": str(project.id)})
        assert second.status_code == 409
        assert first.json()["id"] in second.json()["detail"]

    async def test_switch_stops_the_running_timer_and_starts_a_new_one(
        self, as_employee: httpx.AsyncClient, employee: Employee, db: AsyncSession
    ) -> None:
        one, two = await make_project(db), await make_project(db)
        url = "/api/v1/time-entries/timer/start"
        first = (await as_employee.post(url, json={"project_id": str(one.id)})).json()
        switched = await as_employee.post(
            url, params={"switch": "true"}, json={"project_id": str(two.id)}
        )
        assert switched.status_code == 201
        old = await db.get(TimeEntry, uuid.UUID(first["id"]))
        assert old is not None
        await db.refresh(old)
        assert old.end_time is not None
        # The old one ends at the very instant the new one starts.
        assert old.end_time == datetime.fromisoformat(switched.json()["start_time"])
        running = await db.scalar(
            select(func.count())
            .select_from(TimeEntry)
            .where(TimeEntry.employee_id == employee.id, TimeEntry.end_time.is_(None))
        )
        assert running == 1

    async def test_start_and_stop_write_and_audit_in_one_statement(
        self, as_employee: httpx.AsyncClient, employee: Employee, db: AsyncSession, engine: Any
    ) -> None:
        """Start: caller, employee lock, running check, then INSERT + audit row + end of a
        running pause as one statement. Stop: caller, lock, UPDATE + audit row, then the
        working-time day (service docstrings). The audit rows say what the ORM wrote before."""
        project = await make_project(db)
        await as_employee.get("/api/v1/auth/me")  # the token's first use is recorded once
        with count_statements(engine) as seen:
            started = await as_employee.post(
                "/api/v1/time-entries/timer/start",
                json={"project_id": str(project.id), "note": "Kunde", "hourly_rate": "80.5"},
            )
        assert started.status_code == 201, started.text
        assert len(application_statements(seen)) == 4, application_statements(seen)
        with count_statements(engine) as seen:
            stopped = await as_employee.post("/api/v1/time-entries/timer/stop")
        assert stopped.status_code == 200, stopped.text
        assert len(application_statements(seen)) <= 7, application_statements(seen)
        body = stopped.json()
        # updated_at as the trigger set it (RETURNING, not the value from before the stop).
        assert body["updated_at"] > started.json()["updated_at"]
        assert body == (await as_employee.post("/api/v1/time-entries/timer/stop")).json()
        rows = (
            await db.scalars(
                select(AuditLog).where(AuditLog.entity_id == body["id"]).order_by(AuditLog.id)
            )
        ).all()
        start_time = datetime.fromisoformat(body["start_time"])
        end_time = datetime.fromisoformat(body["end_time"])
        assert [(r.action, r.actor_id, r.actor_email) for r in rows] == [
            ("timer_start", employee.id, employee.email),
            ("timer_stop", employee.id, employee.email),
        ]
        assert rows[0].changes == {
            "billable": [None, True],
            "employee_id": [None, str(employee.id)],
            "hourly_rate": [None, "80.5"],
            "note": [None, "Kunde"],
            "project_id": [None, str(project.id)],
            "start_time": [None, start_time.isoformat()],
        }
        assert rows[1].changes == {"end_time": [None, end_time.isoformat()]}

    async def test_stop_audits_the_end_as_isoformat_writes_it(self, db: AsyncSession) -> None:
        for instant in (
            datetime(2026, 3, 3, 8, 0, tzinfo=UTC),
            datetime(2026, 3, 3, 8, 0, 1, 5, tzinfo=UTC),
            datetime(2026, 7, 3, 23, 59, 59, 999999, tzinfo=UTC),
        ):
            got = await db.scalar(select(iso_timestamp(literal(instant, DateTime(timezone=True)))))
            assert got == instant.isoformat()

    async def test_stop_without_any_timer_is_404(self, as_employee: httpx.AsyncClient) -> None:
        response = await as_employee.post("/api/v1/time-entries/timer/stop")
        assert response.status_code == 404

    async def test_unknown_project_is_422_naming_the_field(
        self, as_employee: httpx.AsyncClient
    ) -> None:
        response = await as_employee.post(
            "/api/v1/time-entries/timer/start", json={"project_id": str(uuid.uuid4())}
        )
        assert response.status_code == 422
        assert response.json()["field"] == "project_id"

    async def test_client_cannot_send_the_start_time(
        self, as_employee: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        project = await make_project(db)
        response = await as_employee.post(
            "/api/v1/time-entries/timer/start",
            json={"project_id": str(project.id), "start_time": "2020-01-01T00:00:00Z"},
        )
        assert response.status_code == 422


class TestManualEntries:
    async def test_z_timestamp_is_accepted(
        self, as_employee: httpx.AsyncClient, employee: Employee, db: AsyncSession
    ) -> None:
        project = await make_project(db)
        response = await as_employee.post(
            "/api/v1/time-entries",
            json=entry_body(project.id, "2026-03-03T08:00:00Z", "2026-03-03T09:30:00Z"),
        )
        assert response.status_code == 201, response.text
        entry = await db.get(TimeEntry, uuid.UUID(response.json()["id"]))
        assert entry is not None
        assert entry.start_time == datetime(2026, 3, 3, 8, tzinfo=UTC)
        assert entry.employee_id == employee.id
        assert await audit_actions(db, entry.id) == ["create"]

    async def test_offset_timestamp_is_the_same_instant(
        self, as_employee: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        project = await make_project(db)
        response = await as_employee.post(
            "/api/v1/time-entries",
            json=entry_body(project.id, "2026-06-03T10:00:00+02:00", "2026-06-03T11:00:00+02:00"),
        )
        assert response.status_code == 201, response.text
        start = datetime.fromisoformat(response.json()["start_time"])
        assert start == datetime(2026, 6, 3, 8, tzinfo=UTC)

    async def test_naive_timestamp_is_422_naming_the_field(
        self, as_employee: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        project = await make_project(db)
        response = await as_employee.post(
            "/api/v1/time-entries",
            json=entry_body(project.id, "2026-03-03T08:00:00", "2026-03-03T09:00:00Z"),
        )
        assert response.status_code == 422
        assert response.json()["field"] == "start_time"

    async def test_end_before_start_is_422(
        self, as_employee: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        project = await make_project(db)
        response = await as_employee.post(
            "/api/v1/time-entries",
            json=entry_body(project.id, "2026-03-03T09:00:00Z", "2026-03-03T08:00:00Z"),
        )
        assert response.status_code == 422
        assert response.json()["field"] == "end_time"

    async def test_overlap_is_409_in_our_words(
        self, as_employee: httpx.AsyncClient, employee: Employee, db: AsyncSession
    ) -> None:
        project = await make_project(db)
        await make_time_entry(
            db, employee.id, project, start_time=berlin(DAY, 8), end_time=berlin(DAY, 10)
        )
        response = await as_employee.post(
            "/api/v1/time-entries",
            json=entry_body(project.id, "2026-03-03T08:30:00Z", "2026-03-03T09:30:00Z"),
        )
        assert response.status_code == 409
        assert response.json()["detail"] == (
            "the entry overlaps another time entry of the same employee"
        )

    async def test_billable_and_rate(
        self, as_employee: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        project = await make_project(db)
        response = await as_employee.post(
            "/api/v1/time-entries",
            json=entry_body(
                project.id,
                "2026-03-03T08:00:00Z",
                "2026-03-03T09:00:00Z",
                billable=True,
                hourly_rate="110.50",
            ),
        )
        assert response.status_code == 201
        assert Decimal(response.json()["hourly_rate"]) == Decimal("110.50")
        assert response.json()["billable"] is True

    async def test_update_and_delete_own_entry_are_audited(
        self, as_employee: httpx.AsyncClient, employee: Employee, db: AsyncSession
    ) -> None:
        project = await make_project(db)
        entry = await make_time_entry(db, employee.id, project)
        url = f"/api/v1/time-entries/{entry.id}"
        changed = await as_employee.patch(
            url, json={"note": "Review", "end_time": "2026-03-02T13:00:00+01:00"}
        )
        assert changed.status_code == 200, changed.text
        assert changed.json()["note"] == "Review"
        assert (await as_employee.delete(url)).status_code == 204
        assert (await as_employee.get(url)).status_code == 404
        assert await audit_actions(db, entry.id) == ["update", "delete"]


class TestOwnership:
    async def test_employee_cannot_book_for_someone_else(
        self, as_employee: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        other = await make_employee(db)
        project = await make_project(db)
        response = await as_employee.post(
            "/api/v1/time-entries",
            json=entry_body(
                project.id,
                "2026-03-03T08:00:00Z",
                "2026-03-03T09:00:00Z",
                employee_id=str(other.id),
            ),
        )
        assert response.status_code == 403
        assert response.json()["field"] == "employee_id"

    async def test_manager_books_for_someone_else(
        self, as_manager: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        other = await make_employee(db)
        project = await make_project(db)
        response = await as_manager.post(
            "/api/v1/time-entries",
            json=entry_body(
                project.id,
                "2026-03-03T08:00:00Z",
                "2026-03-03T09:00:00Z",
                employee_id=str(other.id),
            ),
        )
        assert response.status_code == 201
        assert response.json()["employee_id"] == str(other.id)

    async def test_others_entries_are_404_without_manage(
        self, app: Any, as_employee: httpx.AsyncClient, employee: Employee, db: AsyncSession
    ) -> None:
        other = await make_employee(db)
        project = await make_project(db)
        mine = await make_time_entry(db, employee.id, project)
        theirs = await make_time_entry(db, other.id, project)
        # Keep the setup when a refused request rolls back its own work.
        await db.commit()
        project_id, mine_id = project.id, mine.id
        url = f"/api/v1/time-entries/{theirs.id}"
        assert (await as_employee.get(url)).status_code == 404
        assert (await as_employee.patch(url, json={"note": "x"})).status_code == 404
        assert (await as_employee.delete(url)).status_code == 404
        listed = (await as_employee.get("/api/v1/time-entries")).json()
        assert [e["id"] for e in listed["items"]] == [str(mine_id)]
        assert listed["total"] == 1

        async with await token_client(app, db, await make_employee(db, "Manager")) as manager:
            assert (await manager.get(url)).status_code == 200
            everyone = (
                await manager.get("/api/v1/time-entries", params={"project_id": str(project_id)})
            ).json()
            assert everyone["total"] == 2


class TestFrozenEntries:
    async def test_entry_on_issued_invoice_cannot_change_or_go(
        self, as_employee: httpx.AsyncClient, employee: Employee, db: AsyncSession
    ) -> None:
        project = await make_project(db)
        invoice = await make_invoice(db, issued=True)
        entry = await make_time_entry(db, employee.id, project, invoice_id=invoice.id)
        await db.commit()
        number = invoice.number
        url = f"/api/v1/time-entries/{entry.id}"
        changed = await as_employee.patch(url, json={"note": "later"})
        assert changed.status_code == 409
        assert number in changed.json()["detail"]
        assert (await as_employee.delete(url)).status_code == 409

    async def test_entry_on_draft_invoice_cannot_change_either(
        self, as_employee: httpx.AsyncClient, employee: Employee, db: AsyncSession
    ) -> None:
        # The draft's lines were computed from the entry (issue 13, item 2).
        project = await make_project(db)
        invoice = await make_invoice(db)
        invoice_id = invoice.id
        entry = await make_time_entry(db, employee.id, project, invoice_id=invoice_id)
        changed = await as_employee.patch(f"/api/v1/time-entries/{entry.id}", json={"note": "x"})
        assert changed.status_code == 409
        assert str(invoice_id) in changed.json()["detail"]


class TestStaleTimers:
    async def test_listed_for_managers_only(
        self,
        as_manager: httpx.AsyncClient,
        as_employee: httpx.AsyncClient,
        employee: Employee,
        db: AsyncSession,
    ) -> None:
        project = await make_project(db)
        old = await make_time_entry(
            db, employee.id, project, start_time=datetime(2026, 1, 5, 8, tzinfo=UTC), end_time=None
        )
        fresh_owner = await make_employee(db)
        fresh = await make_time_entry(
            db, fresh_owner.id, project, start_time=datetime.now(UTC), end_time=None
        )
        listed = await as_manager.get("/api/v1/time-entries/timers/stale")
        assert listed.status_code == 200
        ids = [row["entry"]["id"] for row in listed.json()]
        assert str(old.id) in ids
        assert str(fresh.id) not in ids
        assert (await as_employee.get("/api/v1/time-entries/timers/stale")).status_code == 403

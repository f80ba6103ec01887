"""Working time through the HTTP API: contracts, absences and vacation, days and balances,
breaks and deductions, month close, exports, the iCal feed and the team calendar."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.identity import make_employee, token_client
from tests.factories.records import make_project, make_time_entry
from tests.factories.time import berlin
from tests.factories.worktime import approve_month, lead, make_absence, make_contract
from workmate import clock
from workmate.models import AuditLog, BreakDeduction, Employee

API = "/api/v1/worktime"
FOUR_DAYS = ("8", "8", "8", "8", "0", "0", "0")


def last_month() -> date:
    return (clock.today().replace(day=1) - timedelta(days=1)).replace(day=1)


@pytest.fixture
async def team(db: AsyncSession, manager: Employee, employee: Employee) -> Any:
    """`manager` leads a department that `employee` belongs to."""
    return await lead(db, manager.id, employee.id)


class TestContracts:
    async def test_admin_adds_and_a_change_splits_the_contracts(
        self, as_admin: httpx.AsyncClient, employee: Employee
    ) -> None:
        first = await as_admin.post(
            f"{API}/contracts",
            json={
                "employee_id": str(employee.id),
                "valid_from": "2025-01-01",
                "weekly_hours": "38.5",
                "vacation_days": "30",
                "federal_state": "HH",
            },
        )
        assert first.status_code == 201, first.text
        assert first.json()["hours_mon"] == "7.70"
        assert first.json()["weekly_hours"] == "38.50"
        second = await as_admin.post(
            f"{API}/contracts",
            json={
                "employee_id": str(employee.id),
                "valid_from": "2025-07-01",
                "day_hours": ["6", "6", "6", "6", "0", "0", "0"],
                "vacation_days": "24",
                "federal_state": "BY",
            },
        )
        assert second.status_code == 201, second.text
        listed = (await as_admin.get(f"{API}/contracts?employee_id={employee.id}")).json()
        assert [(c["valid_from"], c["valid_to"]) for c in listed] == [
            ("2025-01-01", "2025-06-30"),
            ("2025-07-01", None),
        ]
        overlap = await as_admin.post(
            f"{API}/contracts",
            json={
                "employee_id": str(employee.id),
                "valid_from": "2025-03-01",
                "valid_to": "2025-03-31",
                "weekly_hours": "10",
                "vacation_days": "5",
                "federal_state": "HH",
            },
        )
        assert overlap.status_code == 409
        assert overlap.json()["field"] == "valid_from"

    async def test_bad_input_names_the_field(
        self, as_admin: httpx.AsyncClient, employee: Employee
    ) -> None:
        base = {
            "employee_id": str(employee.id),
            "valid_from": "2025-01-01",
            "vacation_days": "30",
            "federal_state": "HH",
        }
        for extra, field in (
            ({"day_hours": ["11", "8", "8", "8", "8", "0", "0"]}, "day_hours.0"),
            ({"weekly_hours": "40", "federal_state": "XX"}, "federal_state"),
            ({"weekly_hours": "0"}, "weekly_hours"),
            ({"weekly_hours": "40", "valid_from": "1800-01-01"}, "valid_from"),
        ):
            r = await as_admin.post(f"{API}/contracts", json={**base, **extra})
            assert r.status_code == 422, (extra, r.text)
            assert r.json()["field"] == field, r.json()

    async def test_manager_and_employee_may_not_write_contracts(
        self, as_manager: httpx.AsyncClient, as_employee: httpx.AsyncClient, employee: Employee
    ) -> None:
        body = {
            "employee_id": str(employee.id),
            "valid_from": "2025-01-01",
            "weekly_hours": "40",
            "vacation_days": "30",
            "federal_state": "HH",
        }
        assert (await as_manager.post(f"{API}/contracts", json=body)).status_code == 403
        assert (await as_employee.post(f"{API}/contracts", json=body)).status_code == 403


class TestVacation:
    async def test_hand_computed_balances_at_a_contract_change_and_year_ends(
        self, db: AsyncSession, as_employee: httpx.AsyncClient, employee: Employee
    ) -> None:
        # 2024 (a leap year): 30 days on five days until 30 June, 24 days on four days from
        # 1 July: 30 × 182/366 + 24 × 184/366 = 26.98 -> 27.
        await make_contract(db, employee.id, date(2024, 1, 1), date(2024, 6, 30))
        await make_contract(db, employee.id, date(2024, 7, 1), hours=FOUR_DAYS, vacation_days="24")
        # Mon 5 Aug to Thu 5 Sep 2024: five weeks of four days = 20 days (Fridays are off).
        await make_absence(db, employee.id, date(2024, 8, 5), date(2024, 9, 5))
        # 2025: two days in January (used from the carry-over), eight in August.
        await make_absence(db, employee.id, date(2025, 1, 6), date(2025, 1, 7))
        await make_absence(db, employee.id, date(2025, 8, 4), date(2025, 8, 14))
        y2024 = (await as_employee.get(f"{API}/vacation?year=2024")).json()
        assert {k: y2024[k] for k in ("entitlement", "taken", "left", "carried_over")} == {
            "entitlement": "27",
            "taken": "20",
            "left": "7",
            "carried_over": "0",
        }
        y2025 = (await as_employee.get(f"{API}/vacation?year=2025")).json()
        # 7 carried over; 2 of them used by 31 March, so 5 expire; 24 + 7 − 5 − 10 = 16.
        assert {
            k: Decimal(y2025[k])
            for k in ("entitlement", "carried_over", "expired", "taken", "left")
        } == {"entitlement": 24, "carried_over": 7, "expired": 5, "taken": 10, "left": 16}
        assert y2025["carry_over_expires"] == "2025-03-31"

    async def test_request_approve_and_refusals(
        self,
        db: AsyncSession,
        app: Any,
        team: Any,
        manager: Employee,
        employee: Employee,
        as_employee: httpx.AsyncClient,
        as_manager: httpx.AsyncClient,
    ) -> None:
        await make_contract(db, employee.id, date(2020, 1, 1))
        await make_contract(db, manager.id, date(2020, 1, 1))
        year = clock.today().year + 1
        # Mon 1 June .. Fri 5 June of next year; Whit Monday may fall in it (Hamburg).
        start = date(year, 6, 1)
        start -= timedelta(days=start.weekday())
        body = {
            "kind": "vacation",
            "start_date": str(start),
            "end_date": str(start + timedelta(days=4)),
        }
        r = await as_employee.post(f"{API}/absences", json=body)
        assert r.status_code == 201, r.text
        request = r.json()
        assert request["status"] == "requested"
        assert Decimal(request["days"]) in (Decimal(4), Decimal(5))
        # An overlapping second request is refused by the database's exclusion constraint.
        again = await as_employee.post(f"{API}/absences", json=body)
        assert again.status_code == 409
        # Only the weekend: no working day.
        weekend = {
            "kind": "vacation",
            "start_date": str(start - timedelta(days=2)),
            "end_date": str(start - timedelta(days=1)),
        }
        assert (await as_employee.post(f"{API}/absences", json=weekend)).status_code == 422
        # More than the year holds.
        long = {"kind": "vacation", "start_date": f"{year}-08-03", "end_date": f"{year}-10-30"}
        r = await as_employee.post(f"{API}/absences", json=long)
        assert r.status_code == 422
        assert r.json()["error"] == "NotEnoughVacation"
        # The employee cannot approve; the manager of the department can, once.
        own = await as_employee.post(f"{API}/absences/{request['id']}/approve")
        assert own.status_code == 403
        ok = await as_manager.post(
            f"{API}/absences/{request['id']}/approve", json={"comment": "Schönen Urlaub"}
        )
        assert ok.status_code == 200, ok.text
        assert ok.json()["status"] == "approved"
        twice = await as_manager.post(f"{API}/absences/{request['id']}/approve")
        assert twice.status_code == 409
        # A manager's own request needs someone else.
        mine = await as_manager.post(
            f"{API}/absences",
            json={**body, "start_date": f"{year}-09-07", "end_date": f"{year}-09-07"},
        )
        assert mine.status_code == 201
        self_ok = await as_manager.post(f"{API}/absences/{mine.json()['id']}/approve")
        assert self_ok.status_code == 403
        actions = await db.scalars(
            select(AuditLog.action).where(AuditLog.entity_id == request["id"]).order_by(AuditLog.id)
        )
        assert list(actions) == ["create", "approve"]

    async def test_outsiders_see_nothing(
        self, db: AsyncSession, app: Any, employee: Employee, as_manager: httpx.AsyncClient
    ) -> None:
        emp = employee.id
        absence = await make_absence(db, emp, date(2026, 3, 2), kind="sick")
        absence_id = absence.id
        # The manager leads no department of the employee: 404, not 403.
        r = await as_manager.get(f"{API}/absences/{absence_id}")
        assert r.status_code == 404
        r = await as_manager.get(f"{API}/vacation?employee_id={emp}")
        assert r.status_code == 404
        listed = (await as_manager.get(f"{API}/absences")).json()
        assert all(a["employee_id"] != str(emp) for a in listed["items"])

    async def test_sick_leave_stands_at_once_and_manager_enters_for_the_team(
        self,
        db: AsyncSession,
        team: Any,
        employee: Employee,
        as_employee: httpx.AsyncClient,
        as_manager: httpx.AsyncClient,
    ) -> None:
        await make_contract(db, employee.id, date(2020, 1, 1))
        sick = await as_employee.post(
            f"{API}/absences",
            json={
                "kind": "sick",
                "start_date": "2026-03-02",
                "end_date": "2026-03-03",
                "certificate": True,
            },
        )
        assert sick.status_code == 201, sick.text
        assert (sick.json()["status"], sick.json()["days"]) == ("approved", "2")
        training = await as_manager.post(
            f"{API}/absences",
            json={
                "kind": "training",
                "start_date": "2026-03-04",
                "end_date": "2026-03-04",
                "half_day_end": True,
                "employee_id": str(employee.id),
            },
        )
        assert training.status_code == 201, training.text
        assert (training.json()["status"], training.json()["days"]) == ("approved", "0.5")


class TestDays:
    async def test_target_actual_difference_and_deduction(
        self,
        db: AsyncSession,
        team: Any,
        employee: Employee,
        as_employee: httpx.AsyncClient,
        as_manager: httpx.AsyncClient,
    ) -> None:
        await make_contract(db, employee.id, date(2026, 1, 1))
        project = await make_project(db)
        # Mon 27 April 2026: 8 h without a break (30 min deducted), Tue 28: 7 h with 45 min
        # break, Fri 1 May: public holiday in Hamburg, worked 2 h anyway.
        body = {"project_id": str(project.id)}
        for start, end in (
            (berlin(date(2026, 4, 27), 8), berlin(date(2026, 4, 27), 16)),
            (berlin(date(2026, 4, 28), 8), berlin(date(2026, 4, 28), 12)),
            (berlin(date(2026, 4, 28), 12, 45), berlin(date(2026, 4, 28), 15, 45)),
            (berlin(date(2026, 5, 1), 9), berlin(date(2026, 5, 1), 11)),
        ):
            r = await as_employee.post(
                "/api/v1/time-entries",
                json={**body, "start_time": start.isoformat(), "end_time": end.isoformat()},
            )
            assert r.status_code == 201, r.text
        days = (await as_employee.get(f"{API}/days?from=2026-04-27&to=2026-05-03")).json()
        by_day = {d["day"]: d for d in days}
        monday = by_day["2026-04-27"]
        assert (monday["target_hours"], monday["worked_hours"], monday["actual_hours"]) == (
            "8.00",
            "8.00",
            "7.50",
        )
        assert (monday["deduction_minutes"], monday["difference_hours"]) == (30, "-0.50")
        assert {w["rule"] for w in monday["warnings"]} == {"break"}
        tuesday = by_day["2026-04-28"]
        assert (tuesday["break_minutes"], tuesday["difference_hours"]) == (45, "-1.00")
        friday = by_day["2026-05-01"]
        assert (friday["holiday"], friday["target_hours"], friday["difference_hours"]) == (
            "1",
            "0.00",
            "2.00",
        )
        assert friday["holiday_name"] == "Erster Mai"
        # Wed and Thu: 8 h target each, nothing worked: −16; week: −0.5 −1 −16 +2 = −15.5.
        week = (await as_employee.get(f"{API}/weeks/2026-W18")).json()
        assert (week["target_hours"], week["actual_hours"], week["difference_hours"]) == (
            "32.00",
            "16.50",
            "-15.50",
        )
        # The manager reverses the deduction with a reason: the day counts in full.
        reversed_ = await as_manager.post(
            f"{API}/deductions/{monday['deduction_id']}/reverse", json={"reason": "Lunch at 12"}
        )
        assert reversed_.status_code == 200, reversed_.text
        again = (await as_employee.get(f"{API}/days?from=2026-04-27&to=2026-04-27")).json()[0]
        assert (again["deduction_minutes"], again["deduction_reversed"]) == (0, True)
        assert (
            await as_employee.post(
                f"{API}/deductions/{monday['deduction_id']}/reverse", json={"reason": "me"}
            )
        ).status_code == 403
        balance = (await as_employee.get(f"{API}/balance?at=2026-05-03")).json()
        # From 1 January: the target of every workday before 27 April is missing too.
        assert Decimal(balance["balance_hours"]) < 0

    async def test_deduction_follows_edits_and_warn_mode(
        self,
        db: AsyncSession,
        as_employee: httpx.AsyncClient,
        as_admin: httpx.AsyncClient,
        employee: Employee,
    ) -> None:
        project = await make_project(db)
        r = await as_employee.post(
            "/api/v1/time-entries",
            json={
                "project_id": str(project.id),
                "start_time": berlin(date(2026, 4, 20), 8).isoformat(),
                "end_time": berlin(date(2026, 4, 20), 18).isoformat(),
            },
        )
        entry = r.json()
        stored = await db.scalar(
            select(BreakDeduction.minutes).where(BreakDeduction.employee_id == employee.id)
        )
        assert stored == 45
        # Shortened to 6 h: no deduction any more.
        await as_employee.patch(
            f"/api/v1/time-entries/{entry['id']}",
            json={"end_time": berlin(date(2026, 4, 20), 14).isoformat()},
        )
        gone = await db.scalar(
            select(BreakDeduction.minutes).where(BreakDeduction.employee_id == employee.id)
        )
        assert gone is None
        settings = await as_admin.patch(f"{API}/settings", json={"break_mode": "warn"})
        assert settings.status_code == 200
        await as_employee.patch(
            f"/api/v1/time-entries/{entry['id']}",
            json={"end_time": berlin(date(2026, 4, 20), 18).isoformat()},
        )
        assert (
            await db.scalar(
                select(BreakDeduction.id).where(BreakDeduction.employee_id == employee.id)
            )
        ) is None


class TestPause:
    async def test_pause_and_resume(
        self, db: AsyncSession, as_employee: httpx.AsyncClient, employee: Employee
    ) -> None:
        project_id = str((await make_project(db)).id)
        assert (await as_employee.post(f"{API}/timer/pause")).status_code == 409
        started = await as_employee.post(
            "/api/v1/time-entries/timer/start", json={"project_id": project_id, "note": "A"}
        )
        assert started.status_code == 201
        paused = await as_employee.post(f"{API}/timer/pause")
        assert paused.status_code == 201, paused.text
        assert paused.json()["paused_entry_id"] == started.json()["id"]
        assert (await as_employee.get("/api/v1/time-entries/timer")).json() is None
        assert (await as_employee.get(f"{API}/timer/pause")).json()["id"] == paused.json()["id"]
        resumed = await as_employee.post(f"{API}/timer/resume")
        assert resumed.status_code == 201, resumed.text
        assert (resumed.json()["project_id"], resumed.json()["note"]) == (project_id, "A")
        pause = (
            await as_employee.get(f"{API}/breaks?from={clock.today()}&to={clock.today()}")
        ).json()
        assert pause[0]["end_time"] is not None
        assert (await as_employee.post(f"{API}/timer/resume")).status_code == 409

    async def test_recorded_break_may_not_overlap_work(
        self, db: AsyncSession, as_employee: httpx.AsyncClient, employee: Employee
    ) -> None:
        project = await make_project(db)
        await make_time_entry(
            db,
            employee.id,
            project,
            start_time=berlin(date(2026, 4, 20), 8),
            end_time=berlin(date(2026, 4, 20), 12),
        )
        overlap = await as_employee.post(
            f"{API}/breaks",
            json={
                "start_time": berlin(date(2026, 4, 20), 11).isoformat(),
                "end_time": berlin(date(2026, 4, 20), 12, 30).isoformat(),
            },
        )
        assert overlap.status_code == 409
        ok = await as_employee.post(
            f"{API}/breaks",
            json={
                "start_time": berlin(date(2026, 4, 20), 12).isoformat(),
                "end_time": berlin(date(2026, 4, 20), 12, 30).isoformat(),
                "note": "Mittag",
            },
        )
        assert ok.status_code == 201, ok.text


class TestMonths:
    async def test_submit_approve_lock_reopen(
        self,
        db: AsyncSession,
        team: Any,
        employee: Employee,
        manager: Employee,
        as_employee: httpx.AsyncClient,
        as_manager: httpx.AsyncClient,
    ) -> None:
        month = last_month()
        label = month.strftime("%Y-%m")
        emp = str(employee.id)
        await make_contract(db, employee.id, month.replace(year=month.year - 1))
        project = await make_project(db)
        entry_id = (
            await make_time_entry(
                db, employee.id, project, start_time=berlin(month, 9), end_time=berlin(month, 12)
            )
        ).id
        # Not submitted yet: nothing to approve.
        early = await as_manager.post(f"{API}/months/{label}/approve", json={"employee_id": emp})
        assert early.status_code == 409
        current = clock.today().strftime("%Y-%m")
        assert (await as_employee.post(f"{API}/months/{current}/submit")).status_code == 422
        submitted = await as_employee.post(f"{API}/months/{label}/submit")
        assert submitted.status_code == 200, submitted.text
        back = await as_manager.post(
            f"{API}/months/{label}/return", json={"employee_id": emp, "comment": "Fix"}
        )
        assert (back.status_code, back.json()["status"]) == (200, "returned")
        assert (await as_employee.post(f"{API}/months/{label}/submit")).status_code == 200
        approved = await as_manager.post(f"{API}/months/{label}/approve", json={"employee_id": emp})
        assert approved.status_code == 200, approved.text
        assert approved.json()["actual_hours"] == "3.00"
        # Locked: the API answers 409 with the lock's words, for every kind of change.
        edit = await as_employee.patch(f"/api/v1/time-entries/{entry_id}", json={"note": "x"})
        assert edit.status_code == 409
        assert "closed" in edit.json()["detail"]
        sick = await as_employee.post(
            f"{API}/absences",
            json={"kind": "sick", "start_date": str(month), "end_date": str(month)},
        )
        assert sick.status_code == 409
        view = (await as_employee.get(f"{API}/months/{label}")).json()
        assert (view["status"], view["locked"]) == ("approved", True)
        # Reopening needs a reason and is audited with it.
        no_reason = await as_manager.post(
            f"{API}/months/{label}/reopen", json={"employee_id": emp, "reason": " "}
        )
        assert no_reason.status_code == 422
        reopened = await as_manager.post(
            f"{API}/months/{label}/reopen",
            json={"employee_id": emp, "reason": "Fahrtzeit fehlte"},
        )
        assert reopened.status_code == 200, reopened.text
        assert (
            await as_employee.patch(f"/api/v1/time-entries/{entry_id}", json={"note": "x"})
        ).status_code == 200
        reason = await db.scalar(
            select(AuditLog.changes).where(AuditLog.action == "reopen").order_by(AuditLog.id.desc())
        )
        assert reason is not None
        assert reason["reason"] == [None, "Fahrtzeit fehlte"]

    async def test_admin_locks_all_months_up_to_a_date(
        self,
        db: AsyncSession,
        as_admin: httpx.AsyncClient,
        as_manager: httpx.AsyncClient,
        employee: Employee,
        manager: Employee,
        team: Any,
    ) -> None:
        month = last_month()
        label = month.strftime("%Y-%m")
        project_id = str((await make_project(db)).id)
        emp = str(employee.id)
        client = await token_client(as_admin._transport.app, db, employee)  # type: ignore[attr-defined]
        assert (await as_manager.post(f"{API}/lock", json={"through": label})).status_code == 403
        future = clock.today().strftime("%Y-%m")
        assert (await as_admin.post(f"{API}/lock", json={"through": future})).status_code == 422
        locked = await as_admin.post(f"{API}/lock", json={"through": label})
        assert locked.status_code == 200, locked.text
        async with client:
            r = await client.post(
                "/api/v1/time-entries",
                json={
                    "project_id": project_id,
                    "start_time": berlin(month, 9).isoformat(),
                    "end_time": berlin(month, 10).isoformat(),
                },
            )
            assert r.status_code == 409
        earlier = (month - timedelta(days=1)).strftime("%Y-%m")
        back = await as_admin.post(f"{API}/lock", json={"through": earlier})
        assert back.status_code == 409
        # One employee's month reopened by their manager opens for them only.
        reopened = await as_manager.post(
            f"{API}/months/{label}/reopen", json={"employee_id": emp, "reason": "x"}
        )
        assert reopened.status_code == 200, reopened.text


class TestExports:
    async def test_sheet_pdf_csv_and_payroll(
        self,
        db: AsyncSession,
        team: Any,
        employee: Employee,
        manager: Employee,
        as_employee: httpx.AsyncClient,
        as_manager: httpx.AsyncClient,
    ) -> None:
        await make_contract(db, employee.id, date(2026, 1, 1))
        project = await make_project(db)
        await make_time_entry(
            db,
            employee.id,
            project,
            start_time=berlin(date(2026, 3, 2), 8),
            end_time=berlin(date(2026, 3, 2), 16, 30),
        )
        await approve_month(db, employee.id, date(2026, 3, 1), manager.id)
        pdf = await as_employee.get(f"{API}/months/2026-03/sheet.pdf")
        assert pdf.status_code == 200
        assert pdf.content.startswith(b"%PDF")
        csv = await as_employee.get(f"{API}/months/2026-03/sheet.csv")
        assert csv.status_code == 200
        lines = csv.content.decode("utf-8-sig").splitlines()
        assert lines[0].startswith("date;absence_or_holiday")
        assert lines[1].startswith("2026-03-01;")
        assert any(line.startswith("2026-03-02;;") and ";8,50;" in line for line in lines)
        payroll = await as_manager.get(f"{API}/payroll/2026-03.csv")
        assert payroll.status_code == 200
        rows = payroll.content.decode("utf-8-sig").splitlines()
        assert rows[0].startswith("employee;email;department;month")
        assert any(employee.email in r and r.endswith(";approved") for r in rows[1:])
        assert (await as_employee.get(f"{API}/payroll/2026-03.csv")).status_code == 403


class TestFeedAndCalendar:
    async def test_private_feed_and_revocation(
        self,
        db: AsyncSession,
        client: httpx.AsyncClient,
        as_employee: httpx.AsyncClient,
        employee: Employee,
    ) -> None:
        await make_absence(
            db, employee.id, clock.today() + timedelta(days=20), clock.today() + timedelta(days=24)
        )
        await make_absence(
            db, employee.id, clock.today() + timedelta(days=40), kind="sick", status="requested"
        )
        created = await as_employee.post(f"{API}/feed")
        assert created.status_code == 201
        url = created.json()["url"]
        path = url[url.index("/api/") :]
        feed = await client.get(path)
        assert feed.status_code == 200
        assert feed.headers["content-type"].startswith("text/calendar")
        body = feed.text
        assert body.startswith("BEGIN:VCALENDAR\r\n")
        assert body.count("BEGIN:VEVENT") == 1  # only approved absences
        assert "SUMMARY:Urlaub" in body
        assert (await as_employee.delete(f"{API}/feed")).status_code == 204
        assert (await client.get(path)).status_code == 404
        assert (await client.get(f"{API}/feed/nonsense.ics")).status_code == 404

    async def test_team_calendar_hides_the_kind_from_colleagues(
        self,
        db: AsyncSession,
        app: Any,
        team: Any,
        employee: Employee,
        as_manager: httpx.AsyncClient,
    ) -> None:
        colleague = await make_employee(db)
        await db.execute(
            text("UPDATE employees SET department_id = :d WHERE id = :e"),
            {"d": team.id, "e": colleague.id},
        )
        await make_contract(db, employee.id, date(2020, 1, 1))
        await make_absence(db, employee.id, date(2026, 3, 2), kind="sick")
        seen_by_manager = (
            await as_manager.get(f"{API}/calendar?month=2026-03&department_id={team.id}")
        ).json()
        row = next(r for r in seen_by_manager["rows"] if r["employee_id"] == str(employee.id))
        assert row["cells"][1]["absence"] == "sick"
        async with await token_client(app, db, colleague) as as_colleague:
            seen = (await as_colleague.get(f"{API}/calendar?month=2026-03")).json()
        row = next(r for r in seen["rows"] if r["employee_id"] == str(employee.id))
        assert row["cells"][1]["absence"] == "absent"
        assert row["cells"][0]["workday"] is False  # a Sunday


class TestStatements:
    async def test_team_views_cost_the_same_for_more_people(
        self, db: AsyncSession, engine: Any, manager: Employee, as_manager: httpx.AsyncClient
    ) -> None:
        from sqlalchemy import event

        department = await lead(db, manager.id)
        project = await make_project(db)

        async def add(n: int) -> None:
            for _ in range(n):
                person = await make_employee(db)
                await db.execute(
                    text("UPDATE employees SET department_id = :d WHERE id = :e"),
                    {"d": department.id, "e": person.id},
                )
                await make_contract(db, person.id, date(2026, 1, 1))
                await make_absence(db, person.id, date(2026, 3, 9), kind="sick")
                await make_time_entry(
                    db,
                    person.id,
                    project,
                    start_time=berlin(date(2026, 3, 2), 8),
                    end_time=berlin(date(2026, 3, 2), 15),
                )

        async def statements(path: str) -> int:
            seen: list[str] = []

            def count(*args: Any) -> None:
                seen.append(str(args[2]))

            event.listen(engine.sync_engine, "before_cursor_execute", count)
            try:
                r = await as_manager.get(path)
                assert r.status_code == 200, r.text
            finally:
                event.remove(engine.sync_engine, "before_cursor_execute", count)
            # The test's own savepoints around each request are not the endpoint's.
            return len([q for q in seen if "SAVEPOINT" not in q])

        paths = (
            f"{API}/months?month=2026-03",
            f"{API}/payroll/2026-03.csv",
            f"{API}/calendar?month=2026-03&department_id={department.id}",
        )
        await add(2)
        for p in paths:  # the first request stores the year's holidays
            await statements(p)
        few = [await statements(p) for p in paths]
        await add(6)
        many = [await statements(p) for p in paths]
        assert few == many

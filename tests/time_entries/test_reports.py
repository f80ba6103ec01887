"""Reports, CSV, the weekly timesheet and the ArbZG warnings on constructed days."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.identity import make_employee
from tests.factories.records import make_customer, make_project, make_time_entry
from tests.factories.time import berlin, make_day
from workmate.models import Employee

MON = date(2026, 3, 2)
TUE = date(2026, 3, 3)
WED = date(2026, 3, 4)
PERIOD = {"from": "2026-03-01", "to": "2026-03-31"}


async def two_projects(db: AsyncSession, employee: Employee) -> tuple[Any, Any]:
    customer = await make_customer(db, name="Alpha GmbH")
    web = await make_project(db, customer, title="Web", hourly_rate=Decimal("100.00"))
    ops = await make_project(db, customer, title="Ops", hourly_rate=Decimal("80.00"))
    # Web: 2 h billable at 100 + 1 h non-billable; Ops: 1.5 h billable at own rate 120.
    await make_time_entry(db, employee.id, web, start_time=berlin(MON, 8), end_time=berlin(MON, 10))
    await make_time_entry(
        db, employee.id, web, start_time=berlin(MON, 10), end_time=berlin(MON, 11), billable=False
    )
    await make_time_entry(
        db,
        employee.id,
        ops,
        start_time=berlin(TUE, 8),
        end_time=berlin(TUE, 9, 30),
        hourly_rate=Decimal("120.00"),
    )
    return web, ops


class TestReport:
    async def test_hours_per_project_billable_and_value(
        self, as_employee: httpx.AsyncClient, employee: Employee, db: AsyncSession
    ) -> None:
        await two_projects(db, employee)
        response = await as_employee.get(
            "/api/v1/time-entries/reports", params={**PERIOD, "group_by": "project"}
        )
        assert response.status_code == 200, response.text
        body = response.json()
        rows = {r["label"]: r for r in body["rows"]}
        assert Decimal(rows["Web"]["hours"]) == Decimal("3.00")
        assert Decimal(rows["Web"]["billable_hours"]) == Decimal("2.00")
        assert Decimal(rows["Web"]["non_billable_hours"]) == Decimal("1.00")
        assert Decimal(rows["Web"]["billable_value"]) == Decimal("200.00")
        assert Decimal(rows["Ops"]["billable_value"]) == Decimal("180.00")
        assert Decimal(body["billable_value"]) == Decimal("380.00")
        assert body["from"] == "2026-03-01"

    async def test_group_by_day_week_month_customer_employee(
        self, as_employee: httpx.AsyncClient, employee: Employee, db: AsyncSession
    ) -> None:
        await two_projects(db, employee)
        url = "/api/v1/time-entries/reports"

        async def keys(group_by: str) -> list[tuple[str, str]]:
            body = (await as_employee.get(url, params={**PERIOD, "group_by": group_by})).json()
            return [(r["key"], r["hours"]) for r in body["rows"]]

        assert await keys("day") == [("2026-03-02", "3.00"), ("2026-03-03", "1.50")]
        assert await keys("week") == [("2026-W10", "4.50")]
        assert await keys("month") == [("2026-03", "4.50")]
        assert [h for _, h in await keys("customer")] == ["4.50"]
        assert await keys("employee") == [(str(employee.id), "4.50")]

    async def test_others_entries_only_with_manage(
        self,
        as_employee: httpx.AsyncClient,
        as_manager: httpx.AsyncClient,
        employee: Employee,
        db: AsyncSession,
    ) -> None:
        await two_projects(db, employee)
        other = await make_employee(db)
        project = await make_project(db)
        await make_time_entry(
            db, other.id, project, start_time=berlin(WED, 8), end_time=berlin(WED, 9)
        )
        params = {**PERIOD, "group_by": "employee"}
        mine = (await as_employee.get("/api/v1/time-entries/reports", params=params)).json()
        assert [r["key"] for r in mine["rows"]] == [str(employee.id)]
        everyone = (await as_manager.get("/api/v1/time-entries/reports", params=params)).json()
        assert {str(employee.id), str(other.id)} <= {r["key"] for r in everyone["rows"]}

    async def test_csv_export(
        self, as_employee: httpx.AsyncClient, employee: Employee, db: AsyncSession
    ) -> None:
        await two_projects(db, employee)
        response = await as_employee.get(
            "/api/v1/time-entries/reports",
            params={**PERIOD, "group_by": "project", "format": "csv"},
        )
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(response.text)))
        assert rows[0] == [
            "project",
            "label",
            "hours",
            "billable_hours",
            "non_billable_hours",
            "billable_value",
        ]
        assert rows[1][1:] == ["Ops", "1.50", "1.50", "0.00", "180.00"]
        assert rows[-1] == ["total", "", "4.50", "3.50", "1.00", "380.00"]

    async def test_to_before_from_is_422(self, as_employee: httpx.AsyncClient) -> None:
        response = await as_employee.get(
            "/api/v1/time-entries/reports", params={"from": "2026-03-02", "to": "2026-03-01"}
        )
        assert response.status_code == 422
        assert response.json()["field"] == "to"


class TestTimesheet:
    async def test_week_per_project_and_day(
        self, as_employee: httpx.AsyncClient, employee: Employee, db: AsyncSession
    ) -> None:
        await two_projects(db, employee)
        response = await as_employee.get(
            "/api/v1/time-entries/timesheet", params={"week": "2026-W10"}
        )
        assert response.status_code == 200, response.text
        sheet = response.json()
        assert sheet["days"][0] == "2026-03-02"
        rows = {r["project_title"]: r for r in sheet["rows"]}
        assert [Decimal(h) for h in rows["Web"]["days"][:2]] == [Decimal("3.00"), Decimal("0")]
        assert Decimal(rows["Ops"]["days"][1]) == Decimal("1.50")
        assert Decimal(sheet["total"]) == Decimal("4.50")

    async def test_another_employees_sheet_is_404_without_manage(
        self, as_employee: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        other = await make_employee(db)
        response = await as_employee.get(
            "/api/v1/time-entries/timesheet", params={"employee_id": str(other.id)}
        )
        assert response.status_code == 404

    async def test_bad_week_is_422(self, as_employee: httpx.AsyncClient) -> None:
        response = await as_employee.get(
            "/api/v1/time-entries/timesheet", params={"week": "10/2026"}
        )
        assert response.status_code == 422
        assert response.json()["field"] == "week"


class TestCompliance:
    async def warnings(self, client: httpx.AsyncClient, **params: str) -> list[dict[str, Any]]:
        response = await client.get("/api/v1/time-entries/compliance", params={**PERIOD, **params})
        assert response.status_code == 200, response.text
        return list(response.json()["warnings"])

    async def test_a_lawful_day_gives_no_warning(
        self, as_employee: httpx.AsyncClient, employee: Employee, db: AsyncSession
    ) -> None:
        project = await make_project(db)
        # 8 h with a 45-minute break.
        await make_day(db, employee.id, project, MON, ((8, 0), (12, 0)), ((12, 45), (16, 45)))
        assert await self.warnings(as_employee) == []

    async def test_more_than_ten_hours(
        self, as_employee: httpx.AsyncClient, employee: Employee, db: AsyncSession
    ) -> None:
        project = await make_project(db)
        await make_day(db, employee.id, project, MON, ((7, 0), (12, 0)), ((13, 0), (19, 0)))
        found = await self.warnings(as_employee)
        assert [(w["day"], w["rule"]) for w in found] == [("2026-03-02", "max_daily_hours")]
        assert Decimal(found[0]["hours_worked"]) == Decimal("11.00")

    async def test_short_break_after_six_hours(
        self, as_employee: httpx.AsyncClient, employee: Employee, db: AsyncSession
    ) -> None:
        project = await make_project(db)
        # 7 h with a 20-minute break.
        await make_day(db, employee.id, project, MON, ((8, 0), (12, 0)), ((12, 20), (15, 20)))
        found = await self.warnings(as_employee)
        assert [(w["rule"], w["break_minutes"]) for w in found] == [("break", 20)]

    async def test_short_break_after_nine_hours(
        self, as_employee: httpx.AsyncClient, employee: Employee, db: AsyncSession
    ) -> None:
        project = await make_project(db)
        # 9.5 h with a 30-minute break: enough after 6 h, not after 9 h.
        await make_day(db, employee.id, project, MON, ((7, 0), (12, 0)), ((12, 30), (17, 0)))
        found = await self.warnings(as_employee)
        assert [(w["rule"], w["break_minutes"]) for w in found] == [("break", 30)]
        assert "45" in found[0]["message"]

    async def test_gaps_under_fifteen_minutes_are_no_break(
        self, as_employee: httpx.AsyncClient, employee: Employee, db: AsyncSession
    ) -> None:
        project = await make_project(db)
        await make_day(
            db,
            employee.id,
            project,
            MON,
            ((8, 0), (11, 0)),
            ((11, 10), (14, 0)),
            ((14, 10), (15, 0)),
        )
        found = await self.warnings(as_employee)
        assert [(w["rule"], w["break_minutes"]) for w in found] == [("break", 0)]

    async def test_less_than_eleven_hours_rest(
        self, as_employee: httpx.AsyncClient, employee: Employee, db: AsyncSession
    ) -> None:
        project = await make_project(db)
        await make_day(db, employee.id, project, MON, ((14, 0), (17, 0)), ((17, 30), (22, 0)))
        await make_day(db, employee.id, project, TUE, ((6, 0), (12, 0)))
        found = await self.warnings(as_employee)
        assert [(w["day"], w["rule"]) for w in found] == [("2026-03-03", "rest_period")]
        assert Decimal(found[0]["rest_hours"]) == Decimal("8.00")

    async def test_manager_checks_an_employee_others_are_404(
        self,
        as_manager: httpx.AsyncClient,
        as_employee: httpx.AsyncClient,
        employee: Employee,
        db: AsyncSession,
    ) -> None:
        project = await make_project(db)
        await make_day(db, employee.id, project, MON, ((7, 0), (12, 0)), ((13, 0), (19, 0)))
        found = await self.warnings(as_manager, employee_id=str(employee.id))
        assert [w["rule"] for w in found] == ["max_daily_hours"]
        other = await make_employee(db)
        response = await as_employee.get(
            "/api/v1/time-entries/compliance", params={**PERIOD, "employee_id": str(other.id)}
        )
        assert response.status_code == 404

"""Mariä Himmelfahrt counts in Bavaria only where the company says its workplace lies in a
predominantly Catholic municipality (worktime setting `catholic_holidays`); it is listed
with its category either way."""

from __future__ import annotations

from datetime import date

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.worktime import make_contract
from workmate.models import Employee

API = "/api/v1/worktime"


async def test_assumption_day_counts_in_bavaria_once_the_company_says_so(
    db: AsyncSession,
    employee: Employee,
    as_employee: httpx.AsyncClient,
    as_admin: httpx.AsyncClient,
) -> None:
    await make_contract(db, employee.id, date(2025, 1, 1), state="BY")
    # Friday 15 August 2025.
    url = f"{API}/days?from=2025-08-15&to=2025-08-15"
    [plain] = (await as_employee.get(url)).json()
    assert (plain["holiday"], plain["target_hours"]) == ("0", "8.00")

    listed = (await as_admin.get(f"{API}/holidays?year=2025&state=BY")).json()
    assert "2025-08-15" not in [h["day"] for h in listed]

    r = await as_admin.patch(f"{API}/settings", json={"catholic_holidays": True})
    assert r.status_code == 200, r.text
    assert r.json()["catholic_holidays"] is True
    [catholic] = (await as_employee.get(url)).json()
    assert (catholic["holiday"], catholic["target_hours"]) == ("1", "0.00")
    assert catholic["holiday_name"] == "Mariä Himmelfahrt"
    listed = (await as_admin.get(f"{API}/holidays?year=2025&state=BY")).json()
    [assumption] = [h for h in listed if h["day"] == "2025-08-15"]
    assert (assumption["name"], assumption["category"]) == ("Mariä Himmelfahrt", "catholic")
    # Hamburg has no such day.
    hamburg = (await as_admin.get(f"{API}/holidays?year=2025&state=HH")).json()
    assert "2025-08-15" not in [h["day"] for h in hamburg]

    refused = await as_admin.patch(f"{API}/settings", json={"catholic_holidays": None})
    assert refused.status_code == 422
    assert refused.json()["field"] == "catholic_holidays"
    assert (
        await as_employee.patch(f"{API}/settings", json={"catholic_holidays": False})
    ).status_code == 403

"""Invoices from time entries: grouping, binding, and never billing an entry twice."""

from __future__ import annotations

import asyncio
from collections import Counter
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.identity import make_employee
from tests.factories.invoicing import live_token, money
from tests.factories.records import at, make_customer, make_project, make_time_entry
from workmate.models import TimeEntry

URL = "/api/v1/invoices/from-time-entries"
PERIOD = {"from": "2026-03-01", "to": "2026-03-31"}


async def test_grouped_per_project_employee_rate(
    as_manager: httpx.AsyncClient, db: AsyncSession
) -> None:
    project = await make_project(db, hourly_rate=Decimal("100.00"))
    anna, ben = await make_employee(db), await make_employee(db)
    await make_time_entry(db, anna.id, project, start_time=at(0, 8), end_time=at(0, 10))
    await make_time_entry(db, anna.id, project, start_time=at(1, 8), end_time=at(1, 9, 30))
    await make_time_entry(
        db, ben.id, project, start_time=at(0, 8), end_time=at(0, 9), hourly_rate=Decimal("80")
    )
    await make_time_entry(
        db, ben.id, project, start_time=at(2, 8), end_time=at(2, 9), billable=False
    )
    await make_time_entry(db, ben.id, project, start_time=at(40, 8), end_time=at(40, 9))
    r = await as_manager.post(URL, json={"project_id": str(project.id), **PERIOD})
    assert r.status_code == 201, r.text
    inv = r.json()
    assert inv["status"] == "draft"
    assert sorted((ln["quantity"], ln["unit_price"]) for ln in inv["lines"]) == [
        ("1.000", "80.00"),
        ("3.500", "100.00"),
    ]
    assert money(inv["net_total"]) == money("430.00")
    assert inv["service_start"] == "2026-03-02"
    assert inv["service_end"] == "2026-03-03"
    billed = (
        await db.scalars(select(TimeEntry.invoice_id).where(TimeEntry.project_id == project.id))
    ).all()
    assert Counter(str(b) if b else None for b in billed) == {inv["id"]: 3, None: 2}
    # Nothing left to bill.
    again = await as_manager.post(URL, json={"project_id": str(project.id), **PERIOD})
    assert again.status_code == 409


async def test_per_entry_and_by_customer(as_manager: httpx.AsyncClient, db: AsyncSession) -> None:
    customer = await make_customer(db)
    p1, p2 = await make_project(db, customer), await make_project(db, customer)
    who = await make_employee(db)
    await make_time_entry(db, who.id, p1, start_time=at(0, 8), end_time=at(0, 9), note="Setup")
    await make_time_entry(db, who.id, p2, start_time=at(0, 10), end_time=at(0, 11))
    body = {"customer_id": str(customer.id), "grouping": "per_entry", **PERIOD}
    inv = (await as_manager.post(URL, json=body)).json()
    assert len(inv["lines"]) == 2
    assert "Setup" in inv["lines"][0]["description"]
    assert inv["customer_id"] == str(customer.id)


async def test_deleting_the_draft_releases_the_entries(
    as_admin: httpx.AsyncClient, db: AsyncSession
) -> None:
    project = await make_project(db)
    who = await make_employee(db)
    entry = await make_time_entry(db, who.id, project)
    inv = (await as_admin.post(URL, json={"project_id": str(project.id), **PERIOD})).json()
    assert (await as_admin.delete(f"/api/v1/invoices/{inv['id']}")).status_code == 204
    await db.refresh(entry)
    assert entry.invoice_id is None


async def test_needs_exactly_one_of_project_or_customer(as_manager: httpx.AsyncClient) -> None:
    assert (await as_manager.post(URL, json=PERIOD)).status_code == 422


async def test_two_parallel_requests_bill_each_entry_once(
    live_server: str, live_db: AsyncSession
) -> None:
    project = await make_project(live_db)
    who = await make_employee(live_db)
    for day in range(10):
        await make_time_entry(live_db, who.id, project, start_time=at(day, 8), end_time=at(day, 12))
    await live_db.commit()
    headers = {"Authorization": f"Bearer {await live_token(live_db)}"}

    async def bill() -> httpx.Response:
        async with httpx.AsyncClient(base_url=live_server, headers=headers, timeout=60) as c:
            return await c.post(URL, json={"project_id": str(project.id), **PERIOD})

    responses = await asyncio.gather(bill(), bill())
    assert sorted(r.status_code for r in responses) == [201, 409]
    winner = next(r.json() for r in responses if r.status_code == 201)
    assert money(winner["lines"][0]["quantity"]) == money(40)
    billed = (
        await live_db.scalars(
            select(TimeEntry.invoice_id).where(TimeEntry.project_id == project.id)
        )
    ).all()
    assert {str(b) for b in billed} == {winner["id"]}


async def _bill_and_report(
    client: httpx.AsyncClient, db: AsyncSession, minutes: list[int], rate: str
) -> tuple[dict, dict]:  # type: ignore[type-arg]
    project = await make_project(db, hourly_rate=Decimal(rate))
    who = await make_employee(db)
    for day, length in enumerate(minutes):
        await make_time_entry(
            db, who.id, project, start_time=at(day, 8), end_time=at(day, 8, length)
        )
    report = await client.get(
        "/api/v1/time-entries/reports",
        params={"project_id": str(project.id), "group_by": "project", **PERIOD},
    )
    by_day = await client.get(
        "/api/v1/time-entries/reports",
        params={"project_id": str(project.id), "group_by": "day", **PERIOD},
    )
    overview = await client.get(f"/api/v1/projects/{project.id}/overview")
    assert report.status_code == by_day.status_code == overview.status_code == 200, report.text
    # The project's figure too: what invoicing these entries yields.
    assert overview.json()["billable_value"] == report.json()["billable_value"]
    # Summed first, rounded once: the total of the daily rows is no sum of rounded rows.
    assert by_day.json()["hours"] == report.json()["hours"]
    r = await client.post(URL, json={"project_id": str(project.id), **PERIOD})
    assert r.status_code == 201, r.text
    return r.json(), report.json()


async def test_hours_are_summed_first_and_rounded_once_like_the_time_report(
    as_manager: httpx.AsyncClient, db: AsyncSession
) -> None:
    for minutes, rate, hours, net in (
        ([20, 20, 20], "90.00", "1.00", "90.00"),
        ([40, 40, 40], "90.00", "2.00", "180.00"),
        ([7], "90.00", "0.12", "10.80"),
        ([10, 10, 10, 10, 10], "95.00", "0.83", "78.85"),
    ):
        inv, report = await _bill_and_report(as_manager, db, minutes, rate)
        [billed] = inv["lines"]
        assert money(billed["quantity"]) == money(hours), (minutes, billed)
        assert money(billed["net_amount"]) == money(net)
        [row] = report["rows"]
        assert money(row["billable_hours"]) == money(hours)
        assert money(row["billable_value"]) == money(net) == money(report["billable_value"])


async def test_entries_on_a_draft_are_refused_changes_naming_the_draft(
    as_manager: httpx.AsyncClient, as_admin: httpx.AsyncClient, db: AsyncSession
) -> None:
    """Issue 13, item 2: the draft and its entries never disagree."""
    project = await make_project(db, hourly_rate=Decimal("100.00"))
    who = await make_employee(db)
    entry = await make_time_entry(db, who.id, project, start_time=at(0, 8), end_time=at(0, 9))
    entry_id, project_id = entry.id, str(project.id)
    inv = (await as_manager.post(URL, json={"project_id": project_id, **PERIOD})).json()
    url = f"/api/v1/time-entries/{entry_id}"
    changed = await as_manager.patch(url, json={"end_time": at(0, 11).isoformat()})
    assert changed.status_code == 409, changed.text
    assert inv["id"] in changed.json()["detail"]
    assert changed.json()["field"] == "invoice_id"
    deleted = await as_admin.delete(url)
    assert deleted.status_code == 409
    assert inv["id"] in deleted.json()["detail"]
    # The database refuses it too, whoever writes.
    with pytest.raises(DBAPIError, match="draft invoice"):
        async with db.begin_nested():
            await db.execute(
                text(
                    "UPDATE time_entries SET end_time = end_time + interval '2 hours' "
                    "WHERE id = :id"
                ),
                {"id": entry_id},
            )
    with pytest.raises(DBAPIError, match="draft invoice"):
        async with db.begin_nested():
            await db.execute(text("DELETE FROM time_entries WHERE id = :id"), {"id": entry_id})
    # Deleting the draft frees the entry.
    assert (await as_admin.delete(f"/api/v1/invoices/{inv['id']}")).status_code == 204
    changed = await as_manager.patch(url, json={"end_time": at(0, 11).isoformat()})
    assert changed.status_code == 200, changed.text
    again = (await as_manager.post(URL, json={"project_id": project_id, **PERIOD})).json()
    assert money(again["lines"][0]["quantity"]) == money("3")

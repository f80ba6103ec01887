"""Expenses: CRUD through the API, validation, totals per project, category and month."""

from __future__ import annotations

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.records import make_project
from workmate.models import AuditLog

URL = "/api/v1/expenses"


async def test_crud(as_admin: httpx.AsyncClient, db: AsyncSession) -> None:
    project = await make_project(db)
    r = await as_admin.post(
        URL,
        json={
            "category": "material",
            "amount": "49.90",
            "expense_date": "2026-03-04",
            "project_id": str(project.id),
            "note": "Kabel",
        },
    )
    assert r.status_code == 201, r.text
    exp = r.json()
    assert exp["amount"] == "49.90"
    r = await as_admin.patch(f"{URL}/{exp['id']}", json={"amount": "59.90", "note": None})
    assert r.json()["amount"] == "59.90"
    assert r.json()["note"] is None
    assert (await as_admin.get(f"{URL}/{exp['id']}")).json()["amount"] == "59.90"
    assert (await as_admin.delete(f"{URL}/{exp['id']}")).status_code == 204
    assert (await as_admin.get(f"{URL}/{exp['id']}")).status_code == 404
    actions = (
        await db.scalars(select(AuditLog.action).where(AuditLog.entity_id == exp["id"]))
    ).all()
    assert sorted(actions) == ["create", "delete", "update"]


async def test_validation_names_the_field(as_manager: httpx.AsyncClient) -> None:
    for body, field in (
        ({"category": "food", "amount": "1"}, "category"),
        ({"category": "other", "amount": "0"}, "amount"),
        ({"category": "other", "amount": "1.001"}, "amount"),
        (
            {
                "category": "other",
                "amount": "1",
                "project_id": "00000000-0000-0000-0000-000000000000",
            },
            "project_id",
        ),
    ):
        r = await as_manager.post(URL, json=body)
        assert r.status_code == 422, r.text
        assert r.json()["field"] == field


async def test_totals(as_manager: httpx.AsyncClient, db: AsyncSession) -> None:
    p1, p2 = await make_project(db), await make_project(db)
    for cat, amount, day, project in (
        ("material", "10.00", "2026-01-05", p1),
        ("material", "5.50", "2026-02-05", p1),
        ("service", "100.00", "2026-02-06", p2),
        ("other", "1.25", "2026-02-07", None),
    ):
        body = {"category": cat, "amount": amount, "expense_date": day}
        if project is not None:
            body["project_id"] = str(project.id)
        assert (await as_manager.post(URL, json=body)).status_code == 201
    period = {"from": "2026-01-01", "to": "2026-02-28"}
    by_cat = (await as_manager.get(f"{URL}/totals", params={**period})).json()
    assert {g["key"]: g["total"] for g in by_cat["groups"]} == {
        "material": "15.50",
        "other": "1.25",
        "service": "100.00",
    }
    assert by_cat["total"] == "116.75"
    by_month = (
        await as_manager.get(f"{URL}/totals", params={"group_by": "month", **period})
    ).json()
    assert [(g["key"], g["total"]) for g in by_month["groups"]] == [
        ("2026-01", "10.00"),
        ("2026-02", "106.75"),
    ]
    by_project = (
        await as_manager.get(f"{URL}/totals", params={"group_by": "project", **period})
    ).json()
    assert {g["key"]: g["total"] for g in by_project["groups"]} == {
        str(p1.id): "15.50",
        str(p2.id): "100.00",
        None: "1.25",
    }
    page = (await as_manager.get(URL, params={"category": "material", "limit": 1, **period})).json()
    assert page["total"] == 2
    assert len(page["items"]) == 1


async def test_permissions(as_employee: httpx.AsyncClient) -> None:
    assert (await as_employee.get(URL)).status_code == 403
    assert (
        await as_employee.post(URL, json={"category": "other", "amount": "1"})
    ).status_code == 403

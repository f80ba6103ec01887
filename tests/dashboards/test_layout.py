"""Dashboards: one per employee, validated layouts, defaults per role, others' only with manage."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from workmate.auth.permissions import SEED_ROLES, allows
from workmate.dashboards.widgets import WIDGETS, default_layout, validate_layout
from workmate.errors import Invalid
from workmate.models import AuditLog, Dashboard, Employee

URL = "/api/v1/dashboards/me"


def place(wid: str, x: int, y: int, w: int = 4, h: int = 2) -> dict[str, Any]:
    return {"id": wid, "x": x, "y": y, "w": w, "h": h}


def everything(module: str, action: str) -> bool:
    return True


class TestValidation:
    @pytest.mark.parametrize("role", sorted(SEED_ROLES))
    def test_default_layout_of_every_role_is_valid(self, role: str) -> None:
        def can(module: str, action: str) -> bool:
            return allows(SEED_ROLES[role], module, action)

        layout = default_layout(can)
        assert validate_layout(layout, can) == layout
        ids = {w["id"] for w in layout["widgets"]}
        assert ids == {w.id for w in WIDGETS.values() if can(w.module, "read")}

    @pytest.mark.parametrize(
        ("widgets", "field", "named"),
        [
            (
                [place("crm-stats", 0, 0), place("my-timer", 2, 1)],
                "layout_json.widgets.1",
                "my-timer",
            ),
            ([place("nope", 0, 0)], "layout_json.widgets.0.id", "nope"),
            ([place("crm-stats", 10, 0, w=4)], "layout_json.widgets.0", "crm-stats"),
            ([place("crm-stats", 0, 0, w=0)], "layout_json.widgets.0.w", "crm-stats"),
            ([place("crm-stats", 0, 0, h=0)], "layout_json.widgets.0.h", "crm-stats"),
            ([place("crm-stats", -1, 0)], "layout_json.widgets.0.x", "crm-stats"),
            ([{**place("crm-stats", 0, 0), "x": 1.5}], "layout_json.widgets.0.x", "crm-stats"),
            ([{**place("crm-stats", 0, 0), "y": "1"}], "layout_json.widgets.0.y", "crm-stats"),
            ([{**place("crm-stats", 0, 0), "w": True}], "layout_json.widgets.0.w", "crm-stats"),
            ([{**place("crm-stats", 0, 0), "color": "red"}], "layout_json.widgets.0", "crm-stats"),
            (
                [place("crm-stats", 0, 0), place("crm-stats", 4, 0)],
                "layout_json.widgets.1.id",
                "crm-stats",
            ),
        ],
    )
    def test_bad_layouts_are_refused_naming_the_widget(
        self, widgets: list[dict[str, Any]], field: str, named: str
    ) -> None:
        with pytest.raises(Invalid) as caught:
            validate_layout({"widgets": widgets}, everything)
        assert caught.value.field == field
        assert named in caught.value.detail

    def test_touching_widgets_do_not_overlap(self) -> None:
        layout = {
            "widgets": [
                place("crm-stats", 0, 0),
                place("my-timer", 4, 0),
                place("receivables", 0, 2),
            ]
        }
        assert validate_layout(layout, everything) == layout


class TestMyDashboard:
    async def test_default_until_saved_then_the_saved_one(
        self, as_employee: httpx.AsyncClient, db: AsyncSession, employee: Employee
    ) -> None:
        first = await as_employee.get(URL)
        assert first.status_code == 200
        body = first.json()
        assert body["is_default"] is True
        assert body["theme"] == "light"
        ids = {w["id"] for w in body["layout_json"]["widgets"]}
        assert "receivables" not in ids  # an Employee may not read invoices
        assert "my-timer" in ids
        layout = {"widgets": [place("my-timer", 0, 0, w=6), place("crm-stats", 6, 0, w=6)]}
        saved = await as_employee.put(URL, json={"layout_json": layout, "theme": "dark"})
        assert saved.status_code == 200, saved.text
        again = (await as_employee.get(URL)).json()
        assert again["is_default"] is False
        assert again["theme"] == "dark"
        assert again["layout_json"] == layout
        row = await db.scalar(select(Dashboard).where(Dashboard.user_id == employee.id))
        assert row is not None
        assert row.layout_json == layout
        audit = await db.scalar(
            select(AuditLog).where(
                AuditLog.entity == "dashboards", AuditLog.actor_id == employee.id
            )
        )
        assert audit is not None

    async def test_theme_alone_keeps_the_layout(self, as_employee: httpx.AsyncClient) -> None:
        layout = {"widgets": [place("my-timer", 0, 0)]}
        await as_employee.put(URL, json={"layout_json": layout})
        response = await as_employee.put(URL, json={"theme": "dark"})
        assert response.json()["layout_json"] == layout
        assert response.json()["theme"] == "dark"

    async def test_overlapping_widgets_are_422(self, as_employee: httpx.AsyncClient) -> None:
        layout = {"widgets": [place("my-timer", 0, 0, w=6, h=3), place("crm-stats", 5, 2)]}
        response = await as_employee.put(URL, json={"layout_json": layout})
        assert response.status_code == 422
        body = response.json()
        assert body["field"] == "layout_json.widgets.1"
        assert "crm-stats" in body["detail"]
        assert "my-timer" in body["detail"]

    async def test_unknown_theme_is_422(self, as_employee: httpx.AsyncClient) -> None:
        response = await as_employee.put(URL, json={"theme": "blue"})
        assert response.status_code == 422
        assert response.json()["field"] == "theme"

    async def test_widget_of_a_module_the_role_cannot_read_is_422(
        self, as_employee: httpx.AsyncClient
    ) -> None:
        layout = {"widgets": [place("receivables", 0, 0)]}
        response = await as_employee.put(URL, json={"layout_json": layout})
        assert response.status_code == 422
        assert "receivables" in response.json()["detail"]


class TestOthersDashboards:
    async def test_without_manage_another_dashboard_is_forbidden(
        self, as_employee: httpx.AsyncClient, manager: Employee
    ) -> None:
        url = f"/api/v1/dashboards/{manager.id}"
        assert (await as_employee.get(url)).status_code == 403
        response = await as_employee.put(url, json={"theme": "dark"})
        assert response.status_code == 403

    async def test_manage_reads_and_edits_by_the_owners_role(
        self, as_admin: httpx.AsyncClient, employee: Employee
    ) -> None:
        url = f"/api/v1/dashboards/{employee.id}"
        shown = (await as_admin.get(url)).json()
        assert shown["employee_id"] == str(employee.id)
        assert "receivables" not in {w["id"] for w in shown["layout_json"]["widgets"]}
        refused = await as_admin.put(
            url, json={"layout_json": {"widgets": [place("receivables", 0, 0)]}}
        )
        assert refused.status_code == 422
        ok = await as_admin.put(url, json={"layout_json": {"widgets": [place("my-timer", 0, 0)]}})
        assert ok.status_code == 200

    async def test_unknown_employee_is_404(self, as_admin: httpx.AsyncClient) -> None:
        response = await as_admin.get("/api/v1/dashboards/00000000-0000-0000-0000-000000000009")
        assert response.status_code == 404

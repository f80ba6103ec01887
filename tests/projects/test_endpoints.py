"""Projects over HTTP: links, dates, status moves, delete rules, overview figures."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.crm import new_customer, new_project
from tests.factories.records import at, make_invoice, make_time_entry
from workmate.models import Employee, Expense, Payment

pytestmark = pytest.mark.asyncio


class TestCreate:
    async def test_create_and_read(self, as_manager: httpx.AsyncClient, db: AsyncSession) -> None:
        customer = await new_customer(db)
        r = await as_manager.post(
            "/api/v1/projects",
            json={
                "customer_id": str(customer.id),
                "title": "Website",
                "start_date": "2026-03-01",
                "end_date": "2026-03-01",
                "hourly_rate": "95.50",
            },
        )
        assert r.status_code == 201, r.text
        assert r.json()["status"] == "planned"
        got = await as_manager.get(f"/api/v1/projects/{r.json()['id']}")
        assert got.json()["hourly_rate"] == "95.50"

    async def test_end_before_start_is_422(
        self, as_manager: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        customer = await new_customer(db)
        r = await as_manager.post(
            "/api/v1/projects",
            json={
                "customer_id": str(customer.id),
                "title": "X",
                "start_date": "2026-03-02",
                "end_date": "2026-03-01",
            },
        )
        assert r.status_code == 422
        assert r.json()["field"] == "end_date"

    async def test_end_before_start_on_update_is_422(
        self, as_manager: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        project = await new_project(db, start_date=date(2026, 3, 2))
        r = await as_manager.patch(
            f"/api/v1/projects/{project.id}", json={"end_date": "2026-03-01"}
        )
        assert r.status_code == 422
        assert r.json()["field"] == "end_date"

    async def test_unknown_customer_is_422(self, as_manager: httpx.AsyncClient) -> None:
        r = await as_manager.post(
            "/api/v1/projects",
            json={"customer_id": "00000000-0000-0000-0000-000000000000", "title": "X"},
        )
        assert r.status_code == 422
        assert r.json()["field"] == "customer_id"

    async def test_employee_reads_but_cannot_write(
        self, as_employee: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        customer = await new_customer(db)
        await new_project(db, customer)
        listed = await as_employee.get("/api/v1/projects", params={"customer_id": str(customer.id)})
        assert listed.status_code == 200
        assert listed.json()["total"] == 1
        r = await as_employee.post(
            "/api/v1/projects", json={"customer_id": str(customer.id), "title": "X"}
        )
        assert r.status_code == 403


class TestStatus:
    @pytest.mark.parametrize(
        ("start", "target"),
        [
            ("planned", "in_progress"),
            ("in_progress", "completed"),
            ("planned", "cancelled"),
            ("in_progress", "cancelled"),
        ],
    )
    async def test_allowed_moves(
        self, as_manager: httpx.AsyncClient, db: AsyncSession, start: str, target: str
    ) -> None:
        project = await new_project(db, status=start)
        r = await as_manager.patch(f"/api/v1/projects/{project.id}", json={"status": target})
        assert r.status_code == 200
        assert r.json()["status"] == target

    @pytest.mark.parametrize(
        ("start", "target", "named"),
        [
            ("planned", "completed", "in_progress, cancelled"),
            ("completed", "in_progress", "none"),
            ("cancelled", "planned", "none"),
            ("in_progress", "planned", "completed, cancelled"),
            ("completed", "cancelled", "none"),
        ],
    )
    async def test_other_moves_are_409_naming_the_allowed_ones(
        self, as_manager: httpx.AsyncClient, db: AsyncSession, start: str, target: str, named: str
    ) -> None:
        project = await new_project(db, status=start)
        r = await as_manager.patch(f"/api/v1/projects/{project.id}", json={"status": target})
        assert r.status_code == 409
        assert r.json()["field"] == "status"
        assert named in r.json()["detail"]


class TestDelete:
    async def test_project_with_booked_time_cannot_be_deleted(
        self, as_admin: httpx.AsyncClient, db: AsyncSession, admin: Employee
    ) -> None:
        project = await new_project(db)
        await make_time_entry(db, admin.id, project)
        r = await as_admin.delete(f"/api/v1/projects/{project.id}")
        assert r.status_code == 409

    async def test_unused_project_is_deleted(
        self, as_admin: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        project = await new_project(db)
        assert (await as_admin.delete(f"/api/v1/projects/{project.id}")).status_code == 204
        assert (await as_admin.get(f"/api/v1/projects/{project.id}")).status_code == 404


class TestOverview:
    async def test_figures(
        self, as_manager: httpx.AsyncClient, db: AsyncSession, manager: Employee
    ) -> None:
        customer = await new_customer(db)
        project = await new_project(db, customer, hourly_rate=Decimal("100.00"))
        # 4 h at the project rate, 2 h at an own rate of 50, 1 h not billable, 1 running timer
        await make_time_entry(db, manager.id, project, start_time=at(0, 8), end_time=at(0, 12))
        await make_time_entry(
            db,
            manager.id,
            project,
            start_time=at(1, 8),
            end_time=at(1, 10),
            hourly_rate=Decimal("50.00"),
        )
        await make_time_entry(
            db, manager.id, project, start_time=at(2, 8), end_time=at(2, 9), billable=False
        )
        await make_time_entry(db, manager.id, project, start_time=at(3, 8), end_time=None)
        invoice = await make_invoice(db, customer, issued=True, project_id=project.id)
        await make_invoice(db, customer, project_id=project.id)  # draft: not invoiced
        db.add(
            Payment(
                invoice_id=invoice.id,
                amount=Decimal("50.00"),
                payment_date=date(2026, 3, 10),
                method="cash",
            )
        )
        db.add(Expense(project_id=project.id, category="material", amount=Decimal("30.00")))
        await db.flush()
        r = await as_manager.get(f"/api/v1/projects/{project.id}/overview")
        assert r.status_code == 200, r.text
        assert r.json() == {
            "project_id": str(project.id),
            "hours_booked": "7.00",
            "billable_hours": "6.00",
            "billable_value": "500.00",
            "invoiced": "100.00",
            "paid": "50.00",
            "expenses": "30.00",
            "margin": "70.00",
        }

    async def test_payments_of_other_projects_do_not_count(
        self, as_manager: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        customer = await new_customer(db)
        ours, other = await new_project(db, customer), await new_project(db, customer)
        invoice = await make_invoice(db, customer, issued=True, project_id=other.id)
        db.add(
            Payment(
                invoice_id=invoice.id,
                amount=Decimal("119.00"),
                payment_date=date(2026, 3, 10),
                method="bank_transfer",
            )
        )
        await db.flush()
        body = (await as_manager.get(f"/api/v1/projects/{ours.id}/overview")).json()
        assert (body["invoiced"], body["paid"]) == ("0.00", "0.00")
        body = (await as_manager.get(f"/api/v1/projects/{other.id}/overview")).json()
        assert (body["invoiced"], body["paid"]) == ("100.00", "119.00")

    async def test_money_only_for_who_may_read_it(
        self, as_employee: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        customer = await new_customer(db)
        project = await new_project(db, customer)
        await make_invoice(db, customer, issued=True, project_id=project.id)
        body = (await as_employee.get(f"/api/v1/projects/{project.id}/overview")).json()
        # The seeded Employee may read projects, not invoices or expenses.
        assert body["hours_booked"] == "0.00"
        assert [body[k] for k in ("invoiced", "paid", "expenses", "margin")] == [None] * 4

    async def test_empty_project_is_all_zero(
        self, as_manager: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        project = await new_project(db)
        body = (await as_manager.get(f"/api/v1/projects/{project.id}/overview")).json()
        assert body["hours_booked"] == "0.00"
        assert body["margin"] == "0.00"

    async def test_unknown_project_is_404(self, as_manager: httpx.AsyncClient) -> None:
        r = await as_manager.get("/api/v1/projects/00000000-0000-0000-0000-000000000000/overview")
        assert r.status_code == 404

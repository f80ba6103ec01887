"""The read path (workmate.reads): every route that answers with JSON built by PostgreSQL gives
exactly what its response model would have written, and the Reader refuses writes."""

from __future__ import annotations

import inspect
import json
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.crm import new_contact, new_customer, new_project
from tests.factories.einvoice import (
    SCENARIOS,
    L,
    make_buyer,
    make_issued_invoice,
    make_payment,
    make_seller,
)
from tests.factories.records import make_invoice
from tests.factories.time import make_day
from workmate.auth.principal import Principal
from workmate.customers.schemas import CustomerRead
from workmate.customers.service import customer_service
from workmate.invoices.repository import ListFilter
from workmate.invoices.service import invoice_service
from workmate.models import Employee, Invoice, InvoiceLine, Payment, Role
from workmate.pagination import Page, PageParams
from workmate.projects.schemas import ProjectRead
from workmate.projects.service import project_service
from workmate.reads import read_sql
from workmate.time_entries.schemas import TimeEntryRead
from workmate.time_entries.service import time_entry_service

pytestmark = pytest.mark.asyncio
D = Decimal


def same(bytes_path: httpx.Response, model_json: str) -> None:
    """The bytes path's answer equals the model path's, value for value (same key order)."""
    assert bytes_path.status_code == 200, bytes_path.text
    assert bytes_path.headers["content-type"].startswith("application/json")
    # json_build_object's separator: the body really came from PostgreSQL.
    assert b'" : ' in bytes_path.content
    got = json.loads(bytes_path.content)
    expected = json.loads(model_json)
    assert got == expected
    assert json.dumps(got) == json.dumps(expected)  # also the order of the keys


class TestReadSQL:
    @pytest.mark.parametrize(
        "sql",
        [
            "UPDATE customers SET name = 'x'",
            "DELETE FROM customers",
            "INSERT INTO customers DEFAULT VALUES",
            "SELECT id FROM customers FOR UPDATE",
            "WITH x AS (DELETE FROM customers RETURNING id) SELECT * FROM x",
        ],
    )
    async def test_writes_are_refused(self, sql: str) -> None:
        with pytest.raises(ValueError, match="not a read-only statement"):
            read_sql(sql)

    async def test_a_select_is_a_read(self) -> None:
        assert read_sql("SELECT 1") == "SELECT 1"


class TestCustomerDetail:
    async def test_bytes_path_equals_model_path(
        self, as_manager: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        customer = await new_customer(db, name='Müller & "Söhne" GmbH\\Nord', city="Köln")
        # Whole seconds and microseconds: pydantic writes the fraction only when there is one.
        customer.archived_at = datetime(2026, 3, 1, 8, 30, tzinfo=UTC)
        customer.anonymized_at = datetime(2026, 3, 1, 8, 30, 0, 120, tzinfo=UTC)
        await new_contact(db, customer, is_primary=True, email="a@example.de")
        await new_contact(db, customer, position="Einkauf")
        await new_project(db, customer, start_date=date(2026, 1, 1))
        await new_project(db, customer)
        paid = await make_invoice(db, customer, issued=True, due_date=date(2026, 4, 1))
        await make_invoice(db, customer, issued=True)
        await make_invoice(db, customer)  # a draft is no receivable
        db.add(
            Payment(
                invoice_id=paid.id,
                amount=Decimal("19.50"),
                payment_date=date(2026, 3, 5),
                method="cash",
            )
        )
        await db.flush()
        model = await customer_service.detail(db, customer.id)
        assert len(model.open_invoices) == 2
        same(await as_manager.get(f"/api/v1/customers/{customer.id}"), model.model_dump_json())

    async def test_bytes_path_of_an_empty_customer(
        self, as_manager: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        customer = await new_customer(db)
        model = await customer_service.detail(db, customer.id)
        assert model.open_receivables == Decimal("0.00")
        same(await as_manager.get(f"/api/v1/customers/{customer.id}"), model.model_dump_json())

    async def test_unknown_customer_is_404(self, as_manager: httpx.AsyncClient) -> None:
        r = await as_manager.get("/api/v1/customers/00000000-0000-0000-0000-000000000000")
        assert r.status_code == 404
        assert r.json()["error"] == "NotFound"


class TestCustomerList:
    @pytest.mark.parametrize(
        "query",
        [
            {"limit": 50},
            {"limit": 2},
            {"limit": 2, "offset": 2},
            {"limit": 2, "sort": "-created_at"},
            {"limit": 3, "sort": "city"},
            {"q": "Müller", "limit": 2},
            {"q": "Mülle", "sort": "relevance"},
            {"type": "B2C"},
            {"archived": True},
        ],
    )
    async def test_bytes_path_equals_model_path(
        self, as_manager: httpx.AsyncClient, db: AsyncSession, query: dict[str, Any]
    ) -> None:
        await _some_customers(db)
        r = await as_manager.get("/api/v1/customers", params=query)
        same(r, await _model_page(db, query))

    async def test_cursor_pages_equal_model_pages(
        self, as_manager: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        await _some_customers(db)
        query: dict[str, Any] = {"limit": 2, "sort": "name"}
        for _ in range(3):
            r = await as_manager.get("/api/v1/customers", params=query)
            same(r, await _model_page(db, query))
            if not r.json()["next_cursor"]:
                break
            query["cursor"] = r.json()["next_cursor"]
        assert "cursor" in query


async def _some_customers(db: AsyncSession) -> None:
    await new_customer(db, name='Müller & "Söhne" GmbH', city="Köln")
    await new_customer(db, name="Müllerei Nord", type="B2C")
    gone = await new_customer(db, name="Alt GmbH")
    gone.archived_at = datetime(2026, 3, 1, 8, 30, tzinfo=UTC)
    await new_customer(db, name="Zeta AG", city="Aachen")
    await new_customer(db, name="Beta KG")
    await db.flush()


async def _model_page(db: AsyncSession, query: dict[str, Any]) -> str:
    """The same page through the ORM and the Page[CustomerRead] model."""
    limit = query.get("limit", 50)
    offset = query.get("offset", 0)
    page = await customer_service.page(
        db,
        q=query.get("q"),
        type_=query.get("type"),
        archived=query.get("archived", False),
        sort=query.get("sort", "name"),
        limit=limit,
        offset=offset,
        cursor=query.get("cursor"),
    )
    model = Page[CustomerRead](
        items=[CustomerRead.model_validate(c) for c in page.items],
        total=page.total,
        limit=limit,
        offset=offset,
        next_cursor=page.next_cursor,
    )
    return model.model_dump_json()


def _sync_dependencies(dependant: Dependant) -> list[str]:
    found = []
    for sub in dependant.dependencies:
        call = sub.call
        if call is not None and not (
            inspect.iscoroutinefunction(call) or inspect.isasyncgenfunction(call)
        ):
            found.append(getattr(call, "__qualname__", repr(call)))
        found += _sync_dependencies(sub)
    return found


async def test_no_api_dependency_runs_in_a_thread() -> None:
    """FastAPI runs a plain-def dependency in a worker thread: a thread hop on each request."""
    from tests.test_route_permissions import app_routes

    offenders = {
        f"{path}: {name}"
        for path, route, _ in app_routes()
        if path.startswith("/api/") and isinstance(route, APIRoute)
        for name in _sync_dependencies(route.dependant)
    }
    assert not offenders, sorted(offenders)


async def test_flat_route_table_documents_what_nested_routers_did() -> None:
    """The API's routes are added flat (workmate.app.include_flat); FastAPI's own nested
    include of the same routers gives the same OpenAPI document, operation ids included."""
    from fastapi import APIRouter, FastAPI

    import workmate.app as wa
    from workmate.errors import install_handlers

    flat = wa.create_app(check=False)
    nested = FastAPI(title=flat.title, version=flat.version, description=flat.description)
    install_handlers(nested)
    api = APIRouter(prefix=wa.API_PREFIX)
    for router in wa.API_ROUTERS:
        api.include_router(router)
    nested.include_router(api)
    nested.include_router(wa.health_router)
    wa._mount_web(nested)
    assert flat.openapi() == nested.openapi()
    direct = [r for r in flat.routes if getattr(r, "path", "").startswith(wa.API_PREFIX)]
    assert len(direct) == sum(len(router.routes) for router in wa.API_ROUTERS)


class TestProjects:
    async def test_get_one_bytes_path_equals_model_path(
        self, as_manager: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        customer = await new_customer(db)
        project = await new_project(
            db, customer, start_date=date(2026, 1, 1), description='Umbau "Süd"\n2. Stock'
        )
        bare = await new_project(db, customer, hourly_rate=None)
        for p in (project, bare):
            model = ProjectRead.model_validate(await project_service.get(db, p.id))
            same(await as_manager.get(f"/api/v1/projects/{p.id}"), model.model_dump_json())
        missing = await as_manager.get("/api/v1/projects/00000000-0000-0000-0000-000000000000")
        assert missing.status_code == 404

    @pytest.mark.parametrize("query", [{}, {"limit": 2, "offset": 1}, {"status": "planned"}])
    async def test_list_bytes_path_equals_model_path(
        self, as_manager: httpx.AsyncClient, db: AsyncSession, query: dict[str, Any]
    ) -> None:
        customer = await new_customer(db)
        await new_project(db, customer, start_date=date(2026, 1, 1))
        await new_project(db, customer, status="in_progress")
        await new_project(db, customer, hourly_rate=Decimal("95.5"))
        items, total = await project_service.list(
            db,
            status=query.get("status"),
            limit=query.get("limit", 50),
            offset=query.get("offset", 0),
        )
        model = Page[ProjectRead](
            items=[ProjectRead.model_validate(p) for p in items],
            total=total,
            limit=query.get("limit", 50),
            offset=query.get("offset", 0),
        )
        same(await as_manager.get("/api/v1/projects", params=query), model.model_dump_json())


class TestTimeEntryList:
    @pytest.mark.parametrize("query", [{}, {"limit": 2, "offset": 1}, {"billable": False}])
    async def test_bytes_path_equals_model_path(
        self,
        as_manager: httpx.AsyncClient,
        db: AsyncSession,
        manager: Employee,
        query: dict[str, Any],
    ) -> None:
        project = await new_project(db)
        entries = await make_day(
            db, manager.id, project, date(2026, 3, 2), ((8, 0), (12, 0)), ((13, 0), (17, 30))
        )
        entries[1].billable = False
        entries[1].note = 'Fahrt nach "Köln"'
        entries[1].hourly_rate = Decimal("80.00")
        await db.flush()
        who = (await as_manager.get("/api/v1/auth/me")).json()
        assert who["id"] == str(manager.id)
        principal = await _principal(db, manager)
        # As a request would: from the database (the objects above still hold Berlin times).
        db.expire_all()
        limit, offset = query.get("limit", 50), query.get("offset", 0)
        items, total = await time_entry_service.search(
            db, principal, billable=query.get("billable"), limit=limit, offset=offset
        )
        model = Page[TimeEntryRead](
            items=[TimeEntryRead.model_validate(e) for e in items],
            total=total,
            limit=limit,
            offset=offset,
        )
        same(await as_manager.get("/api/v1/time-entries", params=query), model.model_dump_json())


async def _principal(db: AsyncSession, employee: Employee) -> Principal:
    role = await db.get(Role, employee.role_id)
    assert role is not None
    return Principal(
        employee_id=employee.id,
        email=employee.email,
        role_id=role.id,
        role_name=role.name,
        permissions=role.permissions,
        via="cli",
    )


class TestTimeEntryOne:
    async def test_bytes_path_equals_model_path_and_keeps_visibility(
        self,
        as_manager: httpx.AsyncClient,
        as_employee: httpx.AsyncClient,
        db: AsyncSession,
        manager: Employee,
        employee: Employee,
    ) -> None:
        project = await new_project(db)
        (mine,) = await make_day(db, employee.id, project, date(2026, 3, 2), ((8, 0), (12, 0)))
        mine.note = "Kunde \\ Büro"
        mine.hourly_rate = Decimal("80.00")
        (theirs,) = await make_day(db, manager.id, project, date(2026, 3, 2), ((9, 0), (10, 0)))
        await db.flush()
        ids = mine.id, theirs.id
        boss = await _principal(db, manager)
        db.expire_all()  # as a request would read them: from the database
        for entry_id in ids:
            model = TimeEntryRead.model_validate(await time_entry_service.get(db, boss, entry_id))
            same(await as_manager.get(f"/api/v1/time-entries/{entry_id}"), model.model_dump_json())
        # Without manage another employee's entry does not exist.
        assert (await as_employee.get(f"/api/v1/time-entries/{ids[1]}")).status_code == 404
        assert (await as_employee.get(f"/api/v1/time-entries/{ids[0]}")).status_code == 200


class TestInvoiceList:
    @pytest.mark.parametrize(
        "query",
        [
            {},
            {"limit": 2, "offset": 1},
            {"status": "overdue"},
            {"status": "open"},
            {"kind": "invoice"},
        ],
    )
    async def test_bytes_path_equals_model_path(
        self, as_manager: httpx.AsyncClient, db: AsyncSession, query: dict[str, Any]
    ) -> None:
        customer = await new_customer(db)
        await make_invoice(db, customer)  # draft
        overdue = await make_invoice(db, customer, issued=True)  # due 2026-03-15: past
        await make_invoice(db, customer, issued=True)
        cancelled = await make_invoice(db, customer, issued=True)
        cancelled.status = "cancelled"
        db.add(
            Payment(
                invoice_id=overdue.id,
                amount=Decimal("19.50"),
                payment_date=date(2026, 3, 5),
                method="cash",
            )
        )
        await db.flush()
        db.expire_all()
        paging = PageParams(limit=query.get("limit", 50), offset=query.get("offset", 0))
        filters = ListFilter(status=query.get("status"), kind=query.get("kind"))
        model = await invoice_service.list_invoices(db, filters, paging)
        assert model.items
        same(await as_manager.get("/api/v1/invoices", params=query), model.model_dump_json())


class TestInvoiceOne:
    """GET /invoices/{id}: lines, VAT per rate, paid, credited and open amounts, the effective
    status and the cancelling credit note, built by PostgreSQL, equal to the service's model."""

    async def _same_as_model(self, client: httpx.AsyncClient, db: AsyncSession, *ids: Any) -> None:
        db.expire_all()  # as a request would read them: from the database
        for invoice_id in ids:
            model = await invoice_service.get(db, invoice_id)
            same(await client.get(f"/api/v1/invoices/{invoice_id}"), model.model_dump_json())

    @pytest.mark.parametrize("scenario", sorted(SCENARIOS))
    async def test_bytes_path_equals_model_path(
        self, as_manager: httpx.AsyncClient, db: AsyncSession, scenario: str
    ) -> None:
        """Several rates, discounts, reverse charge, §19, 120 lines, umlauts, a credit note
        (and the invoice it cancels), each with a partial payment where one can be made."""
        invoice = await SCENARIOS[scenario](db)
        if invoice.kind == "invoice":
            await make_payment(db, invoice, Decimal("10.00"))
        await self._same_as_model(as_manager, db, invoice.id, invoice.cancels_id or invoice.id)

    async def test_partial_credits_payments_and_statuses(
        self, as_manager: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        customer = await make_buyer(db)
        lines = [L("Entwicklung", D("3"), D("95.00")), L("Buch", D("1"), D("39.90"), D("7"))]
        credited = await make_issued_invoice(db, lines, customer)
        await make_issued_invoice(
            db, lines[:1], customer, kind="credit_note", cancels=credited, partial=True
        )
        await make_payment(db, credited, Decimal("20.00"))
        # Not yet due (sent, not overdue), and one paid in full.
        current = await make_issued_invoice(db, lines, customer, due_date=date(2099, 1, 1))
        await make_payment(db, current, Decimal("0.01"))
        paid = await make_issued_invoice(db, lines[1:], customer)
        await make_payment(db, paid, paid.total)
        draft = await make_invoice(db, customer)
        await self._same_as_model(as_manager, db, credited.id, current.id, paid.id, draft.id)
        body = (await as_manager.get(f"/api/v1/invoices/{credited.id}")).json()
        assert (body["status"], body["paid_amount"]) == ("overdue", "20.00")
        assert body["credited_amount"] == "339.15"
        assert body["per_rate"] == [
            {"rate": "19", "net": "285.00", "tax": "54.15"},
            {"rate": "7", "net": "39.90", "tax": "2.79"},
        ]
        assert (await as_manager.get(f"/api/v1/invoices/{paid.id}")).json()["status"] == "paid"

    async def test_negative_lines_and_a_line_free_draft(
        self, as_manager: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        """A negative net whose VAT rounds to zero is Decimal's -0.00 in the model; so here."""
        lines = [
            L("Leistung", D("2"), D("10.00")),
            L("Rückvergütung", D("-1"), D("0.01")),
            L("Pfand zurück", D("-1"), D("5.00"), D("0")),
        ]
        mixed = await make_issued_invoice(db, lines[1:])
        empty = await make_invoice(db)
        await db.execute(delete(InvoiceLine).where(InvoiceLine.invoice_id == empty.id))
        await self._same_as_model(as_manager, db, mixed.id, empty.id)
        body = (await as_manager.get(f"/api/v1/invoices/{mixed.id}")).json()
        assert [r["tax"] for r in body["per_rate"]] == ["-0.00", "-0.00"]

    async def test_down_payments_and_final_invoice(
        self, as_admin: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        await make_seller(db)
        customer = await make_buyer(db)
        quote = await _created(
            as_admin,
            "/api/v1/quotes",
            {
                "customer_id": str(customer.id),
                "title": "Relaunch",
                "lines": [
                    {"description": "Konzeption", "quantity": "10", "unit_price": "100.00"},
                    {
                        "description": "Fachbuch",
                        "quantity": "2",
                        "unit_price": "50.00",
                        "vat_rate": 7,
                    },
                ],
            },
        )
        for step in ("issue", "accept"):
            assert (await as_admin.post(f"/api/v1/quotes/{quote['id']}/{step}")).status_code == 200
        downs = await _created(
            as_admin, f"/api/v1/quotes/{quote['id']}/down-payments", {"shares": ["30", "20"]}
        )
        for down in downs:
            r = await as_admin.post(f"/api/v1/invoices/{down['id']}/issue")
            assert r.status_code == 200, r.text
        final = await _created(as_admin, f"/api/v1/quotes/{quote['id']}/final-invoice", None)
        assert final["total"] == "648.50"  # 1297.00 less the down payments
        r = await as_admin.post(f"/api/v1/invoices/{final['id']}/issue")
        assert r.status_code == 200, r.text
        await make_payment(db, await db.get_one(Invoice, uuid.UUID(final["id"])), D("100.00"))
        ids = [uuid.UUID(x["id"]) for x in (*downs, final)]
        await self._same_as_model(as_admin, db, *ids)

    async def test_unknown_invoice_is_404(self, as_manager: httpx.AsyncClient) -> None:
        r = await as_manager.get("/api/v1/invoices/00000000-0000-0000-0000-000000000000")
        assert r.status_code == 404
        assert (r.json()["error"], r.json()["field"]) == ("NotFound", "invoice_id")


async def _created(client: httpx.AsyncClient, url: str, body: Any) -> Any:
    r = await client.post(url, json=body)
    assert r.status_code == 201, r.text
    return r.json()

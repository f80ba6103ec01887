"""Customers and contacts over HTTP: numbering, validation, search, delete rules, detail."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from tests.factories.crm import new_contact, new_customer, new_project
from tests.factories.records import make_invoice
from workmate import reads
from workmate.models import AuditLog, Contact, Payment

pytestmark = pytest.mark.asyncio


@contextmanager
def count_queries(engine: AsyncEngine) -> Iterator[list[str]]:
    seen: list[str] = []

    def on_execute(*args: Any) -> None:
        seen.append(args[2])

    event.listen(engine.sync_engine, "before_cursor_execute", on_execute)
    # The read path (workmate.reads) runs its SELECTs on asyncpg directly, past that hook.
    previous, reads.on_statement = reads.on_statement, seen.append
    try:
        yield seen
    finally:
        reads.on_statement = previous
        event.remove(engine.sync_engine, "before_cursor_execute", on_execute)


class TestCreate:
    async def test_numbers_count_up_and_are_audited(
        self, as_manager: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        first = await as_manager.post("/api/v1/customers", json={"name": "Alpha GmbH"})
        second = await as_manager.post("/api/v1/customers", json={"name": "Beta GmbH"})
        assert first.status_code == 201, first.text
        n1 = int(first.json()["number"].removeprefix("K-"))
        assert second.json()["number"] == f"K-{n1 + 1:05d}"
        assert first.json()["number"].startswith("K-")
        assert len(first.json()["number"]) == 7
        audited = await db.scalar(
            select(func.count())
            .select_from(AuditLog)
            .where(AuditLog.entity == "customer", AuditLog.entity_id == first.json()["id"])
        )
        assert audited == 1

    async def test_number_of_a_deleted_customer_is_not_reused(
        self, as_admin: httpx.AsyncClient
    ) -> None:
        first = (await as_admin.post("/api/v1/customers", json={"name": "Weg GmbH"})).json()
        assert (await as_admin.delete(f"/api/v1/customers/{first['id']}")).status_code == 204
        second = (await as_admin.post("/api/v1/customers", json={"name": "Neu GmbH"})).json()
        assert second["number"] != first["number"]
        assert second["number"] > first["number"]

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("tax_id", "DE123"),
            ("tax_id", "12/345/678"),
            ("email", "not-an-email"),
            ("phone", "call me"),
            ("type", "B2X"),
        ],
    )
    async def test_invalid_fields_are_422_naming_the_field(
        self, as_manager: httpx.AsyncClient, field: str, value: str
    ) -> None:
        r = await as_manager.post("/api/v1/customers", json={"name": "X", field: value})
        assert r.status_code == 422
        assert r.json()["field"] == field

    @pytest.mark.parametrize(
        ("given", "stored"),
        [
            ("DE 136 695 976", "DE136695976"),
            ("ATU13585627", "ATU13585627"),
            ("2181508150", "2181508150"),
        ],
    )
    async def test_valid_tax_ids_are_accepted(
        self, as_manager: httpx.AsyncClient, given: str, stored: str
    ) -> None:
        r = await as_manager.post("/api/v1/customers", json={"name": "X", "tax_id": given})
        assert r.status_code == 201, r.text
        assert r.json()["tax_id"] == stored

    async def test_employee_may_read_but_not_write(
        self, as_employee: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        await new_customer(db)
        assert (await as_employee.get("/api/v1/customers")).status_code == 200
        r = await as_employee.post("/api/v1/customers", json={"name": "X"})
        assert r.status_code == 403

    async def test_anonymous_is_401(self, client: httpx.AsyncClient) -> None:
        assert (await client.get("/api/v1/customers")).status_code == 401


class TestSearch:
    async def test_typo_tolerant_search_over_name_number_email_and_contact(
        self, as_manager: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        target = await new_customer(db, name="Schreinerei Hoffmann", email="info@holzwerk.de")
        other = await new_customer(db, name="Bäckerei Lang", email="post@lang.de")
        await new_contact(db, target, firstname="Gisela", lastname="Wunderlich")
        await new_contact(db, other, firstname="Otto", lastname="Brot")

        async def found(q: str) -> set[str]:
            r = await as_manager.get("/api/v1/customers", params={"q": q, "limit": 200})
            assert r.status_code == 200
            return {c["id"] for c in r.json()["items"]}

        for q in ("Hofman", "Schreinerai", "holzwerk", target.number, "Wunderlch"):
            assert str(target.id) in await found(q), q
            assert str(other.id) not in await found(q), q

    async def test_filters_sort_and_total_agree(
        self, as_manager: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        owing = await new_customer(db, name="ZZ Offen AG", type="B2B")
        settled = await new_customer(db, name="ZZ Bezahlt AG", type="B2B")
        await new_customer(db, name="ZZ Privat", type="B2C")
        await make_invoice(db, owing, issued=True)
        await make_invoice(db, settled)  # a draft is not open
        r = await as_manager.get("/api/v1/customers", params={"q": "ZZ", "has_open_invoices": True})
        assert [c["name"] for c in r.json()["items"]] == ["ZZ Offen AG"]
        assert r.json()["total"] == 1
        r = await as_manager.get(
            "/api/v1/customers", params={"q": "ZZ", "type": "B2B", "sort": "-name", "limit": 1}
        )
        body = r.json()
        assert body["total"] == 2
        assert [c["name"] for c in body["items"]] == ["ZZ Offen AG"]
        page2 = await as_manager.get(
            "/api/v1/customers",
            params={"q": "ZZ", "type": "B2B", "sort": "-name", "limit": 1, "offset": 1},
        )
        assert [c["name"] for c in page2.json()["items"]] == ["ZZ Bezahlt AG"]

    async def test_unknown_sort_is_422(self, as_manager: httpx.AsyncClient) -> None:
        r = await as_manager.get("/api/v1/customers", params={"sort": "password"})
        assert r.status_code == 422
        assert r.json()["field"] == "sort"


class TestDeleteAndArchive:
    async def test_customer_with_invoices_cannot_be_deleted_but_archived(
        self, as_admin: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        customer = await new_customer(db, name="Rechnungskunde")
        await make_invoice(db, customer)
        r = await as_admin.delete(f"/api/v1/customers/{customer.id}")
        assert r.status_code == 409
        assert "archive" in r.json()["detail"]

    async def test_archived_customer_leaves_the_list(
        self, as_admin: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        # (a failed request rolls the test's data back, so this is a test of its own)
        customer = await new_customer(db, name="Rechnungskunde")
        await make_invoice(db, customer)
        r = await as_admin.post(f"/api/v1/customers/{customer.id}/archive")
        assert r.status_code == 200
        assert r.json()["archived_at"]
        listed = await as_admin.get("/api/v1/customers", params={"q": "Rechnungskunde"})
        assert listed.json()["total"] == 0
        archived = await as_admin.get(
            "/api/v1/customers", params={"q": "Rechnungskunde", "archived": True}
        )
        assert archived.json()["total"] == 1

    async def test_manager_may_not_delete(
        self, as_manager: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        customer = await new_customer(db)
        assert (await as_manager.delete(f"/api/v1/customers/{customer.id}")).status_code == 403


class TestDetail:
    async def test_detail_holds_contacts_projects_and_receivables_in_fixed_queries(
        self, as_manager: httpx.AsyncClient, db: AsyncSession, engine: AsyncEngine
    ) -> None:
        async def queries_for(n: int) -> tuple[int, dict[str, Any]]:
            customer = await new_customer(db)
            for _ in range(n):
                await new_contact(db, customer)
                await new_project(db, customer)
                await make_invoice(db, customer, issued=True)
            # warm up: the first request of a token also records its use
            await as_manager.get(f"/api/v1/customers/{customer.id}")
            with count_queries(engine) as seen:
                r = await as_manager.get(f"/api/v1/customers/{customer.id}")
            assert r.status_code == 200
            return len(seen), r.json()

        small, _ = await queries_for(1)
        large, body = await queries_for(5)
        assert small == large
        assert len(body["contacts"]) == 5
        assert len(body["projects"]) == 5
        assert len(body["open_invoices"]) == 5
        assert body["open_receivables"] == "595.00"

    async def test_payments_reduce_open_receivables(
        self, as_manager: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        from datetime import date
        from decimal import Decimal

        customer = await new_customer(db)
        invoice = await make_invoice(db, customer, issued=True)
        db.add(
            Payment(
                invoice_id=invoice.id,
                amount=Decimal("19.00"),
                payment_date=date(2026, 3, 5),
                method="cash",
            )
        )
        await db.flush()
        body = (await as_manager.get(f"/api/v1/customers/{customer.id}")).json()
        assert body["open_receivables"] == "100.00"

    async def test_unknown_customer_is_404(self, as_manager: httpx.AsyncClient) -> None:
        r = await as_manager.get("/api/v1/customers/00000000-0000-0000-0000-000000000000")
        assert r.status_code == 404


class TestContacts:
    async def test_new_primary_replaces_old_primary(
        self, as_manager: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        customer = await new_customer(db)
        url = f"/api/v1/customers/{customer.id}/contacts"
        a = await as_manager.post(url, json={"firstname": "A", "lastname": "A", "is_primary": True})
        b = await as_manager.post(url, json={"firstname": "B", "lastname": "B", "is_primary": True})
        assert a.status_code == b.status_code == 201
        contacts = (await as_manager.get(url)).json()
        assert [(c["firstname"], c["is_primary"]) for c in contacts] == [("B", True), ("A", False)]
        r = await as_manager.patch(f"{url}/{a.json()['id']}", json={"is_primary": True})
        assert r.status_code == 200
        primaries = await db.scalars(
            select(Contact.firstname).where(Contact.customer_id == customer.id, Contact.is_primary)
        )
        assert list(primaries) == ["A"]

    async def test_contact_of_another_customer_is_404(
        self, as_manager: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        one, two = await new_customer(db), await new_customer(db)
        contact = await new_contact(db, one)
        r = await as_manager.get(f"/api/v1/customers/{two.id}/contacts/{contact.id}")
        assert r.status_code == 404

    async def test_contact_email_is_validated(
        self, as_manager: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        customer = await new_customer(db)
        url = f"/api/v1/customers/{customer.id}/contacts"
        r = await as_manager.post(url, json={"firstname": "A", "lastname": "B", "email": "x"})
        assert r.status_code == 422
        assert r.json()["field"] == "email"

    async def test_contact_delete_needs_crm_delete(
        self, as_manager: httpx.AsyncClient, as_admin: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        customer = await new_customer(db)
        url = f"/api/v1/customers/{customer.id}/contacts"
        contact = await new_contact(db, customer)
        contact_id = contact.id
        # Managers hold crm.write but not crm.delete (issue 13, item 9).
        assert (await as_manager.delete(f"{url}/{contact_id}")).status_code == 403
        assert (await as_admin.delete(f"{url}/{contact_id}")).status_code == 204
        assert (await as_admin.get(f"{url}/{contact_id}")).status_code == 404


class TestGdpr:
    async def test_contact_export_and_anonymisation(
        self, as_admin: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        customer = await new_customer(db)
        contact = await new_contact(db, customer, email="petra@example.de", phone="+49 30 1234567")
        url = f"/api/v1/customers/{customer.id}/contacts/{contact.id}"
        export = (await as_admin.get(f"{url}/gdpr-export")).json()
        assert export["contact"]["email"] == "petra@example.de"
        assert export["customer"]["id"] == str(customer.id)
        assert export["audit"][0]["action"] == "create"
        r = await as_admin.post(f"{url}/anonymize")
        assert r.status_code == 200
        body = r.json()
        assert body["email"] is None
        assert body["phone"] is None
        assert body["anonymized_at"]
        assert "Petra" not in r.text
        log = await db.scalar(
            select(AuditLog.changes).where(
                AuditLog.entity_id == str(contact.id), AuditLog.action == "anonymize"
            )
        )
        assert log is not None
        assert "petra" not in str(log).lower()

    async def test_b2c_customer_anonymised_invoices_keep_buyer_copy(
        self, as_admin: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        customer = await new_customer(
            db, name="Erika Privat", type="B2C", email="erika@example.de", city="Köln"
        )
        await new_contact(db, customer, firstname="Erika", lastname="Privat")
        invoice = await make_invoice(db, customer, issued=True, buyer_name="Erika Privat")
        r = await as_admin.post(f"/api/v1/customers/{customer.id}/anonymize")
        assert r.status_code == 200, r.text
        assert "Erika" not in r.text
        assert r.json()["city"] is None
        await db.refresh(invoice)
        assert invoice.buyer_name == "Erika Privat"
        detail = (await as_admin.get(f"/api/v1/customers/{customer.id}")).json()
        assert "Erika" not in str(detail["contacts"])
        assert len(detail["open_invoices"]) == 1

    async def test_b2b_customer_cannot_be_anonymised(
        self, as_admin: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        customer = await new_customer(db, type="B2B")
        r = await as_admin.post(f"/api/v1/customers/{customer.id}/anonymize")
        assert r.status_code == 409
        assert r.json()["field"] == "type"

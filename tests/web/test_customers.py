"""Customer pages: list with search and paging, detail, create and edit with inline errors."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.records import make_customer
from workmate.models import Customer


async def test_create_customer_through_the_form(
    web_admin: httpx.AsyncClient, db: AsyncSession
) -> None:
    response = await web_admin.post(
        "/customers/new",
        data={"name": "Bäckerei Schmidt GmbH", "type": "B2B", "email": "", "city": "Köln"},
    )
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert re.fullmatch(r"/customers/[0-9a-f-]{36}\?saved=1", location)
    stored = await db.scalar(select(Customer).where(Customer.name == "Bäckerei Schmidt GmbH"))
    assert stored is not None
    assert stored.email is None  # an empty input is no value, not ""
    assert stored.number.startswith("K-")
    page = await web_admin.get(location)
    assert "Bäckerei Schmidt GmbH" in page.text
    assert "Gespeichert." in page.text


async def test_field_errors_are_shown_next_to_the_fields(web_admin: httpx.AsyncClient) -> None:
    response = await web_admin.post(
        "/customers/new",
        data={"name": "", "type": "B2B", "email": "not-an-email", "tax_id": "123"},
    )
    assert response.status_code == 422
    text = response.text
    assert 'id="e-name"' in text
    assert "Dieses Feld ist erforderlich." in text
    assert 'id="e-email"' in text
    assert 'id="e-tax_id"' in text
    assert "Steuernummer" in text
    # What was typed stays in the form.
    assert 'value="not-an-email"' in text
    assert 'aria-invalid="true"' in text


async def test_edit_customer(web_admin: httpx.AsyncClient, db: AsyncSession) -> None:
    customer = await make_customer(db, name="Alt GmbH")
    form = await web_admin.get(f"/customers/{customer.id}/edit")
    assert form.status_code == 200
    assert 'value="Alt GmbH"' in form.text
    response = await web_admin.post(
        f"/customers/{customer.id}/edit",
        data={"name": "Neu GmbH", "type": "B2B", "country": "DE", "phone": "+49 30 123456"},
    )
    assert response.status_code == 303, response.text
    await db.refresh(customer)
    assert customer.name == "Neu GmbH"
    assert customer.phone == "+49 30 123456"


async def test_edit_with_an_error_keeps_the_input(
    web_admin: httpx.AsyncClient, db: AsyncSession
) -> None:
    customer = await make_customer(db, name="Fehler GmbH")
    response = await web_admin.post(
        f"/customers/{customer.id}/edit",
        data={"name": "Fehler GmbH", "type": "B2B", "country": "Deutschland"},
    )
    assert response.status_code == 422
    assert 'id="e-country"' in response.text
    assert 'value="Deutschland"' in response.text


async def test_list_searches_and_pages(web_admin: httpx.AsyncClient, db: AsyncSession) -> None:
    for n in range(30):
        await make_customer(db, name=f"Seitentest {n:02d} GmbH")
    first = (await web_admin.get("/customers?q=Seitentest")).text
    assert first.count("Seitentest") >= 25
    assert 'rel="next"' in first
    second = (await web_admin.get("/customers?q=Seitentest&page=2")).text
    assert 'rel="prev"' in second
    assert "Seitentest" in second


async def test_employee_reads_but_cannot_edit(
    web_employee: httpx.AsyncClient, db: AsyncSession
) -> None:
    customer = await make_customer(db)
    detail = await web_employee.get(f"/customers/{customer.id}")
    assert detail.status_code == 200
    assert f"/customers/{customer.id}/edit" not in detail.text
    assert 'href="/customers/new"' not in (await web_employee.get("/customers")).text
    refused = await web_employee.post(f"/customers/{customer.id}/edit", data={"name": "X"})
    assert refused.status_code == 403


async def test_unknown_customer_is_404(web_admin: httpx.AsyncClient) -> None:
    response = await web_admin.get("/customers/00000000-0000-0000-0000-000000000000")
    assert response.status_code == 404
    assert "text/html" in response.headers["content-type"]


async def test_archive_and_restore(web_admin: httpx.AsyncClient, db: AsyncSession) -> None:
    customer = await make_customer(db, name="Archivtest GmbH")
    page = (await web_admin.get(f"/customers/{customer.id}")).text
    assert "data-confirm=" in page  # destructive actions ask first
    response = await web_admin.post(f"/customers/{customer.id}/archive", data={"archived": "true"})
    assert response.status_code == 303
    await db.refresh(customer)
    assert customer.archived_at is not None
    assert "Archivtest GmbH" not in (await web_admin.get("/customers?q=Archivtest")).text
    assert "Archivtest GmbH" in (await web_admin.get("/customers?q=Archivtest&archived=true")).text
    await web_admin.post(f"/customers/{customer.id}/archive", data={"archived": "false"})
    await db.refresh(customer)
    assert customer.archived_at is None


async def test_delete_customer(web_admin: httpx.AsyncClient, db: AsyncSession) -> None:
    customer = await make_customer(db)
    response = await web_admin.post(f"/customers/{customer.id}/delete")
    assert response.status_code == 303
    assert (await web_admin.get(f"/customers/{customer.id}")).status_code == 404


async def test_delete_refused_with_projects(web_admin: httpx.AsyncClient, db: AsyncSession) -> None:
    from tests.factories.records import make_project

    project = await make_project(db)
    await db.commit()  # the refusal rolls its request back; the fixtures must survive it
    response = await web_admin.post(f"/customers/{project.customer_id}/delete")
    assert response.status_code == 409
    assert 'role="alert"' in response.text


async def test_detail_offers_documents(
    web_admin: httpx.AsyncClient, web_employee: httpx.AsyncClient, db: AsyncSession
) -> None:
    customer = await make_customer(db)
    page = (await web_admin.get(f"/customers/{customer.id}")).text
    assert "Noch keine Dokumente." in page
    assert "data-dropzone" in page
    # Employees read documents but the role's upload right is what shows the drop zone.
    assert (await web_employee.get(f"/customers/{customer.id}")).status_code == 200

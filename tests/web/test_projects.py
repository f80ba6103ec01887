"""Project pages through the projects service."""

from __future__ import annotations

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.records import make_customer, make_project
from workmate.models import Project


async def test_create_project_for_a_customer(
    web_admin: httpx.AsyncClient, db: AsyncSession
) -> None:
    customer = await make_customer(db)
    form = await web_admin.get(f"/projects/new?customer_id={customer.id}")
    assert form.status_code == 200
    response = await web_admin.post(
        "/projects/new",
        data={
            "title": "Relaunch",
            "customer_id": str(customer.id),
            "status": "in_progress",
            "hourly_rate": "1.095,50",
        },
    )
    assert response.status_code == 303, response.text
    project = await db.scalar(select(Project).where(Project.title == "Relaunch"))
    assert project is not None
    assert str(project.hourly_rate) == "1095.50"
    detail = await web_admin.get(response.headers["location"])
    assert "Gebuchte Stunden" in detail.text


async def test_project_errors_inline(web_admin: httpx.AsyncClient, db: AsyncSession) -> None:
    response = await web_admin.post(
        "/projects/new", data={"title": "", "customer_id": "", "hourly_rate": "viel"}
    )
    assert response.status_code == 422
    for name in ("title", "customer_id", "hourly_rate"):
        assert f'id="e-{name}"' in response.text


async def test_list_filters_by_status(web_employee: httpx.AsyncClient, db: AsyncSession) -> None:
    await make_project(db, title="Läuft gerade", status="in_progress")
    await make_project(db, title="Kommt noch", status="planned")
    text = (await web_employee.get("/projects?status=planned")).text
    table = text[text.index("<table") :]  # the header's timer lists every open project
    assert "Kommt noch" in table
    assert "Läuft gerade" not in table
    assert 'href="/projects/new"' not in text


async def test_chat_history_and_posting_without_script(
    web_admin: httpx.AsyncClient, db: AsyncSession
) -> None:
    project = await make_project(db, title="Chatprojekt")
    page = await web_admin.get(f"/projects/{project.id}")
    assert "Noch keine Nachrichten." in page.text
    response = await web_admin.post(
        f"/projects/{project.id}/messages", data={"message": "Hallo <b>Team</b>"}
    )
    assert response.status_code == 303, response.text
    page = await web_admin.get(f"/projects/{project.id}")
    assert "Hallo &lt;b&gt;Team&lt;/b&gt;" in page.text  # escaped, never markup
    blank = await web_admin.post(f"/projects/{project.id}/messages", data={"message": "  "})
    assert blank.status_code == 422
    assert 'id="e-message"' in blank.text
    # The chat is on the page once, and never inside the document title.
    assert page.text.count("data-chat-form") == 1
    title = page.text.split("<title>", 1)[1].split("</title>", 1)[0]
    assert "<" not in title


async def test_money_figures_only_for_those_who_see_invoices(
    web_admin: httpx.AsyncClient, web_employee: httpx.AsyncClient, db: AsyncSession
) -> None:
    project = await make_project(db)
    admin_page = (await web_admin.get(f"/projects/{project.id}")).text
    assert "Berechnet (netto)" in admin_page
    employee_page = await web_employee.get(f"/projects/{project.id}")
    assert employee_page.status_code == 200
    assert "Gebuchte Stunden" in employee_page.text
    assert "Berechnet (netto)" not in employee_page.text
    assert "Marge" not in employee_page.text

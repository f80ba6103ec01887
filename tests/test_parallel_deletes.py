"""Parallel DELETEs of one row over real HTTP (issue 13, item 6): exactly one 204, every other
request 404, one audit row. Each delete reads its row locked and afresh, so the requests that
waited find it gone."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.invoicing import draft_body, live_token, make_company_settings
from tests.factories.records import make_customer, make_project
from workmate.models import AuditLog

PARALLEL = 10
Client = httpx.AsyncClient
Maker = Callable[[Client, AsyncSession], Awaitable[tuple[str, str]]]


async def _payment(c: Client, live_db: AsyncSession) -> tuple[str, str]:
    await make_company_settings(live_db)
    customer = await make_customer(live_db)
    await live_db.commit()
    inv = (await c.post("/api/v1/invoices", json=draft_body(customer.id))).json()
    await c.post(f"/api/v1/invoices/{inv['id']}/issue")
    paid = await c.post(f"/api/v1/invoices/{inv['id']}/payments", json={"amount": "10.00"})
    return f"/api/v1/payments/{paid.json()['id']}", paid.json()["id"]


async def _reminder(c: Client, live_db: AsyncSession) -> tuple[str, str]:
    r = await c.post("/api/v1/reminders", json={"title": "Anrufen", "due_date": "2026-12-01"})
    return f"/api/v1/reminders/{r.json()['id']}", r.json()["id"]


async def _expense(c: Client, live_db: AsyncSession) -> tuple[str, str]:
    r = await c.post("/api/v1/expenses", json={"category": "material", "amount": "12.50"})
    assert r.status_code == 201, r.text
    return f"/api/v1/expenses/{r.json()['id']}", r.json()["id"]


async def _contact(c: Client, live_db: AsyncSession) -> tuple[str, str]:
    customer = (await c.post("/api/v1/customers", json={"name": "Kontakt GmbH"})).json()
    r = await c.post(
        f"/api/v1/customers/{customer['id']}/contacts",
        json={"firstname": "Erika", "lastname": "Muster"},
    )
    return f"/api/v1/customers/{customer['id']}/contacts/{r.json()['id']}", r.json()["id"]


async def _customer(c: Client, live_db: AsyncSession) -> tuple[str, str]:
    r = await c.post("/api/v1/customers", json={"name": "Einmal GmbH"})
    return f"/api/v1/customers/{r.json()['id']}", r.json()["id"]


async def _project(c: Client, live_db: AsyncSession) -> tuple[str, str]:
    customer = (await c.post("/api/v1/customers", json={"name": "Projekt GmbH"})).json()
    r = await c.post("/api/v1/projects", json={"customer_id": customer["id"], "title": "P"})
    return f"/api/v1/projects/{r.json()['id']}", r.json()["id"]


async def _time_entry(c: Client, live_db: AsyncSession) -> tuple[str, str]:
    project = await make_project(live_db)
    await live_db.commit()
    r = await c.post(
        "/api/v1/time-entries",
        json={
            "project_id": str(project.id),
            "start_time": "2026-03-02T08:00:00+00:00",
            "end_time": "2026-03-02T09:00:00+00:00",
        },
    )
    assert r.status_code == 201, r.text
    return f"/api/v1/time-entries/{r.json()['id']}", r.json()["id"]


async def _document(c: Client, live_db: AsyncSession) -> tuple[str, str]:
    r = await c.post("/api/v1/documents", files={"file": ("a.txt", b"hello", "text/plain")})
    assert r.status_code == 201, r.text
    return f"/api/v1/documents/{r.json()['id']}", r.json()["id"]


async def _invoice(c: Client, live_db: AsyncSession) -> tuple[str, str]:
    customer = await make_customer(live_db)
    await live_db.commit()
    inv = (await c.post("/api/v1/invoices", json=draft_body(customer.id))).json()
    return f"/api/v1/invoices/{inv['id']}", inv["id"]


async def _created(c: Client, url: str, body: dict[str, Any]) -> tuple[str, str]:
    r = await c.post(url, json=body)
    assert r.status_code == 201, r.text
    return f"{url}/{r.json()['id']}", r.json()["id"]


async def _quote(c: Client, live_db: AsyncSession) -> tuple[str, str]:
    customer = await make_customer(live_db)
    await live_db.commit()
    line = {"description": "Konzept", "quantity": "1", "unit_price": "100.00"}
    body = {"customer_id": str(customer.id), "title": "Angebot", "lines": [line]}
    return await _created(c, "/api/v1/quotes", body)


async def _department(c: Client, live_db: AsyncSession) -> tuple[str, str]:
    return await _created(c, "/api/v1/departments", {"name": f"Abteilung {uuid.uuid4().hex}"})


async def _role(c: Client, live_db: AsyncSession) -> tuple[str, str]:
    return await _created(c, "/api/v1/roles", {"name": f"Rolle {uuid.uuid4().hex[:8]}"})


async def _bank_account(c: Client, live_db: AsyncSession) -> tuple[str, str]:
    body = {"name": f"Konto {uuid.uuid4().hex[:8]}", "iban": "DE02120300000000202051"}
    return await _created(c, "/api/v1/bank-accounts", body)


MAKERS: dict[str, Maker] = {
    "payment": _payment,
    "reminder": _reminder,
    "expense": _expense,
    "contact": _contact,
    "customer": _customer,
    "project": _project,
    "time_entry": _time_entry,
    "document": _document,
    "invoice": _invoice,
    "quote": _quote,
    "department": _department,
    "role": _role,
    "bank_account": _bank_account,
}


@pytest.mark.parametrize("kind", list(MAKERS))
async def test_parallel_deletes_answer_one_204_and_audit_once(
    live_server: str, live_db: AsyncSession, kind: str
) -> None:
    headers = {"Authorization": f"Bearer {await live_token(live_db)}"}
    async with httpx.AsyncClient(base_url=live_server, headers=headers, timeout=60) as c:
        url, row_id = await MAKERS[kind](c, live_db)

    async def delete() -> httpx.Response:
        async with httpx.AsyncClient(base_url=live_server, headers=headers, timeout=60) as own:
            return await own.delete(url)

    responses: list[Any] = await asyncio.gather(*(delete() for _ in range(PARALLEL)))
    codes = Counter(r.status_code for r in responses)
    assert codes == {204: 1, 404: PARALLEL - 1}, [r.text for r in responses]
    audited = await live_db.scalar(
        select(func.count())
        .select_from(AuditLog)
        .where(AuditLog.entity_id == row_id, AuditLog.action == "delete")
    )
    assert audited == 1

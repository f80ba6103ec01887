"""Absence e-mails through the outbox and a real SMTP server: a request reaches the manager of
the employee's department, the decision reaches the employee, a request still waiting is
withdrawn when it is decided or taken back; sick leave sends nothing."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.einvoice import make_seller
from tests.factories.worktime import lead, make_contract
from tests.outbox.conftest import SmtpServer
from workmate import clock
from workmate.models import Employee, OutboxMessage
from workmate.outbox.flows import outbox_flows

API = "/api/v1/worktime"


async def _messages(db: AsyncSession, absence_id: str) -> list[OutboxMessage]:
    rows = await db.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.related_id == absence_id)
        .order_by(OutboxMessage.created_at)
        .execution_options(populate_existing=True)
    )
    return list(rows)


def _week() -> tuple[date, date]:
    start = date(clock.today().year + 1, 9, 1)
    start -= timedelta(days=start.weekday())
    return start, start + timedelta(days=2)


async def test_request_goes_to_the_manager_and_the_decision_to_the_employee(
    db: AsyncSession,
    app: Any,
    manager: Employee,
    employee: Employee,
    as_employee: httpx.AsyncClient,
    as_manager: httpx.AsyncClient,
    smtp_server: SmtpServer,
) -> None:
    await make_seller(db)  # the sender address
    await lead(db, manager.id, employee.id)
    await make_contract(db, employee.id, date(2020, 1, 1))
    first, last = _week()
    r = await as_employee.post(
        f"{API}/absences",
        json={"kind": "vacation", "start_date": str(first), "end_date": str(last)},
    )
    assert r.status_code == 201, r.text
    absence = r.json()["id"]
    [request] = await _messages(db, absence)
    assert (request.purpose, request.state, request.to_addresses) == (
        "absence",
        "queued",
        [manager.email],
    )
    assert await outbox_flows.deliver(db, request.id, smtp_server.settings()) == "sent"
    [mail] = smtp_server.handler.received
    assert mail["To"] == manager.email
    assert f"{employee.firstname} {employee.lastname}" in mail["Subject"]
    assert first.strftime("%d.%m.%Y") in mail["Subject"]
    assert "Urlaub" in mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]

    ok = await as_manager.post(
        f"{API}/absences/{absence}/approve", json={"comment": "Schönen Urlaub"}
    )
    assert ok.status_code == 200, ok.text
    decision = (await _messages(db, absence))[-1]
    assert decision.to_addresses == [employee.email]
    assert await outbox_flows.deliver(db, decision.id, smtp_server.settings()) == "sent"
    reply = smtp_server.handler.received[-1]
    assert reply["To"] == employee.email
    assert "genehmigt" in reply["Subject"]
    text = reply.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert f"{manager.firstname} {manager.lastname}" in text
    assert "Schönen Urlaub" in text


async def test_a_waiting_request_notice_is_withdrawn_and_sick_leave_sends_nothing(
    db: AsyncSession,
    app: Any,
    manager: Employee,
    employee: Employee,
    as_employee: httpx.AsyncClient,
    as_manager: httpx.AsyncClient,
) -> None:
    await lead(db, manager.id, employee.id)
    await make_contract(db, employee.id, date(2020, 1, 1))
    first, last = _week()
    body = {"kind": "vacation", "start_date": str(first), "end_date": str(last)}
    absence = (await as_employee.post(f"{API}/absences", json=body)).json()["id"]
    # No mail server: the request notice waits; declining withdraws it and queues the answer.
    declined = await as_manager.post(f"{API}/absences/{absence}/decline")
    assert declined.status_code == 200, declined.text
    request, answer = await _messages(db, absence)
    assert (request.state, answer.state) == ("cancelled", "queued")
    assert "abgelehnt" in answer.subject
    # Taken back by the employee before anyone decided: the notice is withdrawn.
    again = (await as_employee.post(f"{API}/absences", json=body)).json()["id"]
    assert (await as_employee.post(f"{API}/absences/{again}/cancel")).status_code == 200
    [withdrawn] = await _messages(db, again)
    assert withdrawn.state == "cancelled"
    # Sick leave stands at once: no request to decide, no message.
    sick = await as_employee.post(
        f"{API}/absences",
        json={
            "kind": "sick",
            "start_date": str(first + timedelta(days=7)),
            "end_date": str(first + timedelta(days=7)),
        },
    )
    assert sick.status_code == 201, sick.text
    assert await _messages(db, sick.json()["id"]) == []

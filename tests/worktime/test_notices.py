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
from workmate.models import Employee, MonthClosing, OutboxMessage
from workmate.outbox.flows import outbox_flows

API = "/api/v1/worktime"


async def _messages(db: AsyncSession, absence_id: Any) -> list[OutboxMessage]:
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
        "worktime",
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


async def test_a_handed_in_month_goes_to_the_manager_and_the_answer_to_the_employee(
    db: AsyncSession,
    app: Any,
    manager: Employee,
    employee: Employee,
    as_employee: httpx.AsyncClient,
    as_manager: httpx.AsyncClient,
) -> None:
    await lead(db, manager.id, employee.id)
    month = (clock.today().replace(day=1) - timedelta(days=1)).replace(day=1)
    await make_contract(db, employee.id, month.replace(year=month.year - 1))
    label = f"{month:%Y-%m}"
    r = await as_employee.post(f"{API}/months/{label}/submit")
    assert r.status_code == 200, r.text
    closing = await db.scalar(
        select(MonthClosing.id).where(
            MonthClosing.employee_id == employee.id, MonthClosing.month == month
        )
    )
    [handed_in] = await _messages(db, closing)
    assert (handed_in.purpose, handed_in.to_addresses) == ("worktime", [manager.email])
    german_month = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
                    "September", "Oktober", "November", "Dezember"][month.month - 1]  # fmt: skip
    assert f"Monat {german_month} {month.year}" in handed_in.subject
    returned = await as_manager.post(
        f"{API}/months/{label}/return",
        json={"employee_id": str(employee.id), "comment": "Bitte Freitag nachtragen"},
    )
    assert returned.status_code == 200, returned.text
    handed_in, answer = await _messages(db, closing)
    assert (handed_in.state, answer.state) == ("cancelled", "queued")
    assert answer.to_addresses == [employee.email]
    assert "zur Korrektur zurückgegeben" in answer.subject
    assert "Bitte Freitag nachtragen" in answer.body
    # Handed in again: the answer not sent yet is withdrawn, the managers are told again.
    again = await as_employee.post(f"{API}/months/{label}/submit")
    assert again.status_code == 200, again.text
    states = [(m.state, m.to_addresses) for m in await _messages(db, closing)]
    assert states == [
        ("cancelled", [manager.email]),
        ("cancelled", [employee.email]),
        ("queued", [manager.email]),
    ]
    approved = await as_manager.post(
        f"{API}/months/{label}/approve", json={"employee_id": str(employee.id)}
    )
    assert approved.status_code == 200, approved.text
    last = (await _messages(db, closing))[-1]
    assert (last.state, last.to_addresses) == ("queued", [employee.email])
    assert "freigegeben" in last.subject

"""Partial credit notes: chosen lines or free amounts, several per invoice, never above its
total (also under concurrency); open amount and status count payments and credits; the
credit note's XML (type 381, BG-3 reference) passes the EN 16931 validator."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from tests.einvoice.tools import validate
from tests.factories.invoicing import (
    assert_money_invariant,
    draft_body,
    line,
    live_token,
    make_company_settings,
)
from tests.factories.records import make_customer
from workmate.invoices.overdue import today

URL = "/api/v1/invoices"


async def _issued(client: httpx.AsyncClient, db: AsyncSession, *lines: dict[str, Any]) -> Any:
    """An issued invoice: by default 2 h at 100.00 (19 %) and 1 at 50.00 (7 %): 291.50 gross."""
    await make_company_settings(db)
    customer = await make_customer(db)
    body = draft_body(customer.id, *(lines or (line("100.00", "2"), line("50.00", "1", "7"))))
    r = await client.post(URL, json=body)
    assert r.status_code == 201, r.text
    r = await client.post(f"{URL}/{r.json()['id']}/issue")
    assert r.status_code == 200, r.text
    return r.json()


async def test_partial_credit_of_a_line_and_an_amount(
    as_manager: httpx.AsyncClient, db: AsyncSession
) -> None:
    inv = await _issued(as_manager, db)
    assert inv["total"] == "291.50"
    first = inv["lines"][0]
    r = await as_manager.post(
        f"{URL}/{inv['id']}/credit-notes",
        json={
            "lines": [
                {"line_id": first["id"], "quantity": "0.5"},
                {"description": "Nachlass Anfahrt", "net_amount": "10.00", "vat_rate": 7},
            ],
            "reason": "Eine halbe Stunde zu viel berechnet",
        },
    )
    assert r.status_code == 201, r.text
    note = r.json()
    assert note["kind"] == "credit_note"
    assert note["partial"] is True
    assert note["cancels_id"] == inv["id"]
    assert note["number"].startswith(f"GS-{today().year}-")
    # 50.00 + 9.50 VAT, 10.00 + 0.70 VAT
    assert (note["net_total"], note["tax_total"], note["total"]) == ("60.00", "10.20", "70.20")
    assert [float(ln["quantity"]) for ln in note["lines"]] == [0.5, 1.0]
    original = (await as_manager.get(f"{URL}/{inv['id']}")).json()
    assert original["status"] == "sent"
    assert original["credited_amount"] == "70.20"
    assert original["open_amount"] == "221.30"
    assert original["cancelled_by_id"] is None
    listed = (await as_manager.get(URL, params={"status": "open"})).json()["items"]
    assert [i["open_amount"] for i in listed if i["id"] == inv["id"]] == ["221.30"]


async def test_status_and_open_amount_after_partial_credit_and_payment(
    as_manager: httpx.AsyncClient, db: AsyncSession
) -> None:
    inv = await _issued(as_manager, db)
    credit = {"lines": [{"description": "Gutschrift", "net_amount": "100.00", "vat_rate": 19}]}
    assert (
        await as_manager.post(f"{URL}/{inv['id']}/credit-notes", json=credit)
    ).status_code == 201
    pay = f"{URL}/{inv['id']}/payments"
    too_much = await as_manager.post(pay, json={"amount": "172.51"})
    assert too_much.status_code == 409, too_much.text
    assert "172.50" in too_much.json()["detail"]
    assert (await as_manager.post(pay, json={"amount": "172.50"})).status_code == 201
    original = (await as_manager.get(f"{URL}/{inv['id']}")).json()
    assert (original["status"], original["open_amount"]) == ("paid", "0.00")
    assert (original["paid_amount"], original["credited_amount"]) == ("172.50", "119.00")
    # After payment a further credit is a refund: allowed up to the total, not beyond.
    rest = {"lines": [{"description": "Rest", "net_amount": "10.00", "vat_rate": 7}]}
    assert (await as_manager.post(f"{URL}/{inv['id']}/credit-notes", json=rest)).status_code == 201
    again = (await as_manager.get(f"{URL}/{inv['id']}")).json()
    assert (again["status"], again["open_amount"]) == ("paid", "0.00")
    over = {"lines": [{"description": "Zu viel", "net_amount": "150.00", "vat_rate": 19}]}
    r = await as_manager.post(f"{URL}/{inv['id']}/credit-notes", json=over)
    assert r.status_code == 409, r.text
    assert r.json()["field"] == "lines"
    await assert_money_invariant(db)


async def test_credits_alone_settle_the_invoice(
    as_manager: httpx.AsyncClient, db: AsyncSession
) -> None:
    inv = await _issued(as_manager, db, line("100.00", "1"))
    first = inv["lines"][0]
    for _ in range(2):
        r = await as_manager.post(
            f"{URL}/{inv['id']}/credit-notes",
            json={"lines": [{"line_id": first["id"], "quantity": "0.5"}]},
        )
        assert r.status_code == 201, r.text
    original = (await as_manager.get(f"{URL}/{inv['id']}")).json()
    assert (original["status"], original["open_amount"]) == ("paid", "0.00")
    r = await as_manager.post(f"{URL}/{inv['id']}/payments", json={"amount": "0.01"})
    assert r.status_code == 409


async def test_bad_credit_lines_name_the_field(
    as_manager: httpx.AsyncClient, db: AsyncSession
) -> None:
    inv = await _issued(as_manager, db)
    first = inv["lines"][0]
    url = f"{URL}/{inv['id']}/credit-notes"
    cases = [
        ({"lines": [{"line_id": first["id"], "quantity": "2.5"}]}, 422, "lines.0.quantity"),
        (
            {"lines": [{"line_id": inv["id"], "quantity": "1"}]},
            422,
            "lines.0.line_id",
        ),
        (
            {"lines": [{"description": "x", "net_amount": "1.00", "vat_rate": 0}]},
            422,
            "lines.0.vat_rate",
        ),
        ({"lines": [{"description": "x", "net_amount": "1.00"}]}, 422, None),
        ({"lines": []}, 422, None),
        ({"lines": [{"description": "x", "net_amount": "-1.00", "vat_rate": 19}]}, 422, None),
    ]
    for body, status, field in cases:
        r = await as_manager.post(url, json=body)
        assert r.status_code == status, (body, r.text)
        if field:
            assert r.json()["field"] == field, r.text
    count = await db.scalar(text("SELECT count(*) FROM invoices WHERE cancels_id = :id"), inv)
    assert count == 0


async def test_full_cancellation_and_partial_credit_exclude_each_other(
    as_manager: httpx.AsyncClient, db: AsyncSession
) -> None:
    inv = await _issued(as_manager, db)
    credit = {"lines": [{"description": "Nachlass", "net_amount": "10.00", "vat_rate": 19}]}
    assert (
        await as_manager.post(f"{URL}/{inv['id']}/credit-notes", json=credit)
    ).status_code == 201
    r = await as_manager.post(f"{URL}/{inv['id']}/credit-note")
    assert r.status_code == 409, r.text
    assert "partial credit note" in r.json()["detail"]
    other = await _issued(as_manager, db)
    assert (await as_manager.post(f"{URL}/{other['id']}/credit-note")).status_code == 201
    r = await as_manager.post(f"{URL}/{other['id']}/credit-notes", json=credit)
    assert r.status_code == 409, r.text
    draft = (await as_manager.post(URL, json=draft_body(inv["customer_id"]))).json()
    r = await as_manager.post(f"{URL}/{draft['id']}/credit-notes", json=credit)
    assert r.status_code == 409, r.text


async def test_the_database_refuses_credits_above_the_total(
    as_manager: httpx.AsyncClient, db: AsyncSession
) -> None:
    inv = await _issued(as_manager, db)
    credit = {"lines": [{"description": "Nachlass", "net_amount": "200.00", "vat_rate": 19}]}
    r = await as_manager.post(f"{URL}/{inv['id']}/credit-notes", json=credit)
    assert r.status_code == 201, r.text
    # Raw SQL past the service: 53.50 remain; an issued partial credit of 53.51 is refused.
    with pytest.raises(DBAPIError, match="would exceed its total"):
        async with db.begin_nested():
            await db.execute(
                text(
                    "INSERT INTO invoices (customer_id, kind, cancels_id, partial, status,"
                    " number, issued_date, total) VALUES (:c, 'credit_note', :id, true, 'sent',"
                    " 'GS-RAW-1', :d, 53.51)"
                ),
                {"c": inv["customer_id"], "id": inv["id"], "d": today()},
            )


async def test_two_parallel_partial_credits_above_the_total_one_wins(
    live_server: str, live_db: AsyncSession
) -> None:
    await make_company_settings(live_db)
    customer = await make_customer(live_db)
    await live_db.commit()
    token = await live_token(live_db)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=live_server, headers=headers, timeout=60) as c:
        draft = (await c.post(URL, json=draft_body(customer.id))).json()
        inv = (await c.post(f"{URL}/{draft['id']}/issue")).json()
    assert inv["total"] == "119.00"
    body = {"lines": [{"description": "Nachlass", "net_amount": "60.00", "vat_rate": 19}]}

    async def credit() -> httpx.Response:
        async with httpx.AsyncClient(base_url=live_server, headers=headers, timeout=60) as own:
            return await own.post(f"{URL}/{inv['id']}/credit-notes", json=body)

    responses = await asyncio.gather(*(credit() for _ in range(4)))
    assert sorted(r.status_code for r in responses) == [201, 409, 409, 409], [
        r.text for r in responses
    ]
    credited = await live_db.scalar(text("SELECT wm_invoice_credited(:id)"), {"id": inv["id"]})
    assert str(credited) == "71.40"
    await assert_money_invariant(live_db)


async def test_partial_credit_note_xml_passes_the_validator(
    as_manager: httpx.AsyncClient, db: AsyncSession, tmp_path: Path
) -> None:
    inv = await _issued(as_manager, db)
    first = inv["lines"][1]
    r = await as_manager.post(
        f"{URL}/{inv['id']}/credit-notes",
        json={
            "lines": [
                {"line_id": first["id"], "quantity": "1"},
                {"description": "Nachlass", "net_amount": "20.00", "vat_rate": 19},
            ]
        },
    )
    assert r.status_code == 201, r.text
    note = r.json()
    xml = await as_manager.get(f"{URL}/{note['id']}/xrechnung")
    assert xml.status_code == 200, xml.text
    assert b"<ram:TypeCode>381</ram:TypeCode>" in xml.content
    assert inv["number"].encode() in xml.content  # BG-3, the preceding invoice
    pdf = await as_manager.get(f"{URL}/{note['id']}/pdf")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    target = tmp_path / "teilgutschrift.xml"
    await anyio.Path(target).write_bytes(xml.content)
    assert validate(target) == {"teilgutschrift.xml": "ok"}


async def test_open_receivables_everywhere_count_the_credit(
    as_manager: httpx.AsyncClient, db: AsyncSession
) -> None:
    inv = await _issued(as_manager, db)
    before = (await as_manager.get(f"{URL}/statistics")).json()["open_receivables"]
    credit = {"lines": [{"description": "Nachlass", "net_amount": "100.00", "vat_rate": 19}]}
    assert (
        await as_manager.post(f"{URL}/{inv['id']}/credit-notes", json=credit)
    ).status_code == 201
    after = (await as_manager.get(f"{URL}/statistics")).json()["open_receivables"]
    assert float(before) - float(after) == 119.0
    customer = (await as_manager.get(f"/api/v1/customers/{inv['customer_id']}")).json()
    assert customer["open_receivables"] == "172.50"
    assert [i["open_amount"] for i in customer["open_invoices"]] == ["172.50"]


async def test_a_line_is_never_credited_beyond_its_quantity_across_notes(
    as_manager: httpx.AsyncClient, db: AsyncSession
) -> None:
    """Two notes each crediting the whole first line stayed under the invoice's total (the
    second line is large) but credited the line twice; the same in one note."""
    inv = await _issued(as_manager, db, line("100.00", "2"), line("1000.00", "1"))
    first = inv["lines"][0]
    url = f"{URL}/{inv['id']}/credit-notes"
    whole = {"lines": [{"line_id": first["id"], "quantity": "2"}], "reason": "Storno Zeile 1"}
    assert (await as_manager.post(url, json=whole)).status_code == 201
    again = await as_manager.post(url, json=whole)
    assert again.status_code == 422, again.text
    assert again.json()["field"] == "lines.0.quantity"
    assert "credited already" in again.json()["detail"]
    # Within one note: 1.5 and 1.0 of a line of 2 (on a fresh invoice).
    inv2 = await _issued(as_manager, db, line("100.00", "2"), line("1000.00", "1"))
    line_id = inv2["lines"][0]["id"]
    twice = {
        "lines": [{"line_id": line_id, "quantity": "1.5"}, {"line_id": line_id, "quantity": "1"}],
        "reason": "doppelt",
    }
    r = await as_manager.post(f"{URL}/{inv2['id']}/credit-notes", json=twice)
    assert r.status_code == 422, r.text
    assert r.json()["field"] == "lines.1.quantity"
    # What is left can still be credited, and the note's line names the line it credits.
    rest = {"lines": [{"line_id": line_id, "quantity": "0.5"}], "reason": "Rest"}
    assert (await as_manager.post(f"{URL}/{inv2['id']}/credit-notes", json=rest)).status_code == 201
    ok = await as_manager.post(
        f"{URL}/{inv2['id']}/credit-notes",
        json={"lines": [{"line_id": line_id, "quantity": "1.5"}], "reason": "Rest 2"},
    )
    assert ok.status_code == 201, ok.text
    credited = await db.scalar(
        text("SELECT sum(quantity) FROM invoice_lines WHERE credits_line_id = :id"),
        {"id": line_id},
    )
    assert credited == 2

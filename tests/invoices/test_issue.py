"""Issuing: §14 UStG checks, gapless numbers, frozen content, credit notes."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.invoicing import (
    assert_money_invariant,
    draft_body,
    line,
    make_company_settings,
    money,
)
from tests.factories.records import make_customer
from workmate.invoices.overdue import today

URL = "/api/v1/invoices"


async def _draft(client: httpx.AsyncClient, db: AsyncSession, **extra: object) -> dict:  # type: ignore[type-arg]
    customer = await make_customer(db)
    r = await client.post(URL, json=draft_body(customer.id, **extra))
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


async def test_issue_without_company_settings_names_what_is_missing(
    as_manager: httpx.AsyncClient, db: AsyncSession
) -> None:
    inv = await _draft(as_manager, db)
    r = await as_manager.post(f"{URL}/{inv['id']}/issue")
    assert r.status_code == 409
    assert "company settings" in r.json()["detail"]
    await make_company_settings(db, tax_number=None, vat_id=None)
    r = await as_manager.post(f"{URL}/{inv['id']}/issue")
    assert r.status_code == 409
    assert "tax_number or vat_id" in r.json()["detail"]


async def test_issue_names_missing_buyer_and_service_date(
    as_manager: httpx.AsyncClient, db: AsyncSession
) -> None:
    await make_company_settings(db)
    customer = await make_customer(db, street=None, postal_code=None, city=None, address=None)
    body = draft_body(customer.id, service_start=None, service_end=None)
    body["lines"] = []
    inv = (await as_manager.post(URL, json=body)).json()
    detail = (await as_manager.post(f"{URL}/{inv['id']}/issue")).json()["detail"]
    assert "buyer address" in detail
    assert "service date" in detail
    assert "at least one line" in detail


async def test_reverse_charge_needs_both_vat_ids_and_a_foreign_eu_buyer(
    as_manager: httpx.AsyncClient, db: AsyncSession
) -> None:
    await make_company_settings(db)
    inv = await _draft(as_manager, db, vat_treatment="reverse_charge")
    detail = (await as_manager.post(f"{URL}/{inv['id']}/issue")).json()["detail"]
    assert "valid buyer VAT id" in detail
    assert "another EU country" in detail
    customer = await make_customer(db, country="AT", tax_id="ATU13585627")
    body = draft_body(customer.id, vat_treatment="reverse_charge")
    inv = (await as_manager.post(URL, json=body)).json()
    r = await as_manager.post(f"{URL}/{inv['id']}/issue")
    assert r.status_code == 200, r.text
    assert r.json()["buyer_tax_id"] == "ATU13585627"
    assert money(r.json()["tax_total"]) == 0


async def test_issue_assigns_number_dates_and_freezes_buyer(
    as_manager: httpx.AsyncClient, db: AsyncSession
) -> None:
    await make_company_settings(db, payment_terms_days=30)
    customer = await make_customer(db, name="Alt GmbH")
    inv = (await as_manager.post(URL, json=draft_body(customer.id))).json()
    r = await as_manager.post(f"{URL}/{inv['id']}/issue")
    assert r.status_code == 200, r.text
    issued = r.json()
    year = today().year
    assert issued["number"].startswith(f"RE-{year}-")
    assert issued["status"] == "sent"
    assert issued["issued_date"] == today().isoformat()
    assert issued["due_date"] == (today() + timedelta(days=30)).isoformat()
    assert issued["buyer_name"] == "Alt GmbH"
    await db.execute(
        text("UPDATE customers SET name = 'Neu GmbH' WHERE id = :id"), {"id": customer.id}
    )
    assert (await as_manager.get(f"{URL}/{inv['id']}")).json()["buyer_name"] == "Alt GmbH"
    # Issuing again is refused; so is any content change.
    assert (await as_manager.post(f"{URL}/{inv['id']}/issue")).status_code == 409
    r = await as_manager.patch(f"{URL}/{inv['id']}", json={"note": "x"})
    assert r.status_code == 409
    assert "credit note" in r.json()["detail"]
    assert (await as_manager.post(f"{URL}/{inv['id']}/lines", json=line())).status_code == 409
    line_id = issued["lines"][0]["id"]
    r = await as_manager.patch(f"{URL}/{inv['id']}/lines/{line_id}", json={"quantity": "5"})
    assert r.status_code == 409


async def test_numbers_are_consecutive(as_manager: httpx.AsyncClient, db: AsyncSession) -> None:
    await make_company_settings(db)
    numbers = []
    for _ in range(3):
        inv = await _draft(as_manager, db)
        numbers.append((await as_manager.post(f"{URL}/{inv['id']}/issue")).json()["number"])
    seqs = [int(n.rsplit("-", 1)[1]) for n in numbers]
    assert seqs == list(range(seqs[0], seqs[0] + 3))


async def test_a_failed_issue_gives_its_number_back(
    as_manager: httpx.AsyncClient, db: AsyncSession
) -> None:
    await make_company_settings(db)
    first = await _draft(as_manager, db)
    n1 = (await as_manager.post(f"{URL}/{first['id']}/issue")).json()["number"]
    bad = await _draft(as_manager, db, service_start=None, service_end=None)
    assert (await as_manager.post(f"{URL}/{bad['id']}/issue")).status_code == 409
    second = await _draft(as_manager, db)
    n2 = (await as_manager.post(f"{URL}/{second['id']}/issue")).json()["number"]
    assert int(n2.rsplit("-", 1)[1]) == int(n1.rsplit("-", 1)[1]) + 1


async def test_issued_invoice_cannot_be_deleted(
    as_admin: httpx.AsyncClient, db: AsyncSession
) -> None:
    await make_company_settings(db)
    inv = await _draft(as_admin, db)
    await as_admin.post(f"{URL}/{inv['id']}/issue")
    r = await as_admin.delete(f"{URL}/{inv['id']}")
    assert r.status_code == 409
    assert (await as_admin.get(f"{URL}/{inv['id']}")).status_code == 200


async def test_issued_lines_cannot_change_even_with_raw_sql(
    as_manager: httpx.AsyncClient, db: AsyncSession
) -> None:
    await make_company_settings(db)
    inv = await _draft(as_manager, db)
    await as_manager.post(f"{URL}/{inv['id']}/issue")
    for sql in (
        "UPDATE invoice_lines SET unit_price = 1 WHERE invoice_id = :id",
        "DELETE FROM invoice_lines WHERE invoice_id = :id",
        "UPDATE invoices SET total = 1 WHERE id = :id",
        "INSERT INTO invoice_lines (invoice_id, position, description, quantity, unit_price,"
        " vat_rate, net_amount) VALUES (:id, 9, 'x', 1, 1, 19, 1)",
    ):
        with pytest.raises(DBAPIError):
            async with db.begin_nested():
                await db.execute(text(sql), {"id": inv["id"]})


async def test_credit_note_cancels_with_own_number_and_same_lines(
    as_manager: httpx.AsyncClient, db: AsyncSession
) -> None:
    await make_company_settings(db)
    inv = await _draft(as_manager, db)
    issued = (await as_manager.post(f"{URL}/{inv['id']}/issue")).json()
    r = await as_manager.post(f"{URL}/{inv['id']}/credit-note")
    assert r.status_code == 201, r.text
    note = r.json()
    assert note["kind"] == "credit_note"
    assert note["number"].startswith(f"GS-{today().year}-")
    assert note["cancels_id"] == inv["id"]
    assert note["total"] == issued["total"]
    assert [ln["net_amount"] for ln in note["lines"]] == [
        ln["net_amount"] for ln in issued["lines"]
    ]
    assert note["open_amount"] == "0.00"
    original = (await as_manager.get(f"{URL}/{inv['id']}")).json()
    assert original["status"] == "cancelled"
    assert original["cancelled_by_id"] == note["id"]
    assert (await as_manager.post(f"{URL}/{inv['id']}/credit-note")).status_code == 409
    assert (await as_manager.post(f"{URL}/{note['id']}/credit-note")).status_code == 409
    open_list = (await as_manager.get(URL, params={"status": "open"})).json()
    assert all(i["id"] not in (inv["id"], note["id"]) for i in open_list["items"])
    await assert_money_invariant(db)


async def test_draft_cannot_get_a_credit_note(
    as_manager: httpx.AsyncClient, db: AsyncSession
) -> None:
    inv = await _draft(as_manager, db)
    assert (await as_manager.post(f"{URL}/{inv['id']}/credit-note")).status_code == 409


async def test_an_invoice_of_nothing_is_paid_when_issued(
    as_manager: httpx.AsyncClient, db: AsyncSession
) -> None:
    await make_company_settings(db)
    inv = await _draft(as_manager, db, lines=[line("0.00")])
    r = await as_manager.post(f"{URL}/{inv['id']}/issue")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "paid"
    assert r.json()["open_amount"] == "0.00"

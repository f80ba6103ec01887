"""Typed-in supplier bills, payments on them, and the VAT figures of a month against an
independent SQL sum."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.einvoice import L, make_buyer, make_issued_invoice, make_seller
from tests.factories.purchases import bill_body, make_supplier, upload_path
from tests.purchases.conftest import FIXTURES

D = Decimal


class TestTypedInBills:
    async def test_paper_bill_adds_up_and_is_paid_in_parts(
        self, as_manager: httpx.AsyncClient
    ) -> None:
        supplier = await make_supplier(as_manager)
        r = await as_manager.post("/api/v1/supplier-bills", json=bill_body(supplier["id"]))
        assert r.status_code == 201, r.text
        bill = r.json()
        assert (D(bill["net_total"]), D(bill["tax_total"]), D(bill["gross_total"])) == (
            D("150.00"),
            D("22.50"),
            D("172.50"),
        )
        assert bill["status"] == "open"
        assert bill["number"].startswith("ER-2026-")
        pay = f"/api/v1/supplier-bills/{bill['id']}/payments"
        first = await as_manager.post(pay, json={"amount": "100.00", "payment_date": "2026-03-20"})
        assert first.status_code == 201, first.text
        after = (await as_manager.get(f"/api/v1/supplier-bills/{bill['id']}")).json()
        assert after["status"] == "partly_paid"
        assert D(after["open_amount"]) == D("72.50")
        too_much = await as_manager.post(
            pay, json={"amount": "80.00", "payment_date": "2026-03-21"}
        )
        assert too_much.status_code == 409
        assert "72.50" in too_much.json()["detail"]
        rest = await as_manager.post(pay, json={"amount": "72.50", "payment_date": "2026-03-22"})
        assert rest.status_code == 201
        done = (await as_manager.get(f"/api/v1/supplier-bills/{bill['id']}")).json()
        assert done["status"] == "paid"
        assert D(done["open_amount"]) == 0
        assert (await as_manager.delete(f"/api/v1/supplier-bills/{bill['id']}")).status_code == 403

    async def test_duplicate_typed_in_bill_names_the_first(
        self, as_manager: httpx.AsyncClient
    ) -> None:
        supplier = await make_supplier(as_manager)
        first = await as_manager.post("/api/v1/supplier-bills", json=bill_body(supplier["id"]))
        again = await as_manager.post(
            "/api/v1/supplier-bills",
            json=bill_body(supplier["id"], invoice_number=" re-2026-0815"),
        )
        assert again.status_code == 409
        assert first.json()["number"] in again.json()["detail"]

    async def test_idempotent_payment(self, as_manager: httpx.AsyncClient) -> None:
        supplier = await make_supplier(as_manager)
        bill = (
            await as_manager.post("/api/v1/supplier-bills", json=bill_body(supplier["id"]))
        ).json()
        pay = f"/api/v1/supplier-bills/{bill['id']}/payments"
        body = {"amount": "10.00", "payment_date": "2026-03-20"}
        headers = {"Idempotency-Key": "bank-line-4711"}
        one = await as_manager.post(pay, json=body, headers=headers)
        two = await as_manager.post(pay, json=body, headers=headers)
        assert one.json()["id"] == two.json()["id"]
        assert len((await as_manager.get(pay)).json()) == 1

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"taxes": []}, "taxes"),
            ({"invoice_number": "   "}, "invoice_number"),
            ({"service_start": "2026-03-10", "service_end": "2026-03-01"}, None),
            ({"taxes": [{"category": "S", "rate": "100", "net": "1", "tax": "1"}]}, "taxes.0.rate"),
            ({"category": "gifts"}, "category"),
            ({"note": "a\x00b"}, "note"),
            (  # issue 13, item 5: totals that overflow the stored amount
                {"taxes": [{"rate": "19", "net": "9000000000.00", "tax": "1710000000.00"}]},
                "taxes",
            ),
            ({"surprise": 1}, "surprise"),
        ],
    )
    async def test_bad_bills_are_422_naming_the_field(
        self, as_manager: httpx.AsyncClient, change: dict[str, Any], field: str | None
    ) -> None:
        supplier = await make_supplier(as_manager)
        r = await as_manager.post(
            "/api/v1/supplier-bills", json=bill_body(supplier["id"], **change)
        )
        assert r.status_code == 422, r.text
        if field:
            assert r.json()["field"] == field

    async def test_unknown_supplier_is_404(self, as_manager: httpx.AsyncClient) -> None:
        r = await as_manager.post("/api/v1/supplier-bills", json=bill_body(uuid.uuid4()))
        assert r.status_code == 404

    async def test_pure_suppliers_stay_out_of_the_customer_list(
        self, as_manager: httpx.AsyncClient
    ) -> None:
        supplier = await make_supplier(as_manager, name="Nur-Lieferant KG")
        customers = (
            await as_manager.get("/api/v1/customers", params={"q": "Nur-Lieferant"})
        ).json()
        assert supplier["id"] not in [c["id"] for c in customers["items"]]
        suppliers = (
            await as_manager.get("/api/v1/suppliers", params={"q": "Nur-Lieferant"})
        ).json()
        assert [s["id"] for s in suppliers["items"]] == [supplier["id"]]


async def independent_month(db: AsyncSession, start: date, end: date) -> dict[str, Any]:
    """The figures of one month summed straight from the tables, another way round: per
    line for sales (VAT per invoice and rate rounded once), per VAT row for purchases."""
    sales = (
        await db.execute(
            text(
                "SELECT x.rate, sum(x.sign * x.net) AS net, "
                "       sum(x.sign * round(x.net * x.rate / 100, 2)) AS vat "
                "FROM (SELECT i.id, l.vat_rate AS rate, "
                "             CASE i.kind WHEN 'credit_note' THEN -1 ELSE 1 END AS sign, "
                "             sum(l.net_amount) AS net "
                "        FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id "
                "       WHERE i.status <> 'draft' AND i.vat_treatment = 'regular' "
                "         AND i.issued_date >= :s AND i.issued_date <= :e "
                "       GROUP BY i.id, l.vat_rate, i.kind) x GROUP BY x.rate"
            ),
            {"s": start, "e": end},
        )
    ).all()
    purchases = (
        await db.execute(
            text(
                "SELECT t.rate, sum(CASE b.kind WHEN 'credit_note' THEN -t.net ELSE t.net END), "
                "       sum(CASE b.kind WHEN 'credit_note' THEN -t.tax ELSE t.tax END) "
                "FROM supplier_bill_taxes t JOIN supplier_bills b ON b.id = t.bill_id "
                "WHERE b.currency = 'EUR' AND b.invoice_date BETWEEN :s AND :e "
                "GROUP BY t.rate"
            ),
            {"s": start, "e": end},
        )
    ).all()
    return {
        "sales": {D(r[0]).normalize(): (D(r[1]), D(r[2])) for r in sales},
        "purchases": {D(r[0]).normalize(): (D(r[1]), D(r[2])) for r in purchases},
    }


def by_rate(lines: list[dict[str, Any]]) -> dict[Decimal, tuple[Decimal, Decimal]]:
    out: dict[Decimal, tuple[Decimal, Decimal]] = {}
    for line in lines:
        rate = D(line["rate"]).normalize()
        net, vat = out.get(rate, (D(0), D(0)))
        out[rate] = (net + D(line["net"]), vat + D(line["vat"]))
    return out


async def test_vat_figures_of_a_month_match_an_independent_sql_sum(
    db: AsyncSession, as_manager: httpx.AsyncClient
) -> None:
    await make_seller(db)
    buyer = await make_buyer(db)
    for lines in (
        [L("Arbeit", D("10"), D("85.00"), D("19")), L("Buch", D("3"), D("19.99"), D("7"))],
        [L("Beratung", D("1.5"), D("120.00"), D("19"))],
    ):
        await make_issued_invoice(db, lines, buyer, issued_date=date(2026, 3, 12))
    await make_issued_invoice(db, [L("April", D(1), D("99"))], buyer, issued_date=date(2026, 4, 2))
    supplier = await make_supplier(as_manager)
    for n, day in ((1, "2026-03-05"), (2, "2026-03-31"), (3, "2026-04-01")):
        r = await as_manager.post(
            "/api/v1/supplier-bills",
            json=bill_body(supplier["id"], invoice_number=f"M-{n}", invoice_date=day),
        )
        assert r.status_code == 201, r.text
    credit = bill_body(
        supplier["id"],
        invoice_number="GS-1",
        invoice_date="2026-03-15",
        kind="credit_note",
        taxes=[{"category": "S", "rate": "19", "net": "10.00", "tax": "1.90"}],
    )
    assert (await as_manager.post("/api/v1/supplier-bills", json=credit)).status_code == 201
    # A booked e-invoice of another year stays out of March 2026.
    await upload_path(as_manager, FIXTURES / "en16931-cii" / "CII_example1.xml")

    report = (await as_manager.get("/api/v1/vat-report", params={"year": 2026})).json()
    march = report["months"][2]
    assert march["period"] == "2026-03"
    expected = await independent_month(db, date(2026, 3, 1), date(2026, 3, 31))
    assert by_rate(march["sales"]) == expected["sales"]
    assert by_rate(march["purchases"]) == expected["purchases"]
    assert expected["purchases"][D(19)] == (D("190.00"), D("36.10"))  # 2 x 100 - 10 credit
    assert D(march["input_vat"]) == sum(v for _, v in expected["purchases"].values())
    assert D(march["balance"]) == D(march["output_vat"]) - D(march["input_vat"])
    q1 = report["quarters"][0]
    assert D(q1["input_vat"]) == D(march["input_vat"])  # nothing in January or February


@pytest.mark.live
async def test_concurrent_payments_never_exceed_the_bill(
    live_server: str, live_db: AsyncSession
) -> None:
    """Ten payments of 30.00 race on a 172.50 bill over separate connections: five pass."""
    from tests.factories.identity import make_employee
    from workmate.auth.service import auth_service

    boss = await make_employee(live_db, "Manager")
    token = await auth_service.create_token(live_db, boss.id, "race")
    await live_db.commit()
    headers = {"Authorization": f"Bearer {token.secret}"}
    async with httpx.AsyncClient(base_url=live_server, headers=headers, timeout=60) as c:
        supplier = await make_supplier(c, name=f"Race {uuid.uuid4().hex[:6]}")
        bill = (await c.post("/api/v1/supplier-bills", json=bill_body(supplier["id"]))).json()
        pay = f"/api/v1/supplier-bills/{bill['id']}/payments"

        async def one() -> int:
            async with httpx.AsyncClient(base_url=live_server, headers=headers, timeout=60) as own:
                r = await own.post(pay, json={"amount": "30.00", "payment_date": "2026-03-20"})
                return r.status_code

        codes = await asyncio.gather(*(one() for _ in range(10)))
        assert sorted(codes) == [201] * 5 + [409] * 5
        after = (await c.get(f"/api/v1/supplier-bills/{bill['id']}")).json()
        assert D(after["paid"]) == D("150.00")
        assert after["status"] == "partly_paid"


def test_amounts_beyond_the_money_type_are_not_booked() -> None:
    """An invoice whose figures do not fit NUMERIC(12, 2) is kept but not booked (no 500)."""
    from workmate.purchases.bills import bill_from_invoice

    data = {
        "number": "X-1",
        "issue_date": "2026-03-01",
        "totals": {"net": "1e12", "vat": "0", "gross": "1e12", "due": "1e12"},
        "vat": [{"category": "S", "rate": "19", "basis": "1e12", "amount": "0"}],
    }
    why = bill_from_invoice(data, uuid.uuid4(), uuid.uuid4())
    assert isinstance(why, str)
    assert "digits" in why

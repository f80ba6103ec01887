"""A line's VAT rate survives switching the invoice's treatment (issue 13, item 1): the chosen
rate is stored, the effective rate derived from the treatment, in API, database, PDF and XML."""

from __future__ import annotations

import io
from decimal import Decimal

import httpx
import pytest
from lxml import etree
from pypdf import PdfReader
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.invoicing import draft_body, line, make_company_settings, money
from tests.factories.records import make_customer
from workmate.einvoice.cii import RAM

URL = "/api/v1/invoices"


def rates(invoice: dict) -> list[tuple[Decimal, Decimal]]:  # type: ignore[type-arg]
    return [(money(ln["vat_rate"]), money(ln["chosen_vat_rate"])) for ln in invoice["lines"]]


async def test_switching_to_reverse_charge_and_back_restores_each_lines_rate(
    as_manager: httpx.AsyncClient, db: AsyncSession
) -> None:
    await make_company_settings(db)
    customer = await make_customer(db)
    body = draft_body(customer.id, line("100.00", vat="19"), line("100.00", vat="7"))
    inv = (await as_manager.post(URL, json=body)).json()
    assert money(inv["tax_total"]) == money("26.00")

    r = await as_manager.patch(f"{URL}/{inv['id']}", json={"vat_treatment": "reverse_charge"})
    assert r.status_code == 200, r.text
    assert rates(r.json()) == [(0, 19), (0, 7)]
    assert money(r.json()["tax_total"]) == 0

    r = await as_manager.patch(f"{URL}/{inv['id']}", json={"vat_treatment": "small_business"})
    r = await as_manager.patch(f"{URL}/{inv['id']}", json={"vat_treatment": "regular"})
    assert rates(r.json()) == [(19, 19), (7, 7)]
    assert money(r.json()["tax_total"]) == money("26.00")
    assert money(r.json()["total"]) == money("226.00")

    # A line edited while exempt keeps its new chosen rate for later.
    await as_manager.patch(f"{URL}/{inv['id']}", json={"vat_treatment": "reverse_charge"})
    line_id = r.json()["lines"][1]["id"]
    r = await as_manager.patch(f"{URL}/{inv['id']}/lines/{line_id}", json={"vat_rate": "19"})
    assert rates(r.json()) == [(0, 19), (0, 19)]
    r = await as_manager.patch(f"{URL}/{inv['id']}", json={"vat_treatment": "regular"})
    assert money(r.json()["tax_total"]) == money("38.00")

    issued = await as_manager.post(f"{URL}/{inv['id']}/issue")
    assert issued.status_code == 200, issued.text
    xml = (await as_manager.get(f"{URL}/{inv['id']}/xrechnung")).content
    tree = etree.fromstring(xml)
    percents = tree.xpath(
        "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:RateApplicablePercent",
        namespaces={"ram": RAM},
    )
    assert [Decimal(p.text) for p in percents] == [19]
    tax = tree.xpath("//ram:TaxTotalAmount", namespaces={"ram": RAM})
    assert [Decimal(t.text) for t in tax] == [Decimal("38.00")]
    pdf = PdfReader(io.BytesIO((await as_manager.get(f"{URL}/{inv['id']}/pdf")).content))
    printed = " ".join(page.extract_text() for page in pdf.pages)
    assert "19 %" in printed
    assert "7 %" not in printed


async def test_database_refuses_issuing_a_regular_invoice_with_lost_rates(
    as_manager: httpx.AsyncClient, db: AsyncSession
) -> None:
    customer = await make_customer(db)
    inv = (await as_manager.post(URL, json=draft_body(customer.id, line(vat="7")))).json()
    # Only 0 or the chosen rate is an effective rate.
    with pytest.raises(DBAPIError, match="effective_vat_rate"):
        async with db.begin_nested():
            await db.execute(
                text("UPDATE invoice_lines SET vat_rate = 19 WHERE invoice_id = :id"),
                {"id": inv["id"]},
            )
    await db.execute(
        text("UPDATE invoice_lines SET vat_rate = 0 WHERE invoice_id = :id"), {"id": inv["id"]}
    )
    with pytest.raises(DBAPIError, match="does not follow the treatment"):
        async with db.begin_nested():
            await db.execute(
                text(
                    "UPDATE invoices SET status = 'sent', number = 'X-1', issued_date = "
                    "'2026-03-01', due_date = '2026-03-15' WHERE id = :id"
                ),
                {"id": inv["id"]},
            )


async def test_line_discount_is_en16931_in_database_pdf_and_xml(
    as_manager: httpx.AsyncClient, db: AsyncSession
) -> None:
    """Issue 13, item 4: 1 x 10.10 at 5 %: allowance 0.51, net 9.59 everywhere."""
    await make_company_settings(db)
    customer = await make_customer(db)
    body = draft_body(customer.id, line("10.10", qty="1", discount="5"))
    inv = (await as_manager.post(URL, json=body)).json()
    assert money(inv["lines"][0]["net_amount"]) == money("9.59")
    assert money(inv["net_total"]) == money("9.59")
    assert (await as_manager.post(f"{URL}/{inv['id']}/issue")).status_code == 200
    tree = etree.fromstring((await as_manager.get(f"{URL}/{inv['id']}/xrechnung")).content)
    ns = {"ram": RAM}
    allowance = tree.xpath(
        "//ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeAllowanceCharge", namespaces=ns
    )[0]
    assert Decimal(allowance.findtext("ram:ActualAmount", namespaces=ns)) == money("0.51")
    assert Decimal(allowance.findtext("ram:BasisAmount", namespaces=ns)) == money("10.10")
    line_total = tree.xpath("//ram:LineTotalAmount", namespaces=ns)
    assert [Decimal(x.text) for x in line_total] == [money("9.59"), money("9.59")]
    pdf = PdfReader(io.BytesIO((await as_manager.get(f"{URL}/{inv['id']}/pdf")).content))
    printed = " ".join(page.extract_text() for page in pdf.pages)
    assert "9,59" in printed
    assert "9,60" not in printed


async def test_database_refuses_a_line_net_off_the_en16931_arithmetic(
    as_manager: httpx.AsyncClient, db: AsyncSession
) -> None:
    customer = await make_customer(db)
    body = draft_body(customer.id, line("10.10", qty="1", discount="5"))
    inv = (await as_manager.post(URL, json=body)).json()
    with pytest.raises(DBAPIError, match=r"net amount must be 9\.59"):
        async with db.begin_nested():
            await db.execute(
                text("UPDATE invoice_lines SET net_amount = 9.60 WHERE invoice_id = :id"),
                {"id": inv["id"]},
            )

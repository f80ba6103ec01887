"""The VAT cases of a German service firm beside domestic, reverse charge and § 19: services
to a business outside the EU (not taxable here, category O) and intra-EU supplies of goods
(category K, both VAT ids). Each scenario invoice passes the EN 16931 validator."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import anyio
import httpx
from lxml import etree
from sqlalchemy.ext.asyncio import AsyncSession

from tests.einvoice.tools import validate
from tests.factories.einvoice import L, make_buyer, make_issued_invoice, make_seller

API = "/api/v1"


async def _xml(client: httpx.AsyncClient, invoice_id: object, target: Path) -> etree._Element:
    response = await client.get(f"{API}/invoices/{invoice_id}/xrechnung")
    assert response.status_code == 200, response.text
    await anyio.Path(target).write_bytes(response.content)
    return etree.fromstring(response.content)


async def test_service_to_a_business_outside_the_eu_is_category_o(
    db: AsyncSession, as_admin: httpx.AsyncClient, tmp_path: Path
) -> None:
    await make_seller(db)
    customer = await make_buyer(
        db, name="Acme Inc.", country="US", city="Boston", postal_code="02110", tax_id=None
    )
    invoice = await make_issued_invoice(
        db, [L("Softwareentwicklung", Decimal(20), Decimal(110), unit="HUR")], customer,
        vat_treatment="non_taxable",
    )  # fmt: skip
    root = await _xml(as_admin, invoice.id, tmp_path / "o.xml")
    assert root.findtext(".//{*}ApplicableTradeTax/{*}CategoryCode") == "O"
    assert b"DE136695976" not in etree.tostring(root)  # no VAT ids (BR-O-2)
    pdf = await as_admin.get(f"{API}/invoices/{invoice.id}/pdf")
    assert pdf.status_code == 200
    assert validate(tmp_path / "o.xml") == {"o.xml": "ok"}


async def test_intra_eu_supply_of_goods_is_category_k(
    db: AsyncSession, as_admin: httpx.AsyncClient, tmp_path: Path
) -> None:
    await make_seller(db)
    customer = await make_buyer(
        db,
        name="Dupont SARL",
        country="FR",
        city="Lyon",
        postal_code="69002",
        street="1 Rue de la République",
        tax_id="FR40303265045",
    )
    invoice = await make_issued_invoice(
        db, [L("Server-Hardware", Decimal(2), Decimal(2400), unit="C62")], customer,
        vat_treatment="intra_eu_goods",
    )  # fmt: skip
    root = await _xml(as_admin, invoice.id, tmp_path / "k.xml")
    assert root.findtext(".//{*}ApplicableTradeTax/{*}CategoryCode") == "K"
    assert root.findtext(".//{*}ShipToTradeParty//{*}CountryID") == "FR"
    assert validate(tmp_path / "k.xml") == {"k.xml": "ok"}


async def test_issuing_checks_the_case(db: AsyncSession, as_admin: httpx.AsyncClient) -> None:
    await make_seller(db)
    customer = await make_buyer(db, country="DE")
    created = await as_admin.post(
        f"{API}/invoices",
        json={
            "customer_id": str(customer.id),
            "vat_treatment": "non_taxable",
            "service_start": "2026-03-01",
            "lines": [{"description": "Beratung", "quantity": "1", "unit_price": "100"}],
        },
    )
    assert created.status_code == 201, created.text
    assert created.json()["total"] == "100.00"
    response = await as_admin.post(f"{API}/invoices/{created.json()['id']}/issue")
    assert response.status_code == 409
    assert "outside the EU" in response.json()["detail"]

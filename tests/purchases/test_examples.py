"""Every official example file is received through the API: parsed to the totals the XML
states, given the official verdict (the same as ../shared/einvoice/validate, file by file),
shown, and booked as a supplier bill with those totals."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from lxml import etree  # type: ignore[import-untyped]
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.einvoice.tools import validate
from tests.factories.purchases import upload_path
from tests.purchases.conftest import FIXTURES, example_files, expected_official
from workmate.models import SupplierBill, SupplierBillTax
from workmate.purchases.examine import examine
from workmate.purchases.xmlsafe import from_pdf

FILES = example_files()
MAX = 20 * 1024 * 1024


def stated_totals(path: Path) -> dict[str, Decimal]:
    """BT-109, BT-110, BT-112, BT-115 read straight from the XML with XPath (not our reader)."""
    data = path.read_bytes()
    if data.startswith(b"%PDF"):
        xml = from_pdf(data, max_bytes=MAX).xml
        assert xml is not None
        data = xml
    doc = etree.fromstring(data)
    ns = {
        "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
        "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
        "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    }
    if etree.QName(doc).localname == "CrossIndustryInvoice":
        s = "//ram:SpecifiedTradeSettlementHeaderMonetarySummation/"
        paths = {
            "net": s + "ram:TaxBasisTotalAmount",
            "gross": s + "ram:GrandTotalAmount",
            "due": s + "ram:DuePayableAmount",
        }
    else:
        s = "/*/cac:LegalMonetaryTotal/"
        paths = {
            "net": s + "cbc:TaxExclusiveAmount",
            "gross": s + "cbc:TaxInclusiveAmount",
            "due": s + "cbc:PayableAmount",
        }
    return {k: Decimal(doc.xpath(p, namespaces=ns)[0].text.strip()) for k, p in paths.items()}


def test_fixture_set_is_complete() -> None:
    """82 passing examples and 4 expected failures, as the shared README lists them."""
    assert len(FILES) == 86
    assert sum(expected_official(p) == "FAIL" for p in FILES) == 4


def test_verdicts_match_the_shared_validator_file_by_file() -> None:
    """Our worker and ../shared/einvoice/validate agree on every example (ok / FAIL)."""
    reference = validate(*FILES)
    mismatches = {}
    for path in FILES:
        ours = examine(path.read_bytes(), MAX)["official"]
        theirs = "ok" if reference[path.name] == "ok" else "FAIL"
        if ours != theirs:
            mismatches[path.name] = (ours, theirs)
    assert mismatches == {}


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(FIXTURES)) for p in FILES])
async def test_example_is_received_checked_shown_and_booked(
    path: Path, as_manager: httpx.AsyncClient, db: AsyncSession
) -> None:
    r = await upload_path(as_manager, path)
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    assert body["official_verdict"] == expected_official(path)
    assert body["sha256"]
    assert body["retain_until"]
    if body["data"] is None:
        # ZUGFeRD 1.0 is no EN 16931 invoice: kept as a receipt to type in.
        assert path.name == "ZUGFeRD_1p0_COMFORT_Einfach.pdf"
        assert body["status"] == "not_einvoice"
        assert body["bill_id"] is None
        return
    for finding in body["findings"]:
        assert finding["id"], finding
        assert finding["meaning_de"], finding
    stated = stated_totals(path)
    totals = body["data"]["totals"]
    assert Decimal(totals["gross"]) == stated["gross"]
    assert Decimal(totals["due"]) == stated["due"]
    assert body["bill_id"] is not None, body["note"]

    bill = (await as_manager.get(f"/api/v1/supplier-bills/{body['bill_id']}")).json()
    assert Decimal(bill["gross_total"]) == stated["gross"]
    assert Decimal(bill["net_total"]) == stated["net"]
    assert Decimal(bill["amount_due"]) == stated["due"]
    assert bill["invoice_number"] == body["data"]["number"]
    taxes = await db.scalar(
        select(func.coalesce(func.sum(SupplierBillTax.tax), 0)).where(
            SupplierBillTax.bill_id == body["bill_id"]
        )
    )
    if body["data"]["vat"]:
        assert Decimal(taxes) == Decimal(bill["tax_total"])
    assert await db.scalar(select(func.count()).select_from(SupplierBill)) == 1

    page = await as_manager.get(f"/purchases/incoming/{body['id']}")
    assert page.status_code == 200
    assert body["data"]["seller"]["name"].split()[0] in page.text

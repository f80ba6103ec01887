"""XRechnung 3.0 in CII and UBL for a public-sector buyer (Leitweg-ID): both pass
../shared/einvoice/validate --xrechnung; a missing Leitweg-ID is refused, not sent broken."""

from __future__ import annotations

import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.einvoice.tools import VALIDATOR
from tests.factories.einvoice import L, make_buyer, make_issued_invoice, make_seller
from workmate.models import Customer

API = "/api/v1"
LEITWEG_ID = "04011000-12345-03"


def validate_xrechnung(*files: Path) -> dict[str, str]:
    if not VALIDATOR.exists():
        pytest.skip(f"validator {VALIDATOR} is absent (it lives in ../shared)")
    result = subprocess.run(
        [str(VALIDATOR), "--xrechnung", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    verdicts = {}
    for line in result.stdout.splitlines():
        if line.startswith("ok "):
            verdicts[Path(line[3:]).name] = "ok"
        elif line.startswith("FAIL "):
            name, _, why = line[5:].partition(": ")
            verdicts[Path(name).name] = why
    return verdicts


async def _public_invoice(db: AsyncSession, **buyer: Any) -> Any:
    await make_seller(db)
    customer = await make_buyer(
        db,
        name="Stadtverwaltung Musterstadt",
        buyer_reference=LEITWEG_ID,
        email="rechnungseingang@musterstadt.example",
        **buyer,
    )
    return await make_issued_invoice(
        db,
        [
            L("Beratung Digitalisierung", Decimal(12), Decimal("95.00"), unit="HUR"),
            L("Fachbuch", Decimal(2), Decimal("39.90"), Decimal(7), Decimal(10)),
        ],
        customer,
    )


async def test_cii_and_ubl_pass_the_xrechnung_rules(
    db: AsyncSession, as_admin: httpx.AsyncClient, tmp_path: Path
) -> None:
    invoice = await _public_invoice(db)
    for syntax in ("cii", "ubl"):
        response = await as_admin.get(f"{API}/invoices/{invoice.id}/xrechnung/{syntax}")
        assert response.status_code == 200, response.text
        assert LEITWEG_ID.encode() in response.content
        assert b"xrechnung_3.0" in response.content
        await anyio.Path(tmp_path / f"{syntax}.xml").write_bytes(response.content)
    assert validate_xrechnung(tmp_path / "cii.xml", tmp_path / "ubl.xml") == {
        "cii.xml": "ok",
        "ubl.xml": "ok",
    }


async def test_without_leitweg_id_it_is_409_naming_it(
    db: AsyncSession, as_admin: httpx.AsyncClient
) -> None:
    await make_seller(db)
    customer = await make_buyer(db)
    invoice = await make_issued_invoice(db, [L("Beratung", Decimal(1), Decimal(100))], customer)
    response = await as_admin.get(f"{API}/invoices/{invoice.id}/xrechnung/ubl")
    assert response.status_code == 409
    assert "Leitweg-ID" in response.json()["detail"]


async def test_public_buyer_gets_the_xrechnung_by_email(
    db: AsyncSession, as_admin: httpx.AsyncClient
) -> None:
    invoice = await _public_invoice(db)
    response = await as_admin.post(f"{API}/invoices/{invoice.id}/send", json={})
    assert response.status_code == 200, response.text
    names = [a["filename"] for a in response.json()["attachments"]]
    assert names == [f"{invoice.number}.pdf", f"{invoice.number}-xrechnung.xml"]


async def test_credit_note_passes_in_both_syntaxes(
    db: AsyncSession, as_admin: httpx.AsyncClient, tmp_path: Path
) -> None:
    invoice = await _public_invoice(db)
    customer = await db.get(Customer, invoice.customer_id)
    note = await make_issued_invoice(
        db,
        [L("Beratung Digitalisierung", Decimal(12), Decimal("95.00"), unit="HUR")],
        customer,
        kind="credit_note",
        cancels=invoice,
    )
    for syntax in ("cii", "ubl"):
        response = await as_admin.get(f"{API}/invoices/{note.id}/xrechnung/{syntax}")
        assert response.status_code == 200, response.text
        await anyio.Path(tmp_path / f"gs-{syntax}.xml").write_bytes(response.content)
    assert b"<CreditNote" in (tmp_path / "gs-ubl.xml").read_bytes()
    assert validate_xrechnung(tmp_path / "gs-cii.xml", tmp_path / "gs-ubl.xml") == {
        "gs-cii.xml": "ok",
        "gs-ubl.xml": "ok",
    }

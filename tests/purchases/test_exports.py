"""The purchase side in the tax advisor's files: DATEV bookings of supplier bills and
payments, and the archive of received originals with its SHA-256 manifest."""

from __future__ import annotations

import hashlib
import io
import zipfile
from decimal import Decimal

import httpx

from tests.exports.test_datev import parse, total
from tests.factories.purchases import bill_body, make_supplier, upload_path
from tests.purchases.conftest import FIXTURES
from workmate import clock

D = Decimal


async def test_datev_books_supplier_bills_with_input_vat_keys_and_receipt_links(
    as_admin: httpx.AsyncClient,
) -> None:
    supplier = await make_supplier(as_admin)
    bill = (await as_admin.post("/api/v1/supplier-bills", json=bill_body(supplier["id"]))).json()
    await as_admin.post(
        f"/api/v1/supplier-bills/{bill['id']}/payments",
        json={"amount": "100.00", "payment_date": "2026-03-25"},
    )
    received = await upload_path(as_admin, FIXTURES / "en16931-cii" / "CII_example1.xml")
    einvoice = (await as_admin.get(f"/api/v1/supplier-bills/{received.json()['bill_id']}")).json()
    year = einvoice["invoice_date"][:4]

    r = await as_admin.get(
        "/api/v1/exports/datev", params={"from": "2026-03-01", "to": "2026-03-31"}
    )
    assert r.status_code == 200, r.text
    _, columns, bookings = parse(r.content)
    assert "Beleglink" in columns
    creditor = str(70000 + int(supplier["supplier_number"].split("-")[1]))
    assert total(bookings, konto=creditor, gegen="3000", side="H") == D("172.50")
    keys = {b["BU-Schlüssel"] for b in bookings if b["Konto"] == creditor}
    assert keys == {"9", "8"}
    assert total(bookings, konto="1200", gegen=creditor, side="H") == D("100.00")

    r = await as_admin.get(
        "/api/v1/exports/datev", params={"from": f"{year}-01-01", "to": f"{year}-12-31"}
    )
    _, _, bookings = parse(r.content)
    links = {b["Beleglink"] for b in bookings if b["Belegfeld 1"] == einvoice["invoice_number"]}
    assert len(links) == 1
    assert next(iter(links)).startswith("originals/")


async def test_archive_holds_every_original_unchanged_with_its_sha256(
    as_manager: httpx.AsyncClient,
) -> None:
    files = [
        FIXTURES / "en16931-ubl" / "ubl-tc434-example2.xml",
        FIXTURES / "zugferd" / "EN16931_Einfach.pdf",
    ]
    for path in files:
        assert (await upload_path(as_manager, path)).status_code == 201
    today = clock.today().isoformat()
    r = await as_manager.get(
        "/api/v1/incoming-invoices/archive", params={"from": today, "to": today}
    )
    assert r.status_code == 200, r.text
    archive = zipfile.ZipFile(io.BytesIO(r.content))
    sums = archive.read("SHA256SUMS").decode().splitlines()
    assert len(sums) == 2
    for line in sums:
        digest, name = line.split("  ", 1)
        assert hashlib.sha256(archive.read(name)).hexdigest() == digest
    originals = {hashlib.sha256(p.read_bytes()).hexdigest() for p in files}
    assert {line.split("  ")[0] for line in sums} == originals
    assert "MANIFEST.csv" in archive.namelist()
    bad = await as_manager.get(
        "/api/v1/incoming-invoices/archive", params={"from": today, "to": "2000-01-01"}
    )
    assert bad.status_code == 422
    assert bad.json()["field"] == "from"

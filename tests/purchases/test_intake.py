"""Receiving files: duplicates, broken variants, hostile input, who sees what, originals kept."""

from __future__ import annotations

import hashlib
import io
import re
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.purchases import upload, upload_path
from tests.purchases.conftest import FIXTURES
from workmate.models import IncomingInvoice, SupplierBill

CII = FIXTURES / "en16931-cii" / "CII_example1.xml"
UBL = FIXTURES / "en16931-ubl" / "ubl-tc434-example1.xml"
PDF = FIXTURES / "zugferd" / "EN16931_Einfach.pdf"


def variant(path: Path, pattern: str, replacement: str, count: int = 1) -> bytes:
    text_, n = re.subn(pattern, replacement, path.read_text(encoding="utf-8"), count=count)
    assert n, f"{pattern} not in {path.name}"
    return text_.encode()


def rule_ids(body: dict[str, object]) -> set[str]:
    return {str(f["id"]) for f in body["findings"] if f["level"] == "error"}  # type: ignore[attr-defined, index]


def plain_pdf(attachments: dict[str, bytes] | None = None) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    for name, data in (attachments or {}).items():
        writer.add_attachment(name, data)
    # Compress the attachment streams (pypdf stores them plain), as real PDFs do.
    for i, obj in enumerate(writer._objects):
        if isinstance(obj, DecodedStreamObject) and len(obj.get_data()) > 1024:
            writer._objects[i] = obj.flate_encode()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


class TestDuplicates:
    async def test_same_file_twice_is_recognised(self, as_manager: httpx.AsyncClient) -> None:
        first = await upload_path(as_manager, CII)
        assert first.status_code == 201, first.text
        again = await upload_path(as_manager, CII)
        assert again.status_code == 409
        assert again.json()["error"] == "AlreadyReceived"
        assert first.json()["id"] in again.json()["detail"]

    async def test_same_supplier_and_number_is_refused_with_a_pointer(
        self, as_manager: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        first = await upload_path(as_manager, CII)
        bill = (await as_manager.get(f"/api/v1/supplier-bills/{first.json()['bill_id']}")).json()
        # Another file (one note added), same supplier and invoice number.
        other = variant(
            CII,
            r"</ram:IncludedNote>",
            "</ram:IncludedNote><ram:IncludedNote>"
            "<ram:Content>Kopie</ram:Content></ram:IncludedNote>",
        )
        r = await upload(as_manager, other, "copy.xml")
        assert r.status_code == 409, r.text
        assert r.json()["error"] == "DuplicateBill"
        assert bill["number"] in r.json()["detail"]
        assert bill["id"] in r.json()["detail"]
        # Nothing of the refused upload is kept.
        assert await db.scalar(select(func.count()).select_from(IncomingInvoice)) == 1

    async def test_the_database_refuses_a_second_bill_for_the_same_number(
        self, as_manager: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        first = await upload_path(as_manager, CII)
        bill = await db.get(SupplierBill, first.json()["bill_id"])
        assert bill is not None
        with pytest.raises(DBAPIError, match="uq_supplier_bills_supplier_invoice_number"):
            async with db.begin_nested():
                await db.execute(
                    text(
                        "INSERT INTO supplier_bills (number, supplier_id, invoice_number, "
                        "invoice_date, net_total, tax_total, gross_total, amount_due, created_by) "
                        "SELECT 'ER-X', supplier_id, ' ' || lower(invoice_number) || ' ', "
                        "invoice_date, 0, 0, 0, 0, created_by FROM supplier_bills WHERE id = :id"
                    ),
                    {"id": bill.id},
                )


class TestBrokenVariants:
    async def test_wrong_total_is_stored_marked_and_answered(
        self, as_manager: httpx.AsyncClient
    ) -> None:
        data = variant(CII, r"<ram:GrandTotalAmount>[^<]*<", "<ram:GrandTotalAmount>99999.99<")
        r = await upload(as_manager, data, "wrong-total.xml")
        assert r.status_code == 201, r.text
        body = r.json()
        assert body["status"] == "invalid"
        assert body["official_verdict"] == "FAIL"
        assert {"BR-CO-15", "BR-CO-16", "WM-CALC-6", "WM-CALC-7"} <= rule_ids(body)
        assert body["bill_id"] is None  # the figures do not add up: not booked as stated
        assert "BR-CO-15" in body["reply_de"]
        assert "Bruttobetrag" in body["reply_de"]
        assert "BR-CO-15" in body["reply_en"]
        german = next(f for f in body["findings"] if f["id"] == "BR-CO-15")
        assert german["meaning_source"] == "translated"
        assert german["location"]

    async def test_missing_vat_id_is_found_by_both_checks(
        self, as_manager: httpx.AsyncClient
    ) -> None:
        data = variant(
            UBL,
            r"<cac:PartyTaxScheme>\s*<cbc:CompanyID>[^<]*</cbc:CompanyID>\s*"
            r"<cac:TaxScheme>\s*<cbc:ID>VAT</cbc:ID>\s*</cac:TaxScheme>\s*</cac:PartyTaxScheme>",
            "",
        )
        r = await upload(as_manager, data, "no-vat-id.xml")
        assert r.status_code == 201, r.text
        ids = rule_ids(r.json())
        assert "WM-UStG-4" in ids
        assert r.json()["official_verdict"] == "FAIL"

    async def test_wrong_vat_category_fails(self, as_manager: httpx.AsyncClient) -> None:
        data = variant(
            CII, r"<ram:CategoryCode>S</ram:CategoryCode>", "<ram:CategoryCode>Q</ram:CategoryCode>"
        )
        r = await upload(as_manager, data, "category.xml")
        assert r.status_code == 201, r.text
        assert r.json()["official_verdict"] == "FAIL"
        assert r.json()["status"] == "invalid"

    async def test_xrechnung_without_buyer_reference_names_br_de_15(
        self, as_manager: httpx.AsyncClient
    ) -> None:
        path = FIXTURES / "xrechnung" / "01.01a-INVOICE_ubl.xml"
        data = variant(path, r"<cbc:BuyerReference>[^<]*</cbc:BuyerReference>", "")
        r = await upload(as_manager, data, "no-leitweg.xml")
        assert "BR-DE-15" in rule_ids(r.json())
        finding = next(f for f in r.json()["findings"] if f["id"] == "BR-DE-15")
        assert finding["meaning_source"] == "official_de"


class TestHostile:
    async def test_external_entity_is_refused_unread(self, as_manager: httpx.AsyncClient) -> None:
        xxe = (
            b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b"<rsm:CrossIndustryInvoice xmlns:rsm="
            b'"urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100">&x;'
            b"</rsm:CrossIndustryInvoice>"
        )
        r = await upload(as_manager, xxe, "xxe.xml")
        assert r.status_code == 422
        assert r.json()["error"] == "InvoiceRefused"
        assert "root:" not in r.text

    async def test_billion_laughs_is_refused(self, as_manager: httpx.AsyncClient) -> None:
        entities = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
        bomb = f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY l0 "lol">{entities}]><r>&l9;</r>'
        r = await upload(as_manager, bomb.encode(), "lol.xml")
        assert r.status_code == 422
        assert "DOCTYPE" in r.json()["detail"]

    async def test_50_mb_xml_is_refused_before_parsing(
        self, as_manager: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        big = b'<?xml version="1.0"?><r>' + b"<a>x</a>" * (50 * 1024 * 1024 // 8) + b"</r>"
        r = await upload(as_manager, big, "big.xml")
        assert r.status_code == 413
        assert await db.scalar(select(func.count()).select_from(IncomingInvoice)) == 0

    async def test_deep_nesting_is_refused(self, as_manager: httpx.AsyncClient) -> None:
        deep = b"<a>" * 100_000 + b"</a>" * 100_000
        r = await upload(as_manager, deep, "deep.xml")
        assert r.status_code == 422

    async def test_pdf_with_huge_attachment_is_kept_as_receipt_without_reading_it(
        self, as_manager: httpx.AsyncClient
    ) -> None:
        # 200 MB of zeros compress to about 200 KB: a decompression bomb named factur-x.xml.
        data = plain_pdf({"factur-x.xml": b"<a>" + b" " * (200 * 1024 * 1024) + b"</a>"})
        assert len(data) < 2 * 1024 * 1024
        r = await upload(as_manager, data, "bomb.pdf")
        assert r.status_code == 201, r.text
        body = r.json()
        assert body["status"] == "not_einvoice"
        assert "factur-x.xml" in body["note"]

    async def test_pdf_inside_a_pdf_is_not_opened(self, as_manager: httpx.AsyncClient) -> None:
        inner = PDF.read_bytes()
        r = await upload(as_manager, plain_pdf({"rechnung.pdf": inner}), "nested.pdf")
        assert r.status_code == 201, r.text
        assert r.json()["status"] == "not_einvoice"
        assert r.json()["bill_id"] is None

    async def test_neither_xml_nor_pdf_is_415(self, as_manager: httpx.AsyncClient) -> None:
        r = await upload(as_manager, b"\x89PNG\r\n\x1a\n....", "x.png")
        assert r.status_code == 415

    async def test_broken_pdf_is_refused(self, as_manager: httpx.AsyncClient) -> None:
        r = await upload(as_manager, b"%PDF-1.7\n" + b"\x00garbage" * 100, "broken.pdf")
        assert r.status_code in (201, 422), r.text
        if r.status_code == 201:
            assert r.json()["status"] == "not_einvoice"

    async def test_xml_that_is_no_invoice_is_refused(self, as_manager: httpx.AsyncClient) -> None:
        r = await upload(as_manager, b"<html><script>alert(1)</script></html>", "x.xml")
        assert r.status_code == 422
        assert r.json()["field"] == "file"


class TestReceipts:
    async def test_plain_pdf_is_a_receipt_not_an_einvoice(
        self, as_manager: httpx.AsyncClient
    ) -> None:
        r = await upload(as_manager, plain_pdf(), "quittung.pdf")
        assert r.status_code == 201, r.text
        body = r.json()
        assert body["status"] == "not_einvoice"
        assert body["is_einvoice"] is False
        assert body["bill_id"] is None

    async def test_original_comes_back_byte_for_byte(self, as_manager: httpx.AsyncClient) -> None:
        data = PDF.read_bytes()
        r = await upload(as_manager, data, PDF.name)
        original = await as_manager.get(f"/api/v1/incoming-invoices/{r.json()['id']}/original")
        assert original.status_code == 200
        assert original.content == data
        assert r.json()["sha256"] == hashlib.sha256(data).hexdigest()
        xml = await as_manager.get(f"/api/v1/incoming-invoices/{r.json()['id']}/xml")
        assert xml.status_code == 200
        assert xml.text.lstrip().startswith("<?xml") or "CrossIndustryInvoice" in xml.text
        assert xml.headers["content-type"].startswith("text/plain")


class TestWhoSeesWhat:
    async def test_employee_hands_in_and_sees_only_their_own(
        self, as_employee: httpx.AsyncClient, as_manager: httpx.AsyncClient
    ) -> None:
        mine = await upload_path(as_employee, CII)
        assert mine.status_code == 201, mine.text
        assert mine.json()["bill_id"] is None  # employees hand in; bookkeeping books
        theirs = await upload_path(as_manager, FIXTURES / "xrechnung" / "01.01a-INVOICE_ubl.xml")
        listed = (await as_employee.get("/api/v1/incoming-invoices")).json()
        assert [i["id"] for i in listed["items"]] == [mine.json()["id"]]
        other = await as_employee.get(f"/api/v1/incoming-invoices/{theirs.json()['id']}")
        assert other.status_code == 404
        assert (await as_employee.get("/api/v1/supplier-bills")).status_code == 403
        forced = await upload(as_employee, PDF.read_bytes(), "x.pdf", book="true")
        assert forced.status_code == 403
        booked = await as_manager.post(f"/api/v1/incoming-invoices/{mine.json()['id']}/book")
        assert booked.status_code == 200, booked.text
        assert booked.json()["bill_id"]


class TestRetention:
    async def test_received_file_cannot_be_changed_or_deleted(
        self, as_manager: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        r = await upload_path(as_manager, CII)
        ident = r.json()["id"]
        for statement in (
            "UPDATE incoming_invoices SET sha256 = repeat('0', 64) WHERE id = :id",
            "UPDATE incoming_invoices SET retain_until = '2000-01-01' WHERE id = :id",
            "DELETE FROM incoming_invoices WHERE id = :id",
        ):
            with pytest.raises(DBAPIError, match="kept"):
                async with db.begin_nested():
                    await db.execute(text(statement), {"id": ident})
        with pytest.raises(DBAPIError, match="retention"):
            async with db.begin_nested():
                await db.execute(text("TRUNCATE incoming_invoices CASCADE"))

    async def test_deleting_a_document_with_the_same_bytes_keeps_the_original(
        self, as_admin: httpx.AsyncClient
    ) -> None:
        data = PDF.read_bytes()
        received = await upload(as_admin, data, "a.pdf")
        doc = await as_admin.post(
            "/api/v1/documents", files={"file": ("same.pdf", data, "application/pdf")}
        )
        assert doc.status_code == 201, doc.text
        assert (await as_admin.delete(f"/api/v1/documents/{doc.json()['id']}")).status_code == 204
        original = await as_admin.get(f"/api/v1/incoming-invoices/{received.json()['id']}/original")
        assert original.status_code == 200
        assert original.content == data


async def test_amounts_of_a_booked_bill_are_decimal(as_manager: httpx.AsyncClient) -> None:
    r = await upload_path(as_manager, CII)
    bill = (await as_manager.get(f"/api/v1/supplier-bills/{r.json()['bill_id']}")).json()
    assert Decimal(bill["gross_total"]) == Decimal("250.33")
    assert bill["supplier_name"]
    supplier = (await as_manager.get(f"/api/v1/suppliers/{bill['supplier_id']}")).json()
    assert supplier["supplier_number"].startswith("L-")
    assert supplier["is_customer"] is False
    # The same seller's next invoice finds the same supplier.
    again = await upload_path(as_manager, FIXTURES / "en16931-cii" / "CII_example2.xml")
    bill2 = (await as_manager.get(f"/api/v1/supplier-bills/{again.json()['bill_id']}")).json()
    if bill2["supplier_name"] == bill["supplier_name"]:
        assert bill2["supplier_id"] == bill["supplier_id"]


def many_lines(count: int) -> bytes:
    """CII_example1 with its first item repeated `count` times: a long check for the rules."""
    source = CII.read_text(encoding="utf-8")
    start = source.index("<ram:IncludedSupplyChainTradeLineItem>")
    end = source.index("</ram:IncludedSupplyChainTradeLineItem>") + len(
        "</ram:IncludedSupplyChainTradeLineItem>"
    )
    return (source[:start] + source[start:end] * count + source[start:]).encode()


async def test_a_long_check_leaves_the_event_loop_free(as_manager: httpx.AsyncClient) -> None:
    """While a big invoice is checked (in a worker process), other requests are answered: the
    health check started after the upload finishes before it. Order, not timing."""
    import asyncio

    order: list[str] = []

    async def big() -> None:
        r = await upload(as_manager, many_lines(3000), "many-lines.xml")
        assert r.status_code == 201, r.text
        order.append("upload")

    async def meanwhile() -> None:
        await asyncio.sleep(0.3)  # the upload is in the worker by now (it takes seconds)
        for _ in range(3):
            r = await as_manager.get("/healthz")
            assert r.status_code == 200
        order.append("health")

    await asyncio.gather(big(), meanwhile())
    assert order == ["health", "upload"]


async def test_after_a_rules_update_old_checks_are_queued_and_redone(
    as_manager: httpx.AsyncClient, db: AsyncSession
) -> None:
    from workmate.purchases.jobs import recheck
    from workmate.purchases.ruleset import version_label

    r = await upload_path(as_manager, CII)
    ident = r.json()["id"]
    await db.execute(
        text("UPDATE incoming_invoices SET rules_version = 'EN 16931 1.3.15' WHERE id = :id"),
        {"id": ident},
    )
    queued = await as_manager.post("/api/v1/incoming-invoices/recheck")
    assert queued.status_code == 202, queued.text
    assert queued.json() == {"queued": 1}
    jobs = await db.scalar(
        text("SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'purchases.recheck'")
    )
    assert jobs == 1
    await recheck(db, incoming_id=ident)
    row = await db.get(IncomingInvoice, ident)
    assert row is not None
    await db.refresh(row)
    assert row.rules_version == version_label()
    assert row.official_verdict == "ok"

"""Invoice documents through the HTTP API: valid EN 16931 XML and PDF/A-3, readable text,
every page renderable, amounts equal to the database, stored once and served from storage."""

from __future__ import annotations

import hashlib
import io
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from lxml import etree
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.einvoice.tools import page_count, pdf_text, render_pages, validate
from tests.factories.einvoice import (
    SCENARIOS,
    L,
    make_issued_invoice,
    make_payment,
    make_seller,
    single_rate,
)
from tests.factories.records import make_invoice
from workmate.documents.storage import get_storage
from workmate.einvoice.cii import RAM, RSM
from workmate.einvoice.pdf import money
from workmate.models import AuditLog, CompanySettings, Document, Invoice, InvoiceLine

NS = {"ram": RAM, "rsm": RSM}


def flat(text: str) -> str:
    return " ".join(text.split())


async def fetch(client: httpx.AsyncClient, invoice: Invoice, what: str) -> bytes:
    response = await client.get(f"/api/v1/invoices/{invoice.id}/{what}")
    assert response.status_code == 200, response.text
    return response.content


@pytest.fixture
async def seller(db: AsyncSession) -> CompanySettings:
    return await make_seller(db)


class TestScenarios:
    async def test_all_scenarios_validate_and_show_the_legal_data(
        self,
        db: AsyncSession,
        seller: CompanySettings,
        as_manager: httpx.AsyncClient,
        tmp_path: Path,
    ) -> None:
        invoices: dict[str, Invoice] = {}
        for name, scenario in SCENARIOS.items():
            invoice = await scenario(db)
            invoices[name] = invoice
            (tmp_path / f"{name}.pdf").write_bytes(await fetch(as_manager, invoice, "pdf"))
            (tmp_path / f"{name}.xml").write_bytes(await fetch(as_manager, invoice, "xrechnung"))
        assert len(invoices) >= 8

        for name, invoice in invoices.items():
            pdf = tmp_path / f"{name}.pdf"
            settings = await db.get(CompanySettings, 1)
            assert settings is not None
            text = flat(pdf_text(pdf))
            expected = [
                invoice.number,
                settings.name,
                settings.street,
                f"{settings.postal_code} {settings.city}",
                invoice.buyer_name,
                invoice.buyer_street,
                f"{invoice.buyer_postal_code} {invoice.buyer_city}",
                settings.vat_id or settings.tax_number,
                money(invoice.total),
                money(invoice.net_total),
            ]
            for value in expected:
                assert value is not None
                assert flat(value) in text, f"{name}: {value!r} missing from the PDF text"
            if invoice.vat_treatment == "reverse_charge":
                assert "Steuerschuldnerschaft des Leistungsempfängers" in text
                assert invoice.buyer_tax_id
                assert invoice.buyer_tax_id in text
            if invoice.vat_treatment == "small_business":
                assert "§ 19 UStG" in text

            pages = render_pages(pdf, tmp_path)
            assert len(pages) == page_count(pdf)
            assert all(page.stat().st_size > 0 for page in pages)
            if name == "many_lines":
                assert len(pages) > 2
                # The table header repeats on every page.
                assert flat(text).count("Einzelpreis") == len(pages)

        # Last: without ../shared this skips, after the text and page checks have run.
        files = [tmp_path / f"{name}.{ext}" for name in invoices for ext in ("pdf", "xml")]
        verdicts = validate(*files)
        assert verdicts == {f.name: "ok" for f in files}


class TestAmounts:
    async def test_xml_amounts_equal_the_database(
        self, db: AsyncSession, seller: CompanySettings, as_manager: httpx.AsyncClient
    ) -> None:
        for scenario in SCENARIOS.values():
            invoice = await scenario(db)
            root = etree.fromstring(await fetch(as_manager, invoice, "xrechnung"))
            summary = root.find(".//ram:SpecifiedTradeSettlementHeaderMonetarySummation", NS)
            assert summary is not None

            def amount(tag: str, node: Any = summary) -> Decimal:
                return Decimal(node.findtext(f"ram:{tag}", namespaces=NS))

            lines = list(
                await db.scalars(
                    select(InvoiceLine)
                    .where(InvoiceLine.invoice_id == invoice.id)
                    .order_by(InvoiceLine.position)
                )
            )
            assert amount("GrandTotalAmount") == invoice.total
            assert amount("TaxBasisTotalAmount") == invoice.net_total
            assert amount("TaxTotalAmount") == invoice.tax_total
            assert amount("DuePayableAmount") == invoice.total
            assert amount("LineTotalAmount") == sum(line.net_amount for line in lines)
            items = root.findall(".//ram:IncludedSupplyChainTradeLineItem", NS)
            assert [
                Decimal(i.findtext(".//ram:LineTotalAmount", namespaces=NS)) for i in items
            ] == [line.net_amount for line in lines]
            taxes = root.findall("rsm:SupplyChainTradeTransaction/*/ram:ApplicableTradeTax", NS)
            assert sum(amount("CalculatedAmount", t) for t in taxes) == invoice.tax_total
            assert sum(amount("BasisAmount", t) for t in taxes) == invoice.net_total
            assert root.findtext(".//rsm:ExchangedDocument/ram:ID", namespaces=NS) == (
                invoice.number
            )

    async def test_credit_note_has_type_381_positive_amounts_and_the_original_number(
        self, db: AsyncSession, seller: CompanySettings, as_manager: httpx.AsyncClient
    ) -> None:
        note = await SCENARIOS["credit_note"](db)
        original = await db.get(Invoice, note.cancels_id)
        assert original is not None
        root = etree.fromstring(await fetch(as_manager, note, "xrechnung"))
        assert root.findtext(".//rsm:ExchangedDocument/ram:TypeCode", namespaces=NS) == "381"
        reference = root.findtext(
            ".//ram:InvoiceReferencedDocument/ram:IssuerAssignedID", namespaces=NS
        )
        assert reference == original.number
        grand = Decimal(root.findtext(".//ram:GrandTotalAmount", namespaces=NS))
        assert grand == original.total > 0

    async def test_reverse_charge_is_category_ae_with_the_exemption_reason(
        self, db: AsyncSession, seller: CompanySettings, as_manager: httpx.AsyncClient
    ) -> None:
        invoice = await SCENARIOS["reverse_charge"](db)
        root = etree.fromstring(await fetch(as_manager, invoice, "xrechnung"))
        tax = root.find("rsm:SupplyChainTradeTransaction/*/ram:ApplicableTradeTax", NS)
        assert tax is not None
        assert tax.findtext("ram:CategoryCode", namespaces=NS) == "AE"
        assert tax.findtext("ram:ExemptionReasonCode", namespaces=NS) == "VATEX-EU-AE"
        assert tax.findtext("ram:ExemptionReason", namespaces=NS) == (
            "Steuerschuldnerschaft des Leistungsempfängers"
        )

    async def test_partly_paid_invoice_asks_for_the_open_amount(
        self, db: AsyncSession, seller: CompanySettings, as_manager: httpx.AsyncClient
    ) -> None:
        invoice = await single_rate(db)
        await make_payment(db, invoice, Decimal("100.00"))
        pdf = await fetch(as_manager, invoice, "pdf")
        attachment = PdfReader(io.BytesIO(pdf)).attachments["factur-x.xml"][0]
        root = etree.fromstring(attachment)
        due = Decimal(root.findtext(".//ram:DuePayableAmount", namespaces=NS))
        assert due == invoice.total - Decimal("100.00")


class TestStorage:
    async def test_generated_once_then_served_from_storage(
        self, db: AsyncSession, seller: CompanySettings, as_manager: httpx.AsyncClient
    ) -> None:
        invoice = await single_rate(db)
        first = await fetch(as_manager, invoice, "pdf")
        second = await fetch(as_manager, invoice, "pdf")
        xml = await fetch(as_manager, invoice, "xrechnung")
        assert first == second
        await db.refresh(invoice)
        sha = hashlib.sha256(first).hexdigest()
        assert invoice.pdf_path == f"{sha[:2]}/{sha}"
        assert get_storage().sha256(invoice.pdf_path) == sha
        documents = list(await db.scalars(select(Document).where(Document.linked_id == invoice.id)))
        assert len(documents) == 1
        assert (documents[0].category, documents[0].linked_module) == ("invoice", "invoice")
        assert documents[0].checksum == sha
        assert PdfReader(io.BytesIO(first)).attachments["factur-x.xml"][0] == xml
        audits = await db.scalar(
            select(func.count())
            .select_from(AuditLog)
            .where(AuditLog.entity == "document", AuditLog.entity_id == str(documents[0].id))
        )
        assert audits == 1

    async def test_a_changed_seller_does_not_change_a_stored_invoice(
        self, db: AsyncSession, seller: CompanySettings, as_manager: httpx.AsyncClient
    ) -> None:
        invoice = await single_rate(db)
        first = await fetch(as_manager, invoice, "pdf")
        await make_seller(db, name="Ganz Neue Firma AG")
        assert await fetch(as_manager, invoice, "pdf") == first

    async def test_number_never_reaches_a_path(
        self, db: AsyncSession, seller: CompanySettings, as_manager: httpx.AsyncClient
    ) -> None:
        invoice = await make_issued_invoice(
            db, [L("Test", Decimal(1), Decimal(10))], number="../../etc/passwd"
        )
        response = await as_manager.get(f"/api/v1/invoices/{invoice.id}/pdf")
        assert response.status_code == 200
        assert response.headers["content-disposition"] == 'inline; filename="etc_passwd.pdf"'
        await db.refresh(invoice)
        assert invoice.pdf_path is not None
        assert ".." not in invoice.pdf_path
        document = await db.scalar(select(Document).where(Document.linked_id == invoice.id))
        assert document is not None
        assert document.original_filename == "etc_passwd.pdf"


class TestRules:
    # One refused request per test: a refusal rolls back the test's transaction, token included.
    @pytest.mark.parametrize("what", ["pdf", "xrechnung"])
    async def test_draft_has_no_document(
        self, db: AsyncSession, seller: CompanySettings, as_manager: httpx.AsyncClient, what: str
    ) -> None:
        draft = await make_invoice(db)
        response = await as_manager.get(f"/api/v1/invoices/{draft.id}/{what}")
        assert response.status_code == 409
        assert response.json()["error"] == "InvoiceNotIssued"

    async def test_unknown_invoice_is_404(self, as_manager: httpx.AsyncClient) -> None:
        response = await as_manager.get("/api/v1/invoices/00000000-0000-0000-0000-000000000000/pdf")
        assert response.status_code == 404

    @pytest.mark.parametrize("what", ["pdf", "xrechnung"])
    async def test_employee_without_invoice_permission_is_refused(
        self, db: AsyncSession, seller: CompanySettings, as_employee: httpx.AsyncClient, what: str
    ) -> None:
        invoice = await single_rate(db)
        response = await as_employee.get(f"/api/v1/invoices/{invoice.id}/{what}")
        assert response.status_code == 403

    async def test_incomplete_seller_is_409_naming_what_is_missing(
        self, db: AsyncSession, as_manager: httpx.AsyncClient
    ) -> None:
        await make_seller(db, tax_number=None, vat_id=None)
        invoice = await single_rate(db)
        response = await as_manager.get(f"/api/v1/invoices/{invoice.id}/pdf")
        assert response.status_code == 409
        assert "tax_number or vat_id" in response.json()["detail"]

    async def test_totals_not_matching_the_lines_are_refused(
        self, db: AsyncSession, seller: CompanySettings, as_manager: httpx.AsyncClient
    ) -> None:
        invoice = await make_invoice(db)
        invoice.total = Decimal("120.00")  # the line says 100.00 net + 19.00 VAT
        await db.flush()
        invoice.status, invoice.number, invoice.issued_date = "sent", "RE-X-1", date(2026, 3, 1)
        await db.flush()
        response = await as_manager.get(f"/api/v1/invoices/{invoice.id}/pdf")
        assert response.status_code == 409
        assert response.json()["error"] == "TotalsMismatch"

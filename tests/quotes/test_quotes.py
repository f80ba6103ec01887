"""Quotes: numbers, states, billing as invoice, down payments and the final invoice whose
EN 16931 XML passes the validator with the down payments deducted."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from lxml import etree
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from tests.einvoice.tools import validate
from tests.factories.einvoice import make_buyer, make_seller
from workmate import clock
from workmate.models import Quote

API = "/api/v1"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"


def _line(description: str, quantity: str, price: str, rate: int = 19) -> dict[str, Any]:
    return {
        "description": description,
        "quantity": quantity,
        "unit": "HUR",
        "unit_price": price,
        "vat_rate": rate,
    }


async def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


async def _quote(client: httpx.AsyncClient, customer_id: Any, *lines: dict[str, Any]) -> Any:
    body = {
        "customer_id": str(customer_id),
        "title": "Relaunch Webshop",
        "lines": list(lines)
        or [_line("Konzeption", "10", "100.00"), _line("Fachbuch", "2", "50.00", 7)],
    }
    return await _ok(await client.post(f"{API}/quotes", json=body), 201)


async def _accepted(client: httpx.AsyncClient, db: AsyncSession) -> Any:
    await make_seller(db)
    customer = await make_buyer(db)
    quote = await _quote(client, customer.id)
    await _ok(await client.post(f"{API}/quotes/{quote['id']}/issue"))
    return await _ok(await client.post(f"{API}/quotes/{quote['id']}/accept"))


async def _issue(client: httpx.AsyncClient, invoice_id: str) -> Any:
    return await _ok(await client.post(f"{API}/invoices/{invoice_id}/issue"))


async def _xml(client: httpx.AsyncClient, invoice_id: str, target: Path) -> etree._Element:
    response = await client.get(f"{API}/invoices/{invoice_id}/xrechnung")
    assert response.status_code == 200, response.text
    await anyio.Path(target).write_bytes(response.content)
    return etree.fromstring(response.content)


class TestQuoteStates:
    async def test_issue_gives_the_next_number_of_the_series(
        self, db: AsyncSession, as_admin: httpx.AsyncClient
    ) -> None:
        await make_seller(db)
        customer = await make_buyer(db)
        first = await _quote(as_admin, customer.id)
        second = await _quote(as_admin, customer.id)
        a = await _ok(await as_admin.post(f"{API}/quotes/{first['id']}/issue"))
        b = await _ok(await as_admin.post(f"{API}/quotes/{second['id']}/issue"))
        year = clock.today().year
        assert a["number"].startswith(f"AN-{year}-")
        assert int(b["number"].rsplit("-", 1)[1]) == int(a["number"].rsplit("-", 1)[1]) + 1
        assert a["status"] == "sent"
        assert a["valid_until"] == (clock.today() + timedelta(days=30)).isoformat()
        assert (a["net_total"], a["tax_total"], a["total"]) == ("1100.00", "197.00", "1297.00")

    async def test_issued_quote_lines_are_frozen_in_the_database(
        self, db: AsyncSession, as_admin: httpx.AsyncClient
    ) -> None:
        quote = await _accepted(as_admin, db)
        response = await as_admin.patch(
            f"{API}/quotes/{quote['id']}", json={"lines": [_line("x", "1", "1")]}
        )
        assert response.status_code == 409

    async def test_expired_quote_cannot_be_accepted(
        self, db: AsyncSession, as_admin: httpx.AsyncClient
    ) -> None:
        await make_seller(db)
        customer = await make_buyer(db)
        quote = await _quote(as_admin, customer.id)
        await _ok(await as_admin.post(f"{API}/quotes/{quote['id']}/issue"))
        yesterday = clock.today() - timedelta(days=1)
        await db.execute(
            update(Quote)
            .where(Quote.id == quote["id"])
            .values(issued_date=yesterday, valid_until=yesterday)
        )
        await db.commit()
        read = await _ok(await as_admin.get(f"{API}/quotes/{quote['id']}"))
        assert read["status"] == "expired"
        response = await as_admin.post(f"{API}/quotes/{quote['id']}/accept")
        assert response.status_code == 409
        listed = await _ok(await as_admin.get(f"{API}/quotes", params={"status": "expired"}))
        assert [q["id"] for q in listed["items"]] == [quote["id"]]

    async def test_a_sent_quote_is_declined_and_cannot_be_billed(
        self, db: AsyncSession, as_admin: httpx.AsyncClient
    ) -> None:
        await make_seller(db)
        customer = await make_buyer(db)
        quote = await _quote(as_admin, customer.id)
        await _ok(await as_admin.post(f"{API}/quotes/{quote['id']}/issue"))
        declined = await _ok(await as_admin.post(f"{API}/quotes/{quote['id']}/decline"))
        assert declined["status"] == "declined"
        response = await as_admin.post(f"{API}/quotes/{quote['id']}/invoice", json={})
        assert response.status_code == 409

    async def test_quote_pdf_and_email(self, db: AsyncSession, as_admin: httpx.AsyncClient) -> None:
        quote = await _accepted(as_admin, db)
        pdf = await as_admin.get(f"{API}/quotes/{quote['id']}/pdf")
        assert pdf.status_code == 200
        assert pdf.content.startswith(b"%PDF-")
        again = await as_admin.get(f"{API}/quotes/{quote['id']}/pdf")
        assert again.content == pdf.content
        message = await _ok(await as_admin.post(f"{API}/quotes/{quote['id']}/send", json={}))
        assert message["subject"] == f"Angebot {quote['number']} von {SELLER_NAME}"
        assert [a["filename"] for a in message["attachments"]] == [f"{quote['number']}.pdf"]


SELLER_NAME = "Müller & Söhne Softwareentwicklung GmbH"


class TestBilling:
    async def test_chosen_lines_become_an_invoice(
        self, db: AsyncSession, as_admin: httpx.AsyncClient
    ) -> None:
        quote = await _accepted(as_admin, db)
        second = quote["lines"][1]["id"]
        invoice = await _ok(
            await as_admin.post(f"{API}/quotes/{quote['id']}/invoice", json={"line_ids": [second]}),
            201,
        )
        assert [ln["description"] for ln in invoice["lines"]] == ["Fachbuch"]
        assert invoice["total"] == "107.00"

    async def test_down_payments_and_final_invoice_pass_the_validator(
        self, db: AsyncSession, as_admin: httpx.AsyncClient, tmp_path: Path
    ) -> None:
        quote = await _accepted(as_admin, db)
        downs = await _ok(
            await as_admin.post(
                f"{API}/quotes/{quote['id']}/down-payments", json={"shares": ["30", "20"]}
            ),
            201,
        )
        assert [d["net_total"] for d in downs] == ["330.00", "220.00"]
        # Own VAT per rate: 300 at 19 % and 30 at 7 %.
        assert [d["tax_total"] for d in downs] == ["59.10", "39.40"]
        refused = await as_admin.post(f"{API}/quotes/{quote['id']}/final-invoice")
        assert refused.status_code == 409  # down payments still drafts
        for d in downs:
            await _issue(as_admin, d["id"])
        root = await _xml(as_admin, downs[0]["id"], tmp_path / "down1.xml")
        assert root.findtext(".//{*}ExchangedDocument/{*}TypeCode") == "386"

        final = await _ok(await as_admin.post(f"{API}/quotes/{quote['id']}/final-invoice"), 201)
        # Whole service 1297.00 gross less the down payments 389.10 + 259.40.
        assert final["total"] == "648.50"
        assert (final["net_total"], final["tax_total"]) == ("1100.00", "197.00")
        issued = await _issue(as_admin, final["id"])
        assert issued["open_amount"] == "648.50"
        root = await _xml(as_admin, final["id"], tmp_path / "final.xml")
        totals = root.find(f".//{{{RAM}}}SpecifiedTradeSettlementHeaderMonetarySummation")
        assert totals is not None
        assert totals.findtext(f"{{{RAM}}}GrandTotalAmount") == "1297.00"
        assert totals.findtext(f"{{{RAM}}}TotalPrepaidAmount") == "648.50"
        assert totals.findtext(f"{{{RAM}}}DuePayableAmount") == "648.50"
        assert root.findtext(".//{*}ExchangedDocument/{*}TypeCode") == "380"
        notes = [n.text or "" for n in root.iter(f"{{{RAM}}}Content")]
        assert any("Abzüglich Abschlagsrechnung" in n and "USt 19 %" in n for n in notes)
        assert any("USt 7 %" in n for n in notes)
        assert validate(tmp_path / "down1.xml", tmp_path / "final.xml") == {
            "down1.xml": "ok",
            "final.xml": "ok",
        }
        again = await as_admin.post(f"{API}/quotes/{quote['id']}/final-invoice")
        assert again.status_code == 409

    async def test_down_payments_cannot_exceed_the_quote(
        self, db: AsyncSession, as_admin: httpx.AsyncClient
    ) -> None:
        quote = await _accepted(as_admin, db)
        response = await as_admin.post(
            f"{API}/quotes/{quote['id']}/down-payments", json={"shares": ["60", "50"]}
        )
        assert response.status_code == 409
        assert response.json()["field"] == "shares"

    @pytest.mark.parametrize("share", ["0", "100", "-5"])
    async def test_share_out_of_range_is_422(
        self, db: AsyncSession, as_admin: httpx.AsyncClient, share: str
    ) -> None:
        quote = await _accepted(as_admin, db)
        response = await as_admin.post(
            f"{API}/quotes/{quote['id']}/down-payments", json={"shares": [share]}
        )
        assert response.status_code == 422
        assert response.json()["field"] == "shares"


class TestVatSwitch:
    async def test_a_quote_lines_rate_survives_switching_the_treatment(
        self, db: AsyncSession, as_admin: httpx.AsyncClient
    ) -> None:
        """Issue 13, item 1, its class: quotes lost their lines' rates like invoices did."""
        customer = await make_buyer(db)
        quote = await _quote(as_admin, customer.id)
        url = f"{API}/quotes/{quote['id']}"
        switched = await _ok(await as_admin.patch(url, json={"vat_treatment": "reverse_charge"}))
        assert [float(ln["vat_rate"]) for ln in switched["lines"]] == [0, 0]
        back = await _ok(await as_admin.patch(url, json={"vat_treatment": "regular"}))
        assert [float(ln["vat_rate"]) for ln in back["lines"]] == [19, 7]
        assert [float(ln["chosen_vat_rate"]) for ln in back["lines"]] == [19, 7]
        assert float(back["tax_total"]) == 190 + 7

    async def test_an_overflowing_quote_line_is_a_422_naming_the_field(
        self, db: AsyncSession, as_admin: httpx.AsyncClient
    ) -> None:
        customer = await make_buyer(db)
        body = {
            "customer_id": str(customer.id),
            "title": "Zu groß",
            "lines": [_line("A", "1", "1.00"), _line("B", "999999999.999", "9999999999.99")],
        }
        r = await as_admin.post(f"{API}/quotes", json=body)
        assert r.status_code == 422, r.text
        assert r.json()["field"] == "lines.1.unit_price"

    @pytest.mark.parametrize("description", ["Zeile\n" * 333 + "xx", "x" * 2000])
    async def test_a_quote_with_the_longest_description_renders(
        self, db: AsyncSession, as_admin: httpx.AsyncClient, description: str
    ) -> None:
        """Issue 13, item 5, its class: the quote letter wraps a long line across pages."""
        await make_seller(db)
        customer = await make_buyer(db)
        quote = await _quote(as_admin, customer.id, _line(description, "1", "10.00"))
        await _ok(await as_admin.post(f"{API}/quotes/{quote['id']}/issue"))
        pdf = await as_admin.get(f"{API}/quotes/{quote['id']}/pdf")
        assert pdf.status_code == 200, pdf.text
        assert pdf.content.startswith(b"%PDF-")

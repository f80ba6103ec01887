"""DATEV EXTF Buchungsstapel: the file parses back into the sums of the database."""

from __future__ import annotations

import asyncio
import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

import asyncpg
import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from typer.testing import CliRunner

from tests.conftest import TEMPLATE, _recreate, worker_name
from tests.factories.einvoice import (
    SCENARIOS,
    L,
    make_buyer,
    make_issued_invoice,
    make_payment,
    make_seller,
)
from workmate.cli.main import app
from workmate.config import get_settings
from workmate.models import Invoice

D = Decimal


def parse(data: bytes) -> tuple[list[str], list[str], list[dict[str, str]]]:
    """(EXTF header, column names, bookings) of an EXTF file, checking its encoding rules."""
    assert data.endswith(b"\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")
    rows = list(csv.reader(data.decode("cp1252").split("\r\n")[:-1], delimiter=";"))
    header, columns, bookings = rows[0], rows[1], rows[2:]
    return header, columns, [dict(zip(columns, row, strict=True)) for row in bookings]


def money(value: str) -> Decimal:
    assert "." not in value  # decimal comma, no thousands separator
    return Decimal(value.replace(",", "."))


def total(bookings: list[dict[str, str]], **match: str) -> Decimal:
    keys = {
        "side": "Soll/Haben-Kennzeichen",
        "konto": "Konto",
        "gegen": "Gegenkonto (ohne BU-Schlüssel)",
    }
    return sum(
        (
            money(b["Umsatz (ohne Soll/Haben-Kz)"])
            for b in bookings
            if all(b[keys[k]] == v for k, v in match.items())
        ),
        D("0.00"),
    )


async def month_of_bookings(db: AsyncSession) -> dict[str, Invoice]:
    await make_seller(db)
    hans = await make_buyer(db, number="K-00042", name="Bäckerei Hänsel & Gretel")
    invoices = {
        "mixed": await make_issued_invoice(
            db,
            [
                L("Arbeit", D("10"), D("85.00"), D("19")),
                L("Buch", D("3"), D("19.99"), D("7")),
                L("Modul", D("1"), D("300.00"), D("0")),
            ],
            hans,
        ),
        "reverse": await SCENARIOS["reverse_charge"](db),
        "credit": await SCENARIOS["credit_note"](db),
    }
    await make_payment(db, invoices["mixed"], D("250.00"), payment_date=date(2026, 3, 20))
    # Outside the period: neither it nor its payment may appear.
    late = await make_issued_invoice(
        db, [L("April", D(1), D("99.00"))], hans, issued_date=date(2026, 4, 2)
    )
    await make_payment(db, late, D("10.00"), payment_date=date(2026, 4, 5))
    return invoices


class TestDatevEndpoint:
    async def test_file_parses_back_into_the_sums_of_the_database(
        self, db: AsyncSession, as_manager: httpx.AsyncClient
    ) -> None:
        invoices = await month_of_bookings(db)
        response = await as_manager.get(
            "/api/v1/exports/datev", params={"from": "2026-03-01", "to": "2026-03-31"}
        )
        assert response.status_code == 200, response.text
        assert "windows-1252" in response.headers["content-type"]
        header, columns, bookings = parse(response.content)

        assert header[:5] == ["EXTF", "700", "21", "Buchungsstapel", "13"]
        assert (header[14], header[15]) == ("20260301", "20260331")
        assert header[26] == "03"
        assert columns[:2] == ["Umsatz (ohne Soll/Haben-Kz)", "Soll/Haben-Kennzeichen"]

        sales = [i for i in invoices.values() if i.kind == "invoice"]
        # The credit note's original is issued in the period too, as an invoice.
        originals = [i for i in invoices.values() if i.kind == "credit_note"]
        invoiced = sum((i.total for i in sales), D("0")) + sum((i.total for i in originals), D("0"))
        assert total(bookings, side="S") - total(bookings, side="S", konto="1200") == invoiced
        assert total(bookings, side="H") == sum((i.total for i in originals), D("0"))
        assert total(bookings, konto="1200") == D("250.00")
        mixed = invoices["mixed"]
        assert total(bookings, konto="10042", gegen="8400") == D("1011.50")  # 850 + 19 %
        assert total(bookings, konto="10042", gegen="8300") == D("64.17")  # 59.97 + 7 %
        assert total(bookings, konto="10042", gegen="8200") == D("300.00")
        assert total(bookings, konto="10042", side="S") == mixed.total
        assert total(bookings, gegen="8337") == invoices["reverse"].total
        texts = {b["Buchungstext"] for b in bookings}
        assert "Bäckerei Hänsel & Gretel" in texts
        assert {b["Belegdatum"] for b in bookings} <= {"0203", "2003"}
        assert mixed.number in {b["Belegfeld 1"] for b in bookings}

    async def test_skr04_and_account_overrides_come_from_company_settings(
        self, db: AsyncSession, as_manager: httpx.AsyncClient
    ) -> None:
        await month_of_bookings(db)
        await make_seller(
            db, extra={"datev": {"chart": "SKR04", "accounts": {"7": "4310"}, "client_number": 7}}
        )
        response = await as_manager.get(
            "/api/v1/exports/datev", params={"from": "2026-03-01", "to": "2026-03-31"}
        )
        header, _, bookings = parse(response.content)
        assert header[26] == "04"
        assert header[11] == "7"
        accounts = {b["Gegenkonto (ohne BU-Schlüssel)"] for b in bookings}
        assert {"4400", "4310", "4200", "4337"} <= accounts
        assert "1800" in {b["Konto"] for b in bookings}

    async def test_a_batch_spans_one_year_only(self, as_manager: httpx.AsyncClient) -> None:
        response = await as_manager.get(
            "/api/v1/exports/datev", params={"from": "2025-12-01", "to": "2026-01-31"}
        )
        assert response.status_code == 422
        assert response.json()["field"] == "to"

    async def test_needs_the_reports_permission(self, as_employee: httpx.AsyncClient) -> None:
        response = await as_employee.get(
            "/api/v1/exports/datev", params={"from": "2026-03-01", "to": "2026-03-31"}
        )
        assert response.status_code == 403


def fetch_sums(url: str, year: int) -> dict[str, Decimal]:
    async def go() -> dict[str, Decimal]:
        conn = await asyncpg.connect(url)
        try:
            rows = await conn.fetch(
                "SELECT kind, sum(total) AS s FROM invoices WHERE status <> 'draft' "
                "AND extract(year FROM issued_date) = $1 GROUP BY kind",
                year,
            )
            paid = await conn.fetchval(
                "SELECT coalesce(sum(amount), 0) FROM payments "
                "WHERE extract(year FROM payment_date) = $1",
                year,
            )
        finally:
            await conn.close()
        sums = {r["kind"]: r["s"] for r in rows}
        return {
            "invoice": sums.get("invoice", D("0")),
            "credit_note": sums.get("credit_note", D("0")),
            "payments": paid,
        }

    return asyncio.run(go())


def test_demo_then_cli_export_matches_the_database(
    request: pytest.FixtureRequest, server_url: str, tmp_path: Path
) -> None:
    url = _recreate(server_url, f"wm_test_{worker_name(request.config)}_datev_demo", TEMPLATE)
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        env = {"WORKMATE_DATABASE_URL": url}
        assert runner.invoke(app, ["demo", "--seed", "5"], env=env).exit_code == 0
        years = {r[0] for r in asyncio.run(_years(url))}
        assert years
        for year in sorted(years):
            out = tmp_path / f"{year}.csv"
            result = runner.invoke(
                app,
                [
                    "export",
                    "datev",
                    "--from",
                    f"{year}-01-01",
                    "--to",
                    f"{year}-12-31",
                    "--out",
                    str(out),
                ],
                env=env,
            )
            assert result.exit_code == 0, result.output
            _, _, everything = parse(out.read_bytes())
            # The sales side; the demo's supplier bills and their payments book against
            # creditor accounts (70000 and up) and are summed apart.
            purchases = [b for b in everything if _creditor(b)]
            bookings = [b for b in everything if not _creditor(b)]
            sums = fetch_sums(url, year)
            assert total(purchases, side="H") - total(purchases, side="S") >= 0
            bank = total(bookings, konto="1200")
            assert bank == sums["payments"]
            assert total(bookings, side="S") - bank == sums["invoice"]
            assert total(bookings, side="H") == sums["credit_note"]
    finally:
        get_settings.cache_clear()


def _creditor(booking: dict[str, str]) -> bool:
    accounts = (booking["Konto"], booking["Gegenkonto (ohne BU-Schlüssel)"])
    return any(len(a) == 5 and a >= "70000" for a in accounts)


async def _years(url: str) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(url)
    try:
        return list(
            await conn.fetch(
                "SELECT DISTINCT extract(year FROM issued_date)::int FROM invoices "
                "WHERE status <> 'draft' UNION "
                "SELECT DISTINCT extract(year FROM payment_date)::int FROM payments"
            )
        )
    finally:
        await conn.close()

"""Importing statement files over the API: the samples, re-imports, wrong files, checks."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

import httpx
import pytest
from schwifty import IBAN
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.banking import (
    COMPANY_IBAN,
    SAMPLES,
    camt,
    entry,
    make_account,
    upload,
    zipped,
)
from workmate.models import AuditLog, BankFile, BankStatement, BankTransaction


def german_iban(account: str) -> str:
    """The IBAN of an MT940 account given as 'BLZ/Kontonummer'."""
    bank_code, _, number = account.partition("/")
    return str(IBAN.generate("DE", bank_code=bank_code, account_code=number).compact)


async def count(db: AsyncSession, model: Any) -> int:
    return int(await db.scalar(select(func.count()).select_from(model)) or 0)


class TestAccounts:
    async def test_create_checks_the_iban(self, as_admin: httpx.AsyncClient) -> None:
        r = await as_admin.post(
            "/api/v1/bank-accounts", json={"name": "Giro", "iban": "DE89 3704 0044 0532 0130 00"}
        )
        assert r.status_code == 201, r.text
        assert r.json()["iban"] == COMPANY_IBAN
        again = await as_admin.post(
            "/api/v1/bank-accounts", json={"name": "Giro 2", "iban": COMPANY_IBAN}
        )
        assert again.status_code == 409
        assert again.json()["field"] == "iban"
        bad = await as_admin.post(
            "/api/v1/bank-accounts", json={"name": "x", "iban": "DE89370400440532013001"}
        )
        assert bad.status_code == 422
        assert bad.json()["field"] == "iban"

    async def test_account_with_imports_is_archived_not_deleted(
        self, as_admin: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        account = (await make_account(db)).id
        r = await upload(as_admin, account, camt([entry("10.00", "x")]))
        assert r.status_code == 201, r.text
        gone = await as_admin.delete(f"/api/v1/bank-accounts/{account}")
        assert gone.status_code == 409
        archived = await as_admin.patch(f"/api/v1/bank-accounts/{account}", json={"archived": True})
        assert archived.json()["archived_at"] is not None
        refused = await upload(as_admin, account, camt([entry("11.00", "y")]))
        assert refused.status_code == 409


class TestSamples:
    @pytest.mark.parametrize(
        ("name", "adds_up"),
        [
            ("camt053.v2.minimal.xml", [False]),
            ("camt053.v2.multi.statement.xml", [True, True]),
            ("camt053.v2.all-balance-types.xml", [False]),
            ("camt053.v2.with-party-ids.xml", [False]),
            ("camt053.v8.xml", [False]),
        ],
    )
    async def test_camt_samples_import_with_balances_checked(
        self, as_admin: httpx.AsyncClient, db: AsyncSession, name: str, adds_up: list[bool]
    ) -> None:
        data = (SAMPLES / "camt053" / name).read_bytes()
        iban = "CH2801234000123456789" if "all-balance" in name else "NL26VAYB8060476890"
        account = (await make_account(db, iban=iban)).id
        r = await upload(as_admin, account, data, name)
        assert r.status_code == 201, r.text
        body = r.json()
        assert [s["balance_difference"] == "0.00" for s in body["statements"]][::-1] == adds_up
        mismatches = [p for p in body["problems"] if p["code"] == "balance_mismatch"]
        assert len(mismatches) == adds_up.count(False)
        assert body["file"]["sha256"] == hashlib.sha256(data).hexdigest()

    @pytest.mark.parametrize(
        ("name", "statements", "mismatches"),
        [
            ("jejik-sparkasse.sta", 2, 0),
            ("jejik-volksbankenraiffeisenbanken.sta", 8, 0),
            ("jejik-commerzbank.sta", 1, 1),
            ("jejik-lbbw.sta", 1, 0),
        ],
    )
    async def test_mt940_samples_import_with_balances_checked(
        self,
        as_admin: httpx.AsyncClient,
        db: AsyncSession,
        name: str,
        statements: int,
        mismatches: int,
    ) -> None:
        data = (SAMPLES / "mt940" / name).read_bytes()
        from workmate.banking.formats import mt940

        parsed = mt940.parse(data)
        account = (await make_account(db, iban=german_iban(parsed[0].account or ""))).id
        r = await upload(as_admin, account, data, name)
        assert r.status_code == 201, r.text
        body = r.json()
        mine = [s for s in parsed if s.account == parsed[0].account]
        assert len(body["statements"]) == min(statements, len(mine))
        found = [p for p in body["problems"] if p["code"] == "balance_mismatch"]
        assert len(found) == mismatches
        assert body["transactions_added"] == sum(len(s.entries) for s in mine)


class TestReimport:
    async def test_the_same_file_again_adds_nothing(
        self, as_admin: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        data = (SAMPLES / "mt940" / "jejik-volksbankenraiffeisenbanken.sta").read_bytes()
        account = (await make_account(db, iban=german_iban("66642399/93387"))).id
        first = await upload(as_admin, account, data)
        assert first.status_code == 201
        before = await count(db, BankTransaction)
        again = await upload(as_admin, account, data)
        assert again.status_code == 200
        assert again.json()["already_imported"] is True
        assert again.json()["transactions_added"] == 0
        assert await count(db, BankTransaction) == before
        assert await count(db, BankFile) == 1

    async def test_an_overlapping_period_adds_only_what_is_new(
        self, as_admin: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        account = (await make_account(db)).id
        day1 = [entry("10.00", "a", date(2026, 3, 2)), entry("-3.50", "Kaffee", date(2026, 3, 2))]
        day2 = [entry("20.00", "b", date(2026, 3, 3))]
        r1 = await upload(as_admin, account, camt(day1, opening="100.00"))
        assert r1.json()["transactions_added"] == 2
        # Two days in one file, the first already imported: only day 2 is new.
        r2 = await upload(as_admin, account, camt(day1 + day2, opening="100.00"))
        assert r2.status_code == 201, r2.text
        assert r2.json()["transactions_added"] == 1
        assert r2.json()["transactions_skipped"] == 2
        assert any(p["code"] == "overlap" for p in r2.json()["problems"])
        assert await count(db, BankTransaction) == 3

    async def test_true_duplicates_within_a_day_stay_two(
        self, as_admin: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        account = (await make_account(db)).id
        coffee = entry("-3.50", "Kaffee", date(2026, 3, 2), counterparty_name="Café")
        r = await upload(as_admin, account, camt([coffee, coffee], opening="10.00"))
        assert r.json()["transactions_added"] == 2
        again = await upload(
            as_admin,
            account,
            zipped({"a.xml": camt([coffee, coffee], opening="10.00", sequence="2")}),
        )
        assert again.json()["transactions_added"] == 0

    async def test_a_zip_of_days_already_imported_adds_nothing(
        self, as_admin: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        account = (await make_account(db)).id
        d1 = camt([entry("10.00", "a", date(2026, 3, 2))], opening="0.00")
        d2 = camt([entry("5.00", "b", date(2026, 3, 3))], opening="10.00")
        assert (await upload(as_admin, account, d1)).json()["transactions_added"] == 1
        r = await upload(
            as_admin, account, zipped({"2026-03-02.xml": d1, "2026-03-03.xml": d2}), "days.zip"
        )
        assert r.status_code == 201, r.text
        assert r.json()["transactions_added"] == 1
        assert any(p["code"] == "statement_known" for p in r.json()["problems"])
        assert await count(db, BankStatement) == 2


class TestChecks:
    async def test_a_gap_between_statements_is_reported(
        self, as_admin: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        account = (await make_account(db)).id
        await upload(
            as_admin, account, camt([entry("10.00", "a", date(2026, 3, 2))], opening="0.00")
        )
        r = await upload(
            as_admin, account, camt([entry("5.00", "b", date(2026, 3, 5))], opening="50.00")
        )
        assert r.status_code == 201
        gap = [p for p in r.json()["problems"] if p["code"] == "gap_before"]
        assert gap, r.json()["problems"]
        assert "10.00" in gap[0]["text"]
        listed = (
            await as_admin.get("/api/v1/bank-statements", params={"account_id": str(account)})
        ).json()
        assert [s["continuous"] for s in listed["items"]] == [False, None]

    async def test_the_original_is_kept_unchanged(
        self, as_admin: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        account = (await make_account(db)).id
        data = camt([entry("10.00", "a")])
        r = await upload(as_admin, account, data)
        file_id = r.json()["file"]["id"]
        got = await as_admin.get(f"/api/v1/bank-files/{file_id}/download")
        assert got.status_code == 200
        assert got.content == data
        assert got.headers["x-checksum-sha256"] == hashlib.sha256(data).hexdigest()

    async def test_a_file_of_another_account_is_refused(
        self, as_admin: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        account = (await make_account(db)).id
        r = await upload(
            as_admin, account, camt([entry("10.00", "a")], iban="DE02120300000000202051")
        )
        assert r.status_code == 422
        assert r.json()["field"] == "account_id"
        assert await count(db, BankFile) == 0

    async def test_the_import_is_audited(
        self, as_admin: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        account = (await make_account(db)).id
        await upload(as_admin, account, camt([entry("10.00", "a")]))
        entries = await db.scalar(
            select(func.count()).select_from(AuditLog).where(AuditLog.entity == "bank_file")
        )
        assert entries == 1


class TestHostileUploads:
    async def test_what_is_no_statement_is_refused_and_nothing_stays(
        self, as_admin: httpx.AsyncClient, db: AsyncSession, files_settings: Any
    ) -> None:
        account = (await make_account(db)).id
        for data, status, field in (
            (b"%PDF-1.4 not a statement", 415, "file"),
            (b"", 422, "file"),
            (b"<?xml version='1.0'?><html/>", 415, "file"),
            (b"\x00\x01\x02binary", 415, "file"),
            (b"Datum;Text\n01.01.2026;x\n", 422, "csv_mapping"),
        ):
            r = await upload(as_admin, account, data)
            assert r.status_code == status, (data, r.text)
            assert r.json()["field"] == field
        stored = [p for p in files_settings.files_dir.rglob("*") if p.is_file()]
        assert stored == []
        assert await count(db, BankFile) == 0

    async def test_form_fields_are_checked(
        self, as_admin: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        account = (await make_account(db)).id
        data = camt([entry("1.00", "x")])
        from tests.factories.documents import multipart

        body, headers = multipart(data, "a.xml")
        r = await as_admin.post("/api/v1/bank-statements", content=body, headers=headers)
        assert (r.status_code, r.json()["field"]) == (422, "account_id")
        r = await upload(as_admin, "not-a-uuid", data)
        assert (r.status_code, r.json()["field"]) == (422, "account_id")
        r = await upload(as_admin, account, data, format="pdf")
        assert (r.status_code, r.json()["field"]) == (422, "format")
        r = await upload(as_admin, account, data, format="mt940")
        assert r.status_code == 415
        r = await upload(as_admin, account, data, csv_mapping="{not json")
        assert (r.status_code, r.json()["field"]) == (422, "csv_mapping")
        r = await upload(as_admin, account, data, match="vielleicht")
        assert (r.status_code, r.json()["field"]) == (422, "match")

    async def test_a_csv_mapping_is_saved_for_the_account(
        self, as_admin: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        import json

        account = (await make_account(db)).id
        data = "Datum;Text;Summe\n01.03.2026;RE-1;1.000,50\n".encode("cp1252")
        mapping = {"booking_date": "Datum", "purpose": "Text", "amount": "Summe"}
        r = await upload(as_admin, account, data, "export.csv", csv_mapping=json.dumps(mapping))
        assert r.status_code == 201, r.text
        saved = (await as_admin.get(f"/api/v1/bank-accounts/{account}")).json()["csv_mapping"]
        assert saved["booking_date"] == "Datum"
        # The next export of the same bank needs no mapping.
        more = "Datum;Text;Summe\n02.03.2026;RE-2;20,00\n".encode("cp1252")
        again = await upload(as_admin, account, more, "export2.csv")
        assert again.status_code == 201, again.text
        assert again.json()["transactions_added"] == 1

"""CSV import/export: encodings, separators, all-or-nothing with a per-row report, 10,000 rows."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.crm import new_contact, new_customer
from workmate.customers.csv_io import ImportRejected, export_csv, import_csv
from workmate.models import AuditLog, Contact, Customer

pytestmark = pytest.mark.asyncio

HEADER = "number;name;type;email;tax_id;city;contact_firstname;contact_lastname;contact_is_primary"


async def count(db: AsyncSession, model: type[Customer] | type[Contact]) -> int:
    return int(await db.scalar(select(func.count()).select_from(model)) or 0)


class TestImport:
    async def test_windows_1252_with_semicolons_groups_contacts_by_number(
        self, db: AsyncSession
    ) -> None:
        text = "\r\n".join(
            [
                HEADER,
                "A1;Müller Straßenbau GmbH;B2B;info@mueller.de;DE136695976;Köln;Jörg;Müller;ja",
                "A1;;;;;;Änne;Schäfer;",
                ";Privat Weiß;B2C;;;München;;;",
            ]
        )
        before = await count(db, Customer)
        result = await import_csv(db, None, text.encode("cp1252"))
        assert (result.customers, result.contacts) == (2, 2)
        assert await count(db, Customer) == before + 2
        names = set(await db.scalars(select(Contact.lastname).where(Contact.firstname == "Änne")))
        assert names == {"Schäfer"}
        imported = await db.scalar(
            select(Customer).where(Customer.name == "Müller Straßenbau GmbH")
        )
        assert imported is not None
        assert imported.number.startswith("K-")
        audited = await db.scalar(
            select(func.count())
            .select_from(AuditLog)
            .where(AuditLog.action == "import", AuditLog.entity_id == str(imported.id))
        )
        assert audited == 1

    async def test_utf8_with_commas_and_bom(self, db: AsyncSession) -> None:
        text = "name,type,email\nÖko Bau,B2B,oeko@example.de\n"
        result = await import_csv(db, None, ("\ufeff" + text).encode("utf-8"))
        assert result.customers == 1
        assert await db.scalar(select(Customer.id).where(Customer.name == "Öko Bau"))

    async def test_one_bad_row_imports_nothing_and_names_the_row(self, db: AsyncSession) -> None:
        rows = [HEADER] + [f";Firma {i};B2B;f{i}@example.de;;;;;" for i in range(20)]
        rows[8] = ";Kaputt;B2B;keine-mail;;;;;"
        rows[15] = ";Steuer;B2B;;DE000;;;;"
        before = await count(db, Customer)
        with pytest.raises(ImportRejected) as caught:
            await import_csv(db, None, "\n".join(rows).encode())
        assert [(e.row, e.field) for e in caught.value.errors] == [(9, "email"), (16, "tax_id")]
        assert "row 9" in caught.value.detail
        assert await count(db, Customer) == before

    async def test_unknown_column_is_named(self, db: AsyncSession) -> None:
        with pytest.raises(Exception, match="colour"):
            await import_csv(db, None, b"name;colour\nX;red\n")

    async def test_ten_thousand_rows_in_one_transaction(self, db: AsyncSession) -> None:
        rows = ["name;type;email;contact_firstname;contact_lastname"]
        rows += [f"Firma {i};B2B;f{i}@example.de;Vor{i};Nach{i}" for i in range(10_000)]
        before = await count(db, Customer)
        result = await import_csv(db, None, "\n".join(rows).encode())
        assert (result.customers, result.contacts) == (10_000, 10_000)
        assert await count(db, Customer) == before + 10_000
        numbers = await db.scalar(
            select(func.count(func.distinct(Customer.number))).where(Customer.name.like("Firma %"))
        )
        assert numbers == 10_000


class TestExport:
    async def test_round_trip_in_windows_1252(self, db: AsyncSession) -> None:
        customer = await new_customer(db, name="Größe & Söhne KG")
        await new_contact(db, customer, firstname="Jürgen", lastname="Öz", is_primary=True)
        data = await export_csv(db, encoding="windows-1252", delimiter=",")
        text = data.decode("cp1252")
        assert "Größe & Söhne KG" in text
        assert "Jürgen" in text
        line = next(li for li in text.splitlines() if "Jürgen" in li)
        assert line.startswith(customer.number + ",")
        result = await import_csv(db, None, data)
        assert result.customers >= 1


class TestEndpoints:
    async def test_upload_and_download(
        self, as_manager: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        files = {"file": ("k.csv", b"name;email\nUpload AG;up@example.de\n", "text/csv")}
        r = await as_manager.post("/api/v1/customers/import", files=files)
        assert r.status_code == 201, r.text
        assert r.json() == {"customers": 1, "contacts": 0}
        r = await as_manager.get("/api/v1/customers/export")
        assert r.status_code == 200
        assert "Upload AG" in r.text

    async def test_bad_upload_is_422_naming_the_row(self, as_manager: httpx.AsyncClient) -> None:
        files = {"file": ("k.csv", b"name;email\nA;a@example.de\nB;kaputt\n", "text/csv")}
        r = await as_manager.post("/api/v1/customers/import", files=files)
        assert r.status_code == 422
        assert r.json()["field"] == "row 3"
        assert "row 3" in r.json()["detail"]

    async def test_employee_cannot_import(self, as_employee: httpx.AsyncClient) -> None:
        files = {"file": ("k.csv", b"name\nA\n", "text/csv")}
        assert (await as_employee.post("/api/v1/customers/import", files=files)).status_code == 403

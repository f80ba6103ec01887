"""CSV import/export: encodings, separators, all-or-nothing with a per-row report, 10,000 rows."""

from __future__ import annotations

import httpx
import pytest
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.crm import new_contact, new_customer
from workmate.customers.csv_io import ImportRejected, email_address, export_csv, import_csv
from workmate.customers.schemas import CustomerCreate
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

    async def test_imported_rows_carry_contacts_primary_and_one_audit_row_each(
        self, db: AsyncSession
    ) -> None:
        text = "\n".join(
            [
                "number;name;email;tax_id;contact_firstname;contact_lastname;contact_is_primary",
                "7;Zwei Kontakte AG;Info@Zwei.DE;de 136 695 976;Ada;Eins;ja",
                "7;;;;Bo;Zwei;",
            ]
        )
        result = await import_csv(db, None, text.encode())
        assert (result.customers, result.contacts) == (1, 2)
        customer = await db.scalar(select(Customer).where(Customer.name == "Zwei Kontakte AG"))
        assert customer is not None
        assert (customer.email, customer.tax_id) == ("Info@zwei.de", "DE136695976")
        primaries = list(
            await db.scalars(
                select(Contact.lastname).where(
                    Contact.customer_id == customer.id, Contact.is_primary
                )
            )
        )
        assert primaries == ["Eins"]
        audit = list(
            await db.scalars(select(AuditLog).where(AuditLog.entity_id == str(customer.id)))
        )
        assert [(a.action, a.entity) for a in audit] == [("import", "customer")]
        assert audit[0].changes is not None
        assert audit[0].changes["number"] == [None, customer.number]
        assert audit[0].changes["contacts"] == [None, 2]
        assert "email" in audit[0].changes
        assert "address" not in audit[0].changes

    async def test_second_primary_contact_is_rejected(self, db: AsyncSession) -> None:
        text = "number;name;contact_firstname;contact_lastname;contact_is_primary\n"
        text += "1;Doppelt;A;B;ja\n1;;C;D;yes\n"
        with pytest.raises(ImportRejected) as caught:
            await import_csv(db, None, text.encode())
        assert [(e.row, e.field) for e in caught.value.errors] == [(3, "contact_is_primary")]


@pytest.mark.parametrize(
    "email",
    [
        "a@b.de",
        "A.B@Example.DE",
        "x+tag@sub.example.com",
        "o'neil@a.ie",
        "x@münchen.de",
        "jörg@a.de",
        "Jo <j@a.de>",
        "x..y@a.de",
        ".x@a.de",
        "x@-a.de",
        "x@a..de",
        "x@de",
        "x@localhost",
        "x@foo.test",
        "x@example.123",
        "x@[1.2.3.4]",
        "a" * 65 + "@a.de",
        "a@" + ".".join(["abcdefghij"] * 25) + ".de",
        "keine-mail",
    ],
)
async def test_import_email_check_answers_as_email_str(email: str) -> None:
    """The import's cached e-mail check normalizes and rejects exactly as CustomerCreate."""
    try:
        expected: object = CustomerCreate(name="n", email=email).email
    except ValidationError as exc:
        expected = exc.errors()[0]["msg"]
    try:
        got: object = email_address(email)
    except ValueError as exc:
        got = str(exc)
    assert got == expected


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

"""The one CSV writer: formula starts defused in every export, numbers left numbers."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.crm import new_contact, new_customer
from workmate.customers.csv_io import export_csv, import_csv
from workmate.exports.csvfile import CsvWriter, safe_text, unescape
from workmate.models import Customer
from workmate.time_entries.schemas import Report, ReportRow
from workmate.time_entries.service import time_entry_service

HOSTILE = ['=HYPERLINK("http://x")', "+49 30 1234", "-2+3", "@SUM(A1)", "\tx", "\rx"]


@pytest.mark.parametrize("text", HOSTILE)
def test_formula_starts_get_an_apostrophe_and_come_back(text: str) -> None:
    assert safe_text(text) == "'" + text
    assert unescape(safe_text(text)) == text


def test_plain_text_and_numbers_are_unchanged() -> None:
    writer = CsvWriter(decimal_comma=True)
    writer.row(["Müller GmbH", "'quoted", Decimal("-12.50"), -3, None, True])
    assert writer.text() == "Müller GmbH;'quoted;-12,50;-3;;yes\r\n"
    assert unescape("'quoted") == "'quoted"


async def test_customer_export_defuses_formulas_and_imports_back(db: AsyncSession) -> None:
    customer = await new_customer(db, name="=cmd|' /C calc'!A0")
    await new_contact(db, customer, firstname="@Anna", lastname="-Berg", phone="+49 30 123456")
    data = await export_csv(db, delimiter=";")
    rows = list(csv.DictReader(io.StringIO(data.decode(), newline=""), delimiter=";"))
    ours = next(r for r in rows if r["number"] == customer.number)
    assert ours["name"] == "'=cmd|' /C calc'!A0"
    assert ours["contact_firstname"] == "'@Anna"
    assert ours["contact_lastname"] == "'-Berg"
    assert ours["contact_phone"] == "'+49 30 123456"
    assert not any(v[:1] in "=+-@\t\r" for r in rows for v in r.values() if v)
    # Imported again, the texts are the original ones: the apostrophe is ours, not the data.
    header = data.decode().splitlines()[0]
    line = next(li for li in data.decode().splitlines() if customer.number in li)
    again = (header + "\r\n" + line.replace(customer.number, "X-1") + "\r\n").encode()
    result = await import_csv(db, None, again)
    assert result.customers == 1
    copy = await db.scalar(
        select(Customer).where(Customer.name == "=cmd|' /C calc'!A0", Customer.id != customer.id)
    )
    assert copy is not None


def test_time_report_csv_defuses_formulas() -> None:
    zero = Decimal("0.00")
    row = ReportRow(
        key="=2+2",
        label="=1+1",
        hours=Decimal("-1.50"),
        billable_hours=zero,
        non_billable_hours=zero,
        billable_value=zero,
    )
    report = Report(
        group_by="project",
        start=date(2026, 1, 1),
        end=date(2026, 1, 31),
        rows=[row],
        hours=zero,
        billable_hours=zero,
        non_billable_hours=zero,
        billable_value=zero,
    )
    text = time_entry_service.report_csv(report)
    assert text.splitlines()[1] == "'=2+2,'=1+1,-1.50,0.00,0.00,0.00"

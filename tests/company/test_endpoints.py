"""Company settings: read with invoices.read, write with admin_panel.access, validated."""

from __future__ import annotations

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from workmate.models import AuditLog

URL = "/api/v1/settings/company"


async def test_defaults_name_what_is_missing(as_manager: httpx.AsyncClient) -> None:
    r = await as_manager.get(URL)
    assert r.status_code == 200
    body = r.json()
    assert body["invoice_number_format"] == "RE-{year}-{seq:05d}"
    assert body["missing_for_invoicing"]


async def test_admin_saves_and_values_are_normalised(
    as_admin: httpx.AsyncClient, db: AsyncSession
) -> None:
    r = await as_admin.put(
        URL,
        json={
            "name": "Muster GmbH",
            "street": "Weg 1",
            "postal_code": "10117",
            "city": "Berlin",
            "tax_number": "21/815/08150",
            "vat_id": "de 136 695 976",
            "iban": "DE89 3704 0044 0532 0130 00",
            "bic": "COBADEFFXXX",
            "dunning_levels": [{"days": 10, "fee": "0"}, {"days": 20, "fee": "5.00"}],
        },
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["iban"] == "DE89370400440532013000"
    assert body["vat_id"] == "DE136695976"
    assert body["missing_for_invoicing"] == []
    assert [lvl["days"] for lvl in body["dunning_levels"]] == [10, 20]
    assert (await as_admin.get(URL)).json()["name"] == "Muster GmbH"
    audit = await db.scalar(select(AuditLog).where(AuditLog.entity == "company_settings"))
    assert audit is not None
    assert audit.changes is not None
    assert "name" in audit.changes


async def test_partial_update_keeps_other_fields(as_admin: httpx.AsyncClient) -> None:
    await as_admin.put(URL, json={"name": "A GmbH", "city": "Köln"})
    r = await as_admin.put(URL, json={"city": "Bonn"})
    assert r.json()["name"] == "A GmbH"
    assert r.json()["city"] == "Bonn"


async def test_invalid_numbers_are_refused_naming_the_field(as_admin: httpx.AsyncClient) -> None:
    for field, value in (
        ("iban", "DE89370400440532013001"),
        ("bic", "XX"),
        ("tax_number", "123"),
        ("vat_id", "DE123"),
        ("invoice_number_format", "RE-{year}"),
        ("vat_mode", "other"),
    ):
        r = await as_admin.put(URL, json={field: value})
        assert r.status_code == 422, (field, r.text)
        assert r.json()["field"] == field


async def test_manager_cannot_write_employee_cannot_read(
    as_manager: httpx.AsyncClient, as_employee: httpx.AsyncClient
) -> None:
    assert (await as_manager.put(URL, json={"name": "X"})).status_code == 403
    assert (await as_employee.get(URL)).status_code == 403

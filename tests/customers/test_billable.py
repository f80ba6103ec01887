"""One rule for whom a firm bills: quotes, invoices, recurring invoices and projects are for a
customer; a pure supplier is refused with a message that says so (it was refused by quotes
and recurring invoices but accepted by invoices and projects)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.factories.purchases import make_supplier

pytestmark = pytest.mark.asyncio

LINE = {"description": "Beratung", "quantity": "1", "unit_price": "100.00", "vat_rate": "19"}


def bodies(partner: str) -> dict[str, dict[str, Any]]:
    return {
        "/api/v1/invoices": {"customer_id": partner, "lines": [LINE]},
        "/api/v1/quotes": {"customer_id": partner, "title": "Angebot", "lines": [LINE]},
        "/api/v1/recurring-invoices": {
            "customer_id": partner,
            "title": "Hosting",
            "interval": "monthly",
            "first_date": "2026-12-01",
            "lines": [LINE],
        },
        "/api/v1/projects": {"customer_id": partner, "title": "Projekt"},
    }


async def test_a_pure_supplier_is_not_billed(as_admin: httpx.AsyncClient) -> None:
    supplier = await make_supplier(as_admin)
    for url, body in bodies(supplier["id"]).items():
        r = await as_admin.post(url, json=body)
        assert r.status_code == 422, (url, r.text)
        assert r.json()["field"] == "customer_id", url
        assert "supplier only" in r.json()["detail"], url


async def test_a_supplier_that_is_also_a_customer_is_billed(as_admin: httpx.AsyncClient) -> None:
    supplier = await make_supplier(as_admin)
    r = await as_admin.post(f"/api/v1/suppliers/{supplier['id']}/customer")
    assert r.status_code == 200, r.text
    assert r.json()["is_customer"] is True
    listed = await as_admin.get("/api/v1/customers", params={"q": supplier["name"]})
    assert supplier["id"] in [c["id"] for c in listed.json()["items"]]
    for url, body in bodies(supplier["id"]).items():
        r = await as_admin.post(url, json=body)
        assert r.status_code == 201, (url, r.text)

"""Purchases: upload helpers and typed-in bills."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx


async def upload(
    client: httpx.AsyncClient,
    data: bytes,
    name: str = "invoice.xml",
    content_type: str = "application/octet-stream",
    **fields: str,
) -> httpx.Response:
    """POST one file to /api/v1/incoming-invoices as multipart."""
    return await client.post(
        "/api/v1/incoming-invoices", files={"file": (name, data, content_type)}, data=fields
    )


async def upload_path(client: httpx.AsyncClient, path: Path, **fields: str) -> httpx.Response:
    data = path.read_bytes()  # noqa: ASYNC240 (a small test fixture)
    return await upload(client, data, path.name, **fields)


def bill_body(supplier_id: Any, **overrides: Any) -> dict[str, Any]:
    """A typed-in bill: 100.00 net at 19 % and 50.00 net at 7 % (gross 172.50)."""
    body: dict[str, Any] = {
        "supplier_id": str(supplier_id),
        "invoice_number": "RE-2026-0815",
        "invoice_date": date(2026, 3, 10).isoformat(),
        "category": "material",
        "taxes": [
            {"category": "S", "rate": "19", "net": "100.00", "tax": "19.00"},
            {"category": "S", "rate": "7", "net": "50.00", "tax": "3.50"},
        ],
    }
    body.update(overrides)
    return body


async def make_supplier(client: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    body = {
        "name": "Papier Müller GmbH",
        "street": "Hauptstraße 1",
        "postal_code": "10115",
        "city": "Berlin",
        "vat_id": "DE136695976",
        "iban": "DE89 3704 0044 0532 0130 00",
        **overrides,
    }
    r = await client.post("/api/v1/suppliers", json=body)
    assert r.status_code == 201, r.text
    return dict(r.json())


D = Decimal

"""Defects the schemathesis run (tests/test_fuzz.py) found, each pinned by a plain test."""

from __future__ import annotations

import httpx
import pytest


@pytest.mark.parametrize("booked", ["true", "false"])
async def test_received_invoices_filtered_by_booked(
    as_admin: httpx.AsyncClient, booked: str
) -> None:
    answer = await as_admin.get(f"/api/v1/incoming-invoices?booked={booked}")
    assert answer.status_code == 200, answer.text

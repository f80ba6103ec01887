"""Races through a real server with separate connections: numbers stay gapless."""

from __future__ import annotations

import asyncio

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.invoicing import (
    assert_money_invariant,
    draft_body,
    live_token,
    make_company_settings,
)
from tests.factories.records import make_customer


async def test_twenty_parallel_issues_get_contiguous_numbers(
    live_server: str, live_db: AsyncSession
) -> None:
    await make_company_settings(live_db)
    customer = await make_customer(live_db)
    await live_db.commit()
    token = await live_token(live_db)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=live_server, headers=headers, timeout=60) as c:
        drafts = [
            (await c.post("/api/v1/invoices", json=draft_body(customer.id))).json()["id"]
            for _ in range(20)
        ]

    async def issue(invoice_id: str) -> httpx.Response:
        # A client (and connection) of its own per request.
        async with httpx.AsyncClient(base_url=live_server, headers=headers, timeout=60) as own:
            return await own.post(f"/api/v1/invoices/{invoice_id}/issue")

    responses = await asyncio.gather(*(issue(i) for i in drafts))
    assert [r.status_code for r in responses] == [200] * 20
    numbers = [r.json()["number"] for r in responses]
    seqs = sorted(int(n.rsplit("-", 1)[1]) for n in numbers)
    assert len(set(numbers)) == 20
    assert seqs == list(range(seqs[0], seqs[0] + 20))
    await assert_money_invariant(live_db)

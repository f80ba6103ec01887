"""Races through a real server with separate connections: never more paid than the total."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.invoicing import (
    assert_money_invariant,
    draft_body,
    live_token,
    make_company_settings,
)
from tests.factories.records import make_customer
from workmate.models import Payment


async def _issued(live_server: str, live_db: AsyncSession) -> tuple[dict[str, str], Any]:
    await make_company_settings(live_db)
    customer = await make_customer(live_db)
    await live_db.commit()
    headers = {"Authorization": f"Bearer {await live_token(live_db)}"}
    async with httpx.AsyncClient(base_url=live_server, headers=headers, timeout=60) as c:
        inv = (await c.post("/api/v1/invoices", json=draft_body(customer.id))).json()
        issued = (await c.post(f"/api/v1/invoices/{inv['id']}/issue")).json()
    return headers, issued


async def _post(live_server: str, headers: dict[str, str], url: str, body: Any) -> httpx.Response:
    async with httpx.AsyncClient(base_url=live_server, headers=headers, timeout=60) as own:
        return await own.post(url, json=body)


async def test_fifty_parallel_full_payments_book_exactly_one(
    live_server: str, live_db: AsyncSession
) -> None:
    headers, inv = await _issued(live_server, live_db)
    url = f"/api/v1/invoices/{inv['id']}/payments"
    body = {"amount": inv["total"], "method": "bank_transfer"}
    responses = await asyncio.gather(*(_post(live_server, headers, url, body) for _ in range(50)))
    codes = Counter(r.status_code for r in responses)
    assert codes == {201: 1, 409: 49}
    stored = await live_db.scalar(
        select(func.count()).select_from(Payment).where(Payment.invoice_id == inv["id"])
    )
    assert stored == 1
    await assert_money_invariant(live_db)


async def test_parallel_retries_with_one_idempotency_key_book_once(
    live_server: str, live_db: AsyncSession
) -> None:
    headers, inv = await _issued(live_server, live_db)
    url = f"/api/v1/invoices/{inv['id']}/payments"
    keyed = {**headers, "Idempotency-Key": f"retry-{inv['id']}"}
    responses = await asyncio.gather(
        *(_post(live_server, keyed, url, {"amount": "10.00"}) for _ in range(10))
    )
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["id"] for r in responses}) == 1
    stored = await live_db.scalar(
        select(func.count()).select_from(Payment).where(Payment.invoice_id == inv["id"])
    )
    assert stored == 1
    await assert_money_invariant(live_db)

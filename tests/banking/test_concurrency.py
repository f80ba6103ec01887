"""Races through a real server with separate connections: two people confirming the same
proposal at the same time book one payment (on an invoice, or a supplier bill); a
confirmation racing an undo leaves a consistent state."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from typing import Any

import httpx
import pytest
from schwifty import IBAN
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.banking import camt, entry, make_account, make_open_invoice, upload
from tests.factories.invoicing import assert_money_invariant, live_token
from tests.factories.purchases import bill_body, make_supplier
from tests.factories.records import make_customer
from workmate.models import BankMatch, Payment, SupplierPayment

pytestmark = pytest.mark.live


async def _queued(
    live_server: str, live_db: AsyncSession, amount: str
) -> tuple[dict[str, str], str, uuid.UUID]:
    """A transaction in the review queue proposing a partial payment of a fresh invoice."""
    number = f"RE-2099-{uuid.uuid4().int % 10**5:05d}"
    customer = await make_customer(live_db, name=f"Parallel {uuid.uuid4().hex[:6]} GmbH")
    invoice = await make_open_invoice(live_db, customer, "1000.00", number)
    iban = str(
        IBAN.generate(
            "DE", bank_code="37040044", account_code=str(uuid.uuid4().int % 10**10)
        ).compact
    )
    account = await make_account(live_db, iban=iban)
    await live_db.commit()
    headers = {"Authorization": f"Bearer {await live_token(live_db)}"}
    async with httpx.AsyncClient(base_url=live_server, headers=headers, timeout=60) as client:
        r = await upload(
            client, account.id, camt([entry(amount, f"Teilzahlung {number}")], iban=iban)
        )
        assert r.status_code == 201, r.text
        listed = (
            await client.get("/api/v1/bank-transactions", params={"account_id": str(account.id)})
        ).json()
    [tx] = listed["items"]
    assert tx["state"] == "review"
    return headers, tx["id"], invoice.id


async def _post(
    live_server: str, headers: dict[str, str], url: str, body: Any = None
) -> httpx.Response:
    async with httpx.AsyncClient(base_url=live_server, headers=headers, timeout=60) as own:
        return await own.post(url, json=body)


async def test_two_people_confirming_one_proposal_book_one_payment(
    live_server: str, live_db: AsyncSession
) -> None:
    headers, tx, invoice = await _queued(live_server, live_db, "400.00")
    url = f"/api/v1/bank-transactions/{tx}/confirm"
    responses = await asyncio.gather(
        *(_post(live_server, headers, url, {"proposal": 0}) for _ in range(8))
    )
    codes = Counter(r.status_code for r in responses)
    assert codes == {200: 1, 409: 7}, [r.text for r in responses]
    payments = await live_db.scalar(
        select(func.count()).select_from(Payment).where(Payment.invoice_id == invoice)
    )
    assert payments == 1
    await assert_money_invariant(live_db)


async def test_confirm_and_undo_racing_stay_consistent(
    live_server: str, live_db: AsyncSession
) -> None:
    headers, tx, invoice = await _queued(live_server, live_db, "250.00")
    confirm = f"/api/v1/bank-transactions/{tx}/confirm"
    undo = f"/api/v1/bank-transactions/{tx}/undo"
    for _ in range(3):
        await asyncio.gather(
            _post(live_server, headers, confirm, {"proposal": 0}),
            _post(live_server, headers, undo),
            _post(live_server, headers, confirm, {"proposal": 0}),
        )
    async with httpx.AsyncClient(base_url=live_server, headers=headers, timeout=60) as client:
        state = (await client.get(f"/api/v1/bank-transactions/{tx}")).json()["state"]
    matches = await live_db.scalar(
        select(func.count()).select_from(BankMatch).where(BankMatch.transaction_id == uuid.UUID(tx))
    )
    payments = await live_db.scalar(
        select(func.count()).select_from(Payment).where(Payment.invoice_id == invoice)
    )
    assert payments == matches
    assert (state == "matched") == (matches == 1)
    await assert_money_invariant(live_db)


async def _bill_queued(
    live_server: str, live_db: AsyncSession, amount: str
) -> tuple[dict[str, str], str, uuid.UUID]:
    """A debit in the review queue proposing a partial payment of a fresh supplier bill."""
    number = f"LR-2099-{uuid.uuid4().int % 10**6:06d}"
    iban = str(
        IBAN.generate(
            "DE", bank_code="37040044", account_code=str(uuid.uuid4().int % 10**10)
        ).compact
    )
    account = await make_account(live_db, iban=iban)
    await live_db.commit()
    headers = {"Authorization": f"Bearer {await live_token(live_db)}"}
    async with httpx.AsyncClient(base_url=live_server, headers=headers, timeout=60) as client:
        supplier = await make_supplier(
            client, name=f"Parallel {uuid.uuid4().hex[:6]} GmbH", vat_id=None, iban=None
        )
        body = bill_body(supplier["id"], invoice_number=number)
        bill = (await client.post("/api/v1/supplier-bills", json=body)).json()
        r = await upload(client, account.id, camt([entry(amount, f"Abschlag {number}")], iban=iban))
        assert r.status_code == 201, r.text
        listed = (
            await client.get("/api/v1/bank-transactions", params={"account_id": str(account.id)})
        ).json()
    [tx] = listed["items"]
    assert tx["state"] == "review"
    assert tx["proposals"][0]["allocations"][0]["invoice_id"] == bill["id"]
    return headers, tx["id"], uuid.UUID(bill["id"])


async def _supplier_payments(live_db: AsyncSession, bill: uuid.UUID) -> int:
    return int(
        await live_db.scalar(
            select(func.count()).select_from(SupplierPayment).where(SupplierPayment.bill_id == bill)
        )
        or 0
    )


async def test_two_people_confirming_one_bill_proposal_book_one_supplier_payment(
    live_server: str, live_db: AsyncSession
) -> None:
    headers, tx, bill = await _bill_queued(live_server, live_db, "-100.00")
    url = f"/api/v1/bank-transactions/{tx}/confirm"
    responses = await asyncio.gather(
        *(_post(live_server, headers, url, {"proposal": 0}) for _ in range(8))
    )
    codes = Counter(r.status_code for r in responses)
    assert codes == {200: 1, 409: 7}, [r.text for r in responses]
    assert await _supplier_payments(live_db, bill) == 1
    await assert_money_invariant(live_db)


async def test_bill_confirm_and_undo_racing_stay_consistent(
    live_server: str, live_db: AsyncSession
) -> None:
    headers, tx, bill = await _bill_queued(live_server, live_db, "-60.00")
    confirm = f"/api/v1/bank-transactions/{tx}/confirm"
    undo = f"/api/v1/bank-transactions/{tx}/undo"
    for _ in range(3):
        await asyncio.gather(
            _post(live_server, headers, confirm, {"proposal": 0}),
            _post(live_server, headers, undo),
            _post(live_server, headers, confirm, {"proposal": 0}),
        )
    async with httpx.AsyncClient(base_url=live_server, headers=headers, timeout=60) as client:
        state = (await client.get(f"/api/v1/bank-transactions/{tx}")).json()["state"]
    matches = await live_db.scalar(
        select(func.count()).select_from(BankMatch).where(BankMatch.transaction_id == uuid.UUID(tx))
    )
    assert await _supplier_payments(live_db, bill) == matches
    assert (state == "matched") == (matches == 1)
    await assert_money_invariant(live_db)

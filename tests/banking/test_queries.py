"""No query per transaction: importing, matching and listing cost the same number of SQL
statements for 4 transactions as for 40."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import httpx
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from tests.factories.banking import camt, entry, make_account, make_open_invoice, upload
from tests.factories.records import make_customer


@contextmanager
def counted(engine: AsyncEngine) -> Iterator[list[str]]:
    seen: list[str] = []

    def on_execute(*args: Any) -> None:
        seen.append(args[2])

    event.listen(engine.sync_engine, "before_cursor_execute", on_execute)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", on_execute)


async def _import(
    client: httpx.AsyncClient, db: AsyncSession, engine: AsyncEngine, n: int, iban: str
) -> tuple[int, int]:
    customer = await make_customer(db, name=f"Menge {n} GmbH")
    entries = []
    for i in range(n):
        number = f"RE-2031-{n:02d}{i:03d}"
        await make_open_invoice(db, customer, f"{100 + i}.00", number)
        entries.append(entry(f"{100 + i}.00", number, date(2026, 3, 10)))
        entries.append(entry(f"-{5 + i}.00", "Kartenzahlung", date(2026, 3, 10)))
    account = (await make_account(db, iban=iban)).id
    with counted(engine) as imported:
        r = await upload(client, account, camt(entries, iban=iban))
    assert r.status_code == 201, r.text
    assert r.json()["matching"]["booked_automatically"] == n
    with counted(engine) as listed:
        page = await client.get(
            "/api/v1/bank-transactions", params={"account_id": str(account), "limit": 200}
        )
    assert page.json()["total"] == 2 * n
    # The token's last use is written once in a while; that is not the import's cost.
    # Savepoints are the rolled-back test transaction standing in for the upload's early
    # commit (its connection goes back to the pool before the body streams), not queries.
    mine = [s for s in imported if "api_tokens" not in s and "SAVEPOINT" not in s]
    return len(mine), len(listed)


async def test_statements_do_not_grow_with_transactions(
    as_admin: httpx.AsyncClient, db: AsyncSession, engine: AsyncEngine
) -> None:
    small = await _import(as_admin, db, engine, 2, "DE89370400440532013000")
    large = await _import(as_admin, db, engine, 20, "DE02120300000000202051")
    assert small == large

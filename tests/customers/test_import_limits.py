"""CSV import: parsed off the event loop, and a row cap with a message saying so."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from workmate.customers import csv_io
from workmate.errors import Invalid


def csv_of(rows: int) -> bytes:
    lines = ["name;email;contact_firstname;contact_lastname"]
    lines += [f"Firma {i} GmbH;info{i}@example.de;Anna;Muster{i}" for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


async def test_parsing_lets_the_event_loop_run() -> None:
    data = csv_of(3_000)
    ticks = 0
    done = False

    async def ticker() -> None:
        nonlocal ticks
        while not done:
            await asyncio.sleep(0)
            ticks += 1

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0)
    before = ticks
    customers, _ = await csv_io.parse_off_loop(data)
    during = ticks - before
    done = True
    await task
    assert len(customers) == 3_000
    # Parsed on the loop, no other task could run until it was done.
    assert during > 1


async def test_more_rows_than_the_cap_are_refused_with_a_message(
    db: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(csv_io, "MAX_ROWS", 5)
    assert (await csv_io.import_csv(db, None, csv_of(5))).customers == 5
    with pytest.raises(Invalid, match="more than 5 rows") as refused:
        await csv_io.import_csv(db, None, csv_of(6))
    assert refused.value.field == "file"


async def test_the_cap_over_http(
    as_manager: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(csv_io, "MAX_ROWS", 2)
    files = {"file": ("k.csv", csv_of(3), "text/csv")}
    answer = await as_manager.post("/api/v1/customers/import", files=files)
    assert answer.status_code == 422
    assert answer.json()["field"] == "file"
    assert "more than 2 rows" in answer.json()["detail"]

"""The floor: the least an HTTP endpoint can do for "GET one customer" on this machine.

FastAPI + uvicorn + a raw asyncpg pool, no ORM, no authentication, no error mapping. The
harness serves it with the same worker count and pool size as Workmate; the ratio of an
endpoint's requests/s to this one's is what the benchmark reports.

    BENCH_DATABASE_URL=postgresql://... uvicorn bench.floor:app --workers 2
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from fastapi import FastAPI, HTTPException

POOL_SIZE = int(os.environ.get("WORKMATE_POOL_SIZE", "10"))
QUERY = (
    "SELECT id, number, name, type, email, phone, tax_id, address, street, postal_code, city, "
    "country, created_at, updated_at FROM customers WHERE id = $1"
)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    app.state.pool = await asyncpg.create_pool(
        os.environ["BENCH_DATABASE_URL"], min_size=1, max_size=POOL_SIZE
    )
    try:
        yield
    finally:
        await app.state.pool.close()


app = FastAPI(lifespan=lifespan)


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/customers/{customer_id}")
async def get_customer(customer_id: uuid.UUID) -> dict[str, Any]:
    row = await app.state.pool.fetchrow(QUERY, customer_id)
    if row is None:
        raise HTTPException(404)
    return dict(row)

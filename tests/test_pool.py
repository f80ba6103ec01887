"""The first request after PostgreSQL dropped the idle pooled connections still succeeds."""

from __future__ import annotations

import asyncio

import httpx
from sqlalchemy import text
from sqlalchemy.pool import NullPool

from workmate.app import create_app
from workmate.db import make_engine


async def test_requests_after_the_server_ended_every_pooled_connection(database_url: str) -> None:
    engine = make_engine(database_url, pool_size=2, max_overflow=0, ping_after_idle_seconds=0.5)
    killer = make_engine(database_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    app = create_app(engine=engine, check=False)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            for _ in range(2):
                assert (await client.get("/healthz")).status_code == 200
            pids = []
            async with engine.connect() as a, engine.connect() as b:
                for conn in (a, b):
                    pids.append(await conn.scalar(text("SELECT pg_backend_pid()")))
            async with killer.connect() as conn:
                for pid in pids:
                    assert await conn.scalar(text("SELECT pg_terminate_backend(:p)"), {"p": pid})
            await asyncio.sleep(0.6)  # the connections have idled in the pool
            answers = [(await client.get("/healthz")).status_code for _ in range(3)]
            assert answers == [200, 200, 200]
    finally:
        await engine.dispose()
        await killer.dispose()

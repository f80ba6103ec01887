"""/metrics of `workmate serve --workers 2` counts the requests of both processes, whichever
process answers the scrape."""

from __future__ import annotations

import asyncio
import re
import uuid
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import TEMPLATE, _nullpool, _recreate, free_port
from tests.factories.identity import make_employee
from tests.ops.hosts import start_host, stop
from workmate.auth.service import auth_service
from workmate.db import make_engine

pytestmark = pytest.mark.live
HEALTHZ = re.compile(
    r'^workmate_http_requests_total\{method="GET",route="/healthz",status="200"\} (\S+)$', re.M
)


@pytest.fixture
def metrics_database_url(server_url: str) -> str:
    return _recreate(server_url, f"wm_test_metrics_{uuid.uuid4().hex[:6]}", TEMPLATE)


async def test_counts_add_up_across_server_processes(
    metrics_database_url: str, tmp_path: Path
) -> None:
    engine = make_engine(metrics_database_url, poolclass=_nullpool())
    async with AsyncSession(engine, expire_on_commit=False) as db:
        admin = await make_employee(db, "Admin")
        token = (await auth_service.create_token(db, admin.id, "monitoring")).secret
        await db.commit()
    await engine.dispose()
    port = free_port()
    proc = await asyncio.to_thread(
        start_host,
        metrics_database_url,
        port,
        tmp_path / "host",
        workers=2,
        WORKMATE_JOBS_IN_PROCESS="false",
    )
    base = f"http://127.0.0.1:{port}"
    try:
        # New connections each time, so the kernel spreads them over both processes.
        for _ in range(40):
            async with httpx.AsyncClient() as client:
                assert (await client.get(f"{base}/healthz")).status_code == 200
        seen = set()
        for _ in range(6):
            async with httpx.AsyncClient(headers={"Authorization": f"Bearer {token}"}) as c:
                text = (await c.get(f"{base}/metrics")).text
            found = HEALTHZ.search(text)
            assert found is not None, text[:2000]
            seen.add(float(found.group(1)))
        # Every scrape saw at least the 40 requests (plus the start-up health checks), never
        # only the share of the process that answered.
        assert min(seen) >= 40
    finally:
        await asyncio.to_thread(stop, proc)

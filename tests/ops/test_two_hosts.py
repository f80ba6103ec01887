"""Two app hosts, as behind a load balancer: two `workmate serve` processes with separate data
folders on one PostgreSQL and one S3 store (SeaweedFS). A document uploaded through one is
downloaded through the other, a chat message posted on one reaches a socket on the other, a
periodic job runs once per period, and a login session works on both."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio
import websockets
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tests import s3server
from tests.conftest import RUN_ID, TEMPLATE, _nullpool, _recreate, free_port
from tests.factories.crm import new_project
from tests.factories.documents import PDF, multipart
from tests.factories.identity import PASSWORD, make_employee
from tests.jobs.tasks import EFFECTS_DDL
from tests.ops.hosts import start_host, stop
from workmate.auth.deps import SESSION_COOKIE
from workmate.auth.service import auth_service
from workmate.db import make_engine

pytestmark = pytest.mark.live
TIMEOUT = 15


@pytest.fixture(scope="module")
def hosts_database_url(server_url: str) -> str:
    return _recreate(server_url, f"wm_test_hosts_{uuid.uuid4().hex[:6]}", TEMPLATE)


@pytest_asyncio.fixture(scope="module")
async def cluster(
    tmp_path_factory: pytest.TempPathFactory, hosts_database_url: str
) -> AsyncIterator[Any]:
    database_url = hosts_database_url
    engine = make_engine(database_url, poolclass=_nullpool())
    async with engine.begin() as conn:
        for ddl in EFFECTS_DDL:
            await conn.execute(text(ddl))
    async with AsyncSession(engine, expire_on_commit=False) as db:
        admin = await make_employee(db, "Admin")
        project = await new_project(db)
        token = (await auth_service.create_token(db, admin.id, "two hosts")).secret
        await db.commit()
    bucket = s3server.bucket(RUN_ID)
    env = {
        "WORKMATE_STORAGE_URL": f"s3://{bucket.bucket}/hosts-{uuid.uuid4().hex[:8]}",
        "WORKMATE_S3_ENDPOINT_URL": bucket.endpoint,
        "WORKMATE_S3_REGION": "us-east-1",
        "WORKMATE_S3_ACCESS_KEY_ID": s3server.KEYS["aws_access_key_id"],
        "WORKMATE_S3_SECRET_ACCESS_KEY": s3server.KEYS["aws_secret_access_key"],
        # Each host runs an in-process job worker; the test's every-second periodic task
        # shows that a period's job runs once although two workers could take it.
        "WORKMATE_JOBS_IN_PROCESS": "true",
        "WORKMATE_JOB_MODULES": "tests.jobs.tasks,tests.jobs.periodic_tasks",
        "WORKMATE_JOB_POLL_SECONDS": "0.3",
        # A job runs at least once: one whose worker looks dead is run again. On a loaded CI
        # machine a live worker's heartbeat can lag; this test is about periods, not crashes.
        "WORKMATE_JOB_STALLED_SECONDS": "600",
    }
    root = tmp_path_factory.mktemp("hosts")
    ports = [free_port(), free_port()]
    procs = await asyncio.gather(
        *(
            asyncio.to_thread(start_host, database_url, port, root / f"host{n}", **env)
            for n, port in enumerate(ports)
        )
    )
    try:
        yield {
            "a": f"http://127.0.0.1:{ports[0]}",
            "b": f"http://127.0.0.1:{ports[1]}",
            "token": token,
            "email": admin.email,
            "project": project.id,
            "engine": engine,
            "dirs": [root / "host0", root / "host1"],
        }
    finally:
        for proc in procs:
            await asyncio.to_thread(stop, proc)
        await engine.dispose()


def bearer(cluster: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {cluster['token']}"}


async def test_upload_on_one_host_downloads_on_the_other(cluster: Any) -> None:
    content = PDF + uuid.uuid4().hex.encode()
    body, headers = multipart(content, filename="Vertrag.pdf")
    async with httpx.AsyncClient(headers=bearer(cluster), timeout=30) as client:
        made = await client.post(f"{cluster['a']}/api/v1/documents", content=body, headers=headers)
        assert made.status_code == 201, made.text
        got = await client.get(f"{cluster['b']}/api/v1/documents/{made.json()['id']}/download")
    assert got.status_code == 200, got.text
    assert got.content == content
    # Neither host keeps the file in its own data folder: it lives in the shared S3 store.
    for folder in cluster["dirs"]:
        assert not (folder / "files").exists()


async def test_chat_message_posted_on_one_host_reaches_a_socket_on_the_other(cluster: Any) -> None:
    ws = cluster["b"].replace("http://", "ws://") + f"/api/v1/projects/{cluster['project']}/chat/ws"
    async with websockets.connect(ws, additional_headers=bearer(cluster)) as on_b:
        async with httpx.AsyncClient(headers=bearer(cluster), timeout=30) as client:
            posted = await client.post(
                f"{cluster['a']}/api/v1/projects/{cluster['project']}/messages",
                json={"message": "Hallo von Host A"},
            )
        assert posted.status_code == 201, posted.text
        event = json.loads(await asyncio.wait_for(on_b.recv(), TIMEOUT))
    assert event["message"]["message"] == "Hallo von Host A"


async def test_a_login_session_works_on_both_hosts(cluster: Any) -> None:
    async with httpx.AsyncClient(timeout=30) as client:
        login = await client.post(
            f"{cluster['a']}/api/v1/auth/login",
            json={"email": cluster["email"], "password": PASSWORD},
        )
        assert login.status_code == 200, login.text
        cookie = {"Cookie": f"{SESSION_COOKIE}={login.cookies[SESSION_COOKIE]}"}
        for host in ("a", "b"):
            me = await client.get(f"{cluster[host]}/api/v1/auth/me", headers=cookie)
            assert me.status_code == 200, (host, me.text)
            assert me.json()["email"] == cluster["email"]


async def test_a_periodic_job_runs_once_per_period_across_hosts(cluster: Any) -> None:
    engine = cluster["engine"]
    deadline = time.monotonic() + 90
    periods = 0
    while time.monotonic() < deadline and periods < 4:
        async with engine.connect() as conn:
            periods = int(await conn.scalar(text("SELECT count(DISTINCT ts) FROM test_job_ticks")))
        await asyncio.sleep(0.5)
    assert periods >= 4, "the periodic job did not run"
    async with engine.connect() as conn:
        twice = (
            await conn.execute(
                text(
                    "SELECT ts, array_agg(worker) FROM test_job_ticks GROUP BY ts "
                    "HAVING count(*) > 1"
                )
            )
        ).all()
        if twice:
            jobs = (
                await conn.execute(
                    text(
                        "SELECT j.id, j.status::text, j.attempts, d.defer_timestamp, "
                        "(SELECT array_agg(e.type::text || '@' || e.at::text ORDER BY e.id) "
                        " FROM procrastinate_events e WHERE e.job_id = j.id) "
                        "FROM procrastinate_jobs j "
                        "LEFT JOIN procrastinate_periodic_defers d ON d.job_id = j.id "
                        "WHERE j.task_name = 'test.tick' AND j.args->>'timestamp' = ANY(:ts)"
                    ),
                    {"ts": [str(t) for t, _ in twice]},
                )
            ).all()
            pytest.fail(f"ran twice: {twice}; their jobs: {jobs}")
        workers = int(await conn.scalar(text("SELECT count(DISTINCT worker) FROM test_job_ticks")))
    assert twice == []
    assert workers >= 1

"""Slow uploads cannot take the service down: no connection or row lock while a body streams,
a cap per employee across processes, a time limit on the body (workmate.uploads)."""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import free_port, start_server
from tests.factories.documents import BOUNDARY, PDF, multipart
from tests.factories.invoicing import live_token
from workmate.config import Settings, get_settings
from workmate.models import Employee, UploadSlot
from workmate.uploads import give_back, take_slot


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    current = get_settings()
    monkeypatch.setattr(current, "data_dir", tmp_path / "data")
    return current


async def slots_of(app: Any, employee_id: uuid.UUID) -> int:
    async with app.state.sessionmaker() as s:
        count = await s.scalar(
            select(func.count())
            .select_from(UploadSlot)
            .where(UploadSlot.employee_id == employee_id)
        )
    return int(count or 0)


async def test_uploads_beyond_the_cap_are_429_and_slots_come_back(
    app: Any,
    as_employee: httpx.AsyncClient,
    employee: Employee,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(settings, "uploads_per_user", 1)
    employee_id = employee.id
    body, headers = multipart(PDF, filename="a.pdf")
    held = await take_slot(app.state.sessionmaker, employee_id, 1, _minutes(5))
    assert held is not None
    refused = await as_employee.post("/api/v1/documents", content=body, headers=headers)
    assert refused.status_code == 429, refused.text
    assert refused.headers["Retry-After"]
    await give_back(app.state.sessionmaker, held)
    accepted = await as_employee.post("/api/v1/documents", content=body, headers=headers)
    assert accepted.status_code == 201, accepted.text
    assert await slots_of(app, employee_id) == 0


async def test_a_body_slower_than_the_limit_is_408(
    app: Any,
    as_employee: httpx.AsyncClient,
    employee: Employee,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(settings, "upload_body_seconds", 0.2)
    employee_id = employee.id
    body, headers = multipart(PDF, filename="slow.pdf")

    async def trickle() -> AsyncIterator[bytes]:
        yield body[:100]
        await asyncio.sleep(1.0)
        yield body[100:]

    answer = await as_employee.post("/api/v1/documents", content=trickle(), headers=headers)
    assert answer.status_code == 408, answer.text
    assert answer.json()["error"] == "RequestTimeout"
    assert await slots_of(app, employee_id) == 0


def _minutes(n: int) -> Any:
    from datetime import timedelta

    return timedelta(minutes=n)


# ---- a real server with a small pool: the bounded load test of issue 13, item 12 ----

POOL = 2  # pool_size 2 + overflow 2: four connections in all
SLOW = 12  # slow uploads of one employee, three times the connections
CAP = 12


@pytest.fixture(scope="module")
def small_server(live_database_url: str) -> Iterator[str]:
    patch = pytest.MonkeyPatch()
    patch.setenv("WORKMATE_POOL_SIZE", str(POOL))
    patch.setenv("WORKMATE_UPLOADS_PER_USER", str(CAP))
    patch.setenv("WORKMATE_JOBS_IN_PROCESS", "false")
    port = free_port()
    try:
        proc = start_server(live_database_url, port)
    finally:
        patch.undo()
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(10)


class SlowUpload:
    """Headers and the start of a multipart body, then one byte now and then, never the end."""

    def __init__(self, base: str, token: str) -> None:
        self.base = base
        self.token = token
        self.writer: asyncio.StreamWriter | None = None
        self.reader: asyncio.StreamReader | None = None

    async def start(self) -> None:
        host, port = self.base.removeprefix("http://").split(":")
        self.reader, self.writer = await asyncio.open_connection(host, int(port))
        head = (
            f"--{BOUNDARY}\r\n"
            'Content-Disposition: form-data; name="file"; filename="slow.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode() + PDF[:64]
        self.writer.write(
            (
                "POST /api/v1/documents HTTP/1.1\r\n"
                f"Host: {host}\r\n"
                f"Authorization: Bearer {self.token}\r\n"
                f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
                "Content-Length: 1000000\r\n\r\n"
            ).encode()
            + head
        )
        await self.writer.drain()

    async def trickle(self) -> None:
        assert self.writer is not None
        self.writer.write(b"x")
        await self.writer.drain()

    async def status(self) -> int | None:
        """The status line if the server answered already (429 for one over the cap)."""
        assert self.reader is not None
        try:
            line = await asyncio.wait_for(self.reader.readline(), 0.05)
        except TimeoutError:
            return None
        return int(line.split()[1]) if line else None

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


@pytest.mark.live
async def test_slow_uploads_of_one_user_leave_everyone_else_served(
    small_server: str, live_db: AsyncSession
) -> None:
    uploader = await live_token(live_db, "Employee")
    other = await live_token(live_db, "Manager")
    slow = [SlowUpload(small_server, uploader) for _ in range(SLOW)]
    one_more = SlowUpload(small_server, uploader)
    waits: list[float] = []
    try:
        for upload in slow:
            await upload.start()
        # Wait until every upload is authenticated and streaming (holds its slot).
        for _ in range(600):
            live_db.expire_all()
            if await live_db.scalar(select(func.count()).select_from(UploadSlot)) == SLOW:
                break
            await asyncio.sleep(0.1)
        await one_more.start()
        # Nothing the uploads hold is needed by anyone else: another user's reads, the health
        # check and the uploader's own token answer while every upload still streams.
        async with httpx.AsyncClient(base_url=small_server, timeout=60) as client:
            for round_ in range(10):
                for upload in slow:
                    await upload.trickle()
                for url, token in (
                    ("/api/v1/customers", other),
                    ("/healthz", other),
                    ("/api/v1/auth/me", uploader),
                ):
                    started = time.perf_counter()
                    answer = await client.get(url, headers={"Authorization": f"Bearer {token}"})
                    waits.append(time.perf_counter() - started)
                    assert answer.status_code == 200, (round_, url, answer.text)
        # The cap counts across processes in PostgreSQL: the one upload too many was refused.
        assert await one_more.status() == 429
        assert [await u.status() for u in slow] == [None] * SLOW
        live = await live_db.scalar(select(func.count()).select_from(UploadSlot))
        assert live == SLOW
        busy = await live_db.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND application_name = 'workmate' AND state LIKE 'idle in transaction%'"
            )
        )
        assert busy == 0
    finally:
        for upload in [*slow, one_more]:
            upload.close()
    # A client that goes away gives its slot back (the server sees the disconnect).
    for _ in range(300):
        live_db.expire_all()
        if not await live_db.scalar(select(func.count()).select_from(UploadSlot)):
            break
        await asyncio.sleep(0.1)
    assert await live_db.scalar(select(func.count()).select_from(UploadSlot)) == 0
    print(
        f"\n{SLOW} slow uploads on a pool of {2 * POOL}: other requests answered in "
        f"median {statistics.median(waits) * 1000:.1f} ms, max {max(waits) * 1000:.1f} ms"
    )

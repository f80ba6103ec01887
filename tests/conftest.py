"""Test infrastructure: real PostgreSQL, one migrated database per xdist worker, every test in
a transaction that is rolled back at the end.

Server: WORKMATE_TEST_DATABASE_URL (a libpq URL to any database on the server; we create our
own databases next to it) or, unset, the embedded PostgreSQL in .pytest-pg/.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
import pytest_asyncio
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from workmate.app import create_app
from workmate.db import get_session, make_engine, transaction

ROOT = Path(__file__).resolve().parents[1]
SERVER_ENV = "WORKMATE_TEST_DATABASE_URL"
# Database names carry a per-run id, so two test runs on one server never drop each other's
# databases; the controller passes it to its xdist workers through the environment.
RUN_ENV = "WORKMATE_TEST_RUN_ID"
RUN_ID = os.environ.setdefault(RUN_ENV, f"{os.getpid()}")
TEMPLATE = f"wm_test_{RUN_ID}_template"


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _admin(url: str, *statements: str) -> None:
    async def go() -> None:
        engine = make_engine(url, isolation_level="AUTOCOMMIT", poolclass=_nullpool())
        async with engine.connect() as conn:
            for statement in statements:
                await conn.execute(text(statement))
        await engine.dispose()

    asyncio.run(go())


def _nullpool() -> Any:
    from sqlalchemy.pool import NullPool

    return NullPool


def run_scoped(name: str) -> str:
    """wm_test_x -> wm_test_<run id>_x: every database a test makes belongs to this run."""
    prefix = f"wm_test_{RUN_ID}_"
    if name.startswith("wm_test_") and not name.startswith(prefix):
        return prefix + name.removeprefix("wm_test_")
    return name


def _recreate(server_url: str, name: str, template: str | None = None) -> str:
    name = run_scoped(name)
    _admin(
        server_url,
        f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'",
        f'DROP DATABASE IF EXISTS "{name}"',
        f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""),
    )
    return with_database(server_url, name)


def pytest_configure(config: pytest.Config) -> None:
    if hasattr(config, "workerinput"):
        return  # xdist workers inherit what the controller prepared
    os.environ.setdefault("WORKMATE_DATA_DIR", str(ROOT / ".pytest-data"))
    os.environ["WORKMATE_JOBS_IN_PROCESS"] = "false"
    # The in-process client talks plain http to "http://test"; real Secure-by-default cookies
    # are tested in tests/test_headers.py.
    os.environ.setdefault("WORKMATE_COOKIE_SECURE", "false")
    if not os.environ.get(SERVER_ENV):
        from workmate import embedded

        os.environ[SERVER_ENV] = embedded.start(ROOT / ".pytest-pg", database="postgres")
    server = os.environ[SERVER_ENV]
    from workmate.migrate import upgrade

    template_url = _recreate(server, TEMPLATE)
    upgrade(template_url)


def pytest_unconfigure(config: pytest.Config) -> None:
    """The controller drops every database of this run (workers have closed theirs) and stops
    the S3 server if this run started it."""
    if hasattr(config, "workerinput"):
        return
    from tests import s3server

    s3server.stop_if_ours(RUN_ID)
    if not os.environ.get(SERVER_ENV):
        return

    async def drop_all() -> None:
        server = os.environ[SERVER_ENV]
        engine = make_engine(server, isolation_level="AUTOCOMMIT", poolclass=_nullpool())
        async with engine.connect() as conn:
            names = (
                (
                    await conn.execute(
                        text("SELECT datname FROM pg_database WHERE datname LIKE :p"),
                        {"p": f"wm_test_{RUN_ID}_%"},
                    )
                )
                .scalars()
                .all()
            )
            for name in names:
                await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await engine.dispose()

    try:
        asyncio.run(drop_all())
    except Exception as exc:  # leftovers are harmless; never fail a green run over cleanup
        print(f"note: could not drop test databases: {exc}")


def worker_name(config: pytest.Config) -> str:
    workerinput = getattr(config, "workerinput", None)
    return workerinput["workerid"] if workerinput else "main"


@pytest.fixture(scope="session")
def server_url() -> str:
    return os.environ[SERVER_ENV]


@pytest.fixture(scope="session")
def database_url(request: pytest.FixtureRequest, server_url: str) -> str:
    """This worker's database, a copy of the migrated template."""
    return _recreate(server_url, f"wm_test_{worker_name(request.config)}", TEMPLATE)


@pytest_asyncio.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    eng = make_engine(database_url, pool_size=2)
    yield eng
    await eng.dispose()


@pytest_asyncio.fixture
async def db(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    """A session whose every commit is a savepoint inside one transaction, rolled back."""
    async with engine.connect() as conn:
        outer = await conn.begin()
        session = AsyncSession(
            bind=conn,
            join_transaction_mode="create_savepoint",
            expire_on_commit=False,
            autoflush=False,
        )
        try:
            yield session
        finally:
            await session.close()
            await outer.rollback()


@pytest_asyncio.fixture
async def app(engine: AsyncEngine, db: AsyncSession) -> Any:
    """The real app; each request runs in its own savepoint of the test's transaction."""
    application = create_app(engine=engine, check=False)

    async def test_session() -> AsyncIterator[AsyncSession]:
        # Commit first (a savepoint release; the outer transaction still rolls back at the
        # end), so a refused request undoes only its own work, not the rows the test set up.
        await db.commit()
        async with transaction(db):
            yield db

    application.dependency_overrides[get_session] = test_session
    return application


@pytest_asyncio.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    """An anonymous client."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    ) as c:
        yield c


# ---- a real server on a committed database, for concurrency and multi-process tests ----


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def live_database_url(request: pytest.FixtureRequest, server_url: str) -> str:
    """A second database for this worker whose writes are committed (never rolled back)."""
    return _recreate(server_url, f"wm_test_{worker_name(request.config)}_live", TEMPLATE)


def start_server(database_url: str, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "WORKMATE_DATABASE_URL": database_url}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "workmate.app:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    # Generous: on a busy machine importing the app alone can take half a minute.
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError("server did not start in 120 s")


@pytest.fixture(scope="session")
def live_server(live_database_url: str) -> Iterator[str]:
    """Base URL of a real Workmate process on the committed database."""
    port = free_port()
    proc = start_server(live_database_url, port)
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(10)


@pytest_asyncio.fixture
async def live_db(live_database_url: str) -> AsyncIterator[AsyncSession]:
    """A session on the live database; commit to make rows visible to the live server."""
    engine = make_engine(live_database_url, poolclass=_nullpool())
    async with AsyncSession(engine, expire_on_commit=False) as session:
        yield session
    await engine.dispose()


from tests.factories.identity import *  # noqa: E402, F403  (fixtures)

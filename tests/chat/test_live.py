"""Live delivery: two app processes on one database; LISTEN/NOTIFY carries messages between them."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import websockets
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import free_port, start_server
from tests.factories.crm import new_project
from tests.factories.identity import make_employee, make_role
from workmate.auth.deps import SESSION_COOKIE
from workmate.auth.service import auth_service
from workmate.models import Department

pytestmark = [pytest.mark.asyncio, pytest.mark.live]

# Generous bound for a loaded CI machine; delivery normally takes milliseconds.
TIMEOUT = 10


@pytest.fixture(scope="module")
def two_servers(live_database_url: str) -> Iterator[tuple[str, str]]:
    ports = [free_port(), free_port()]
    procs = []
    try:
        for port in ports:
            procs.append(start_server(live_database_url, port))
        yield str(ports[0]), str(ports[1])
    finally:
        for p in procs:
            p.terminate()
            p.wait(10)


@pytest.fixture
async def setup(live_db: AsyncSession) -> dict[str, Any]:
    dev = await live_db.scalar(select(Department).where(Department.name == "Development"))
    assert dev is not None
    author = await make_employee(live_db, department_id=dev.id)
    reader = await make_employee(live_db, department_id=dev.id)
    outsider = await make_employee(live_db)
    project = await new_project(live_db, department_id=dev.id)
    tokens = {
        name: (await auth_service.create_token(live_db, who.id, "live")).secret
        for name, who in (("author", author), ("reader", reader), ("outsider", outsider))
    }
    session = await auth_service.start_session(live_db, reader.id)
    await live_db.commit()
    return {"project": project.id, "tokens": tokens, "cookie": session.cookie}


def ws_url(port: str, project: Any) -> str:
    return f"ws://127.0.0.1:{port}/api/v1/projects/{project}/chat/ws"


async def post(port: str, token: str, project: Any, text: str) -> httpx.Response:
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {token}"}) as c:
        return await c.post(
            f"http://127.0.0.1:{port}/api/v1/projects/{project}/messages", json={"message": text}
        )


async def test_message_posted_on_one_process_arrives_on_the_other(
    two_servers: tuple[str, str], setup: dict[str, Any]
) -> None:
    a, b = two_servers
    project, tokens = setup["project"], setup["tokens"]
    headers = {"Authorization": f"Bearer {tokens['reader']}"}
    async with (
        websockets.connect(ws_url(b, project), additional_headers=headers) as on_b,
        websockets.connect(ws_url(a, project), additional_headers=headers) as on_a,
    ):
        r = await post(a, tokens["author"], project, "Grüße von A")
        assert r.status_code == 201, r.text
        for socket in (on_b, on_a):
            event = json.loads(await asyncio.wait_for(socket.recv(), TIMEOUT))
            assert event["type"] == "message"
            assert event["message"]["message"] == "Grüße von A"
            assert event["message"]["id"] == r.json()["id"]


async def test_session_cookie_authenticates_the_socket(
    two_servers: tuple[str, str], setup: dict[str, Any]
) -> None:
    a, b = two_servers
    project = setup["project"]
    cookie = {"Cookie": f"{SESSION_COOKIE}={setup['cookie']}"}
    async with websockets.connect(ws_url(b, project), additional_headers=cookie) as socket:
        r = await post(a, setup["tokens"]["author"], project, "per Cookie")
        assert r.status_code == 201
        event = json.loads(await asyncio.wait_for(socket.recv(), TIMEOUT))
        assert event["message"]["message"] == "per Cookie"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong"},
    ],
)
async def test_socket_without_valid_credentials_is_refused(
    two_servers: tuple[str, str], setup: dict[str, Any], headers: dict[str, str]
) -> None:
    with pytest.raises(websockets.exceptions.InvalidStatus):
        async with websockets.connect(
            ws_url(two_servers[0], setup["project"]), additional_headers=headers
        ):
            pass


async def test_cross_site_cookie_socket_is_refused(
    two_servers: tuple[str, str], setup: dict[str, Any]
) -> None:
    headers = {"Cookie": f"{SESSION_COOKIE}={setup['cookie']}"}
    with pytest.raises(websockets.exceptions.InvalidStatus):
        async with websockets.connect(
            ws_url(two_servers[0], setup["project"]),
            additional_headers=headers,
            origin="http://evil.example",  # type: ignore[arg-type]
        ):
            pass


async def test_outsider_socket_is_closed(
    two_servers: tuple[str, str], setup: dict[str, Any]
) -> None:
    headers = {"Authorization": f"Bearer {setup['tokens']['outsider']}"}
    with pytest.raises(
        (websockets.exceptions.InvalidStatus, websockets.exceptions.ConnectionClosed)
    ):
        async with websockets.connect(
            ws_url(two_servers[0], setup["project"]), additional_headers=headers
        ) as socket:
            await asyncio.wait_for(socket.recv(), TIMEOUT)


# ---- access ends while a socket is open (issue 13, item 8) ----


async def _ended(live_db: AsyncSession, statement: str, params: dict[str, Any]) -> None:
    await live_db.execute(text(statement), params)
    await live_db.commit()


CHANGES = {
    "logout": "UPDATE auth_sessions SET revoked_at = now() WHERE employee_id = :reader",
    "token revoked": "UPDATE api_tokens SET revoked_at = now() WHERE employee_id = :reader",
    "deactivated": "UPDATE employees SET is_active = false WHERE id = :reader",
    "role without chat": "UPDATE employees SET role_id = :role WHERE id = :reader",
    "off the project": "UPDATE employees SET department_id = NULL WHERE id = :reader",
}


@pytest.mark.parametrize("change", list(CHANGES))
async def test_an_open_socket_is_closed_once_access_ends(
    two_servers: tuple[str, str], live_db: AsyncSession, change: str
) -> None:
    a, b = two_servers
    dev = await live_db.scalar(select(Department).where(Department.name == "Development"))
    assert dev is not None
    author = await make_employee(live_db, department_id=dev.id)
    reader = await make_employee(live_db, department_id=dev.id)
    project = await new_project(live_db, department_id=dev.id)
    no_chat = await make_role(live_db, projects=["read"])
    author_token = (await auth_service.create_token(live_db, author.id, "live")).secret
    if change == "logout":
        cookie = (await auth_service.start_session(live_db, reader.id)).cookie
        headers = {"Cookie": f"{SESSION_COOKIE}={cookie}"}
    else:
        secret = (await auth_service.create_token(live_db, reader.id, "live")).secret
        headers = {"Authorization": f"Bearer {secret}"}
    params = {"reader": reader.id, "role": no_chat.id}
    project_id = project.id
    await live_db.commit()
    async with websockets.connect(ws_url(b, project_id), additional_headers=headers) as socket:
        r = await post(a, author_token, project_id, "vorher")
        assert r.status_code == 201, r.text
        event = json.loads(await asyncio.wait_for(socket.recv(), TIMEOUT))
        assert event["message"]["message"] == "vorher"
        await _ended(live_db, CHANGES[change], params)
        assert (await post(a, author_token, project_id, "nachher")).status_code == 201
        with pytest.raises(websockets.exceptions.ConnectionClosed) as closed:
            await asyncio.wait_for(socket.recv(), TIMEOUT)
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 1008

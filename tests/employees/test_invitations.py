"""Invitations: a one-time set-password link, stored hashed, 7 days, revoked by a new one."""

from __future__ import annotations

import hashlib
import re
import uuid
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.identity import make_employee
from tests.web.test_login import login_form
from workmate.models import Employee, Invitation

API = "/api/v1"
NEW_PASSWORD = "ein ganz neues passwort"


async def invite(client: httpx.AsyncClient, employee: Employee) -> str:
    r = await client.post(f"{API}/employees/{employee.id}/invitation")
    assert r.status_code == 201, r.text
    url = r.json()["url"]
    assert re.fullmatch(r"http://test/invitation/[\w-]{40,}", url), url
    return url.removeprefix("http://test")


async def test_link_works_once_and_is_stored_hashed(
    app: Any, as_admin: httpx.AsyncClient, client: httpx.AsyncClient, db: AsyncSession
) -> None:
    newcomer = await make_employee(db, password_hash=None)
    path = await invite(as_admin, newcomer)
    secret = path.rsplit("/", 1)[1]
    rows = (await db.scalars(select(Invitation))).all()
    assert [r.token_hash for r in rows] == [hashlib.sha256(secret.encode()).hexdigest()]
    assert secret not in str([(r.token_hash, r.id) for r in rows])
    page = await client.get(path)
    assert page.status_code == 200
    assert 'name="password_again"' in page.text
    await db.commit()  # refusals roll their request back; the invitation must survive
    differ = await client.post(path, data={"password": NEW_PASSWORD, "password_again": "x"})
    assert differ.status_code == 422
    assert 'id="e-password_again"' in differ.text
    short = await client.post(path, data={"password": "kurz", "password_again": "kurz"})
    assert short.status_code == 422
    assert 'id="e-password"' in short.text
    done = await client.post(path, data={"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert done.status_code == 303, done.text
    assert done.headers["location"] == "/login?welcome=1"
    token = await login_form(client)
    login = await client.post(
        "/login", data={"email": newcomer.email, "password": NEW_PASSWORD, "csrf_token": token}
    )
    assert login.status_code == 303, login.text
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as stranger:
        again = await stranger.post(
            path, data={"password": "noch ein passwort", "password_again": "noch ein passwort"}
        )
    assert again.status_code == 410
    assert "ungültig" in again.text


async def test_expired_or_replaced_link_is_refused(
    as_admin: httpx.AsyncClient, client: httpx.AsyncClient, db: AsyncSession
) -> None:
    newcomer = await make_employee(db, password_hash=None)
    first = await invite(as_admin, newcomer)
    second = await invite(as_admin, newcomer)
    assert (await client.get(first)).status_code == 410
    assert (await client.get(second)).status_code == 200
    await db.execute(
        update(Invitation)
        .where(Invitation.revoked_at.is_(None))
        .values(expires_at=Invitation.created_at - timedelta(seconds=1))
    )
    assert (await client.get(second)).status_code == 410
    form = {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD}
    assert (await client.post(second, data=form)).status_code == 410
    await db.refresh(newcomer)
    assert newcomer.password_hash is None
    assert (await client.get("/invitation/" + "x" * 43)).status_code == 410


async def test_only_employee_managers_invite(
    as_employee: httpx.AsyncClient, as_admin: httpx.AsyncClient, db: AsyncSession
) -> None:
    newcomer = await make_employee(db, password_hash=None)
    r = await as_employee.post(f"{API}/employees/{newcomer.id}/invitation")
    assert r.status_code == 403
    r = await as_admin.post(f"{API}/employees/{uuid.uuid4()}/invitation")
    assert r.status_code == 404


async def test_the_link_uses_the_public_address_when_one_is_set(
    as_admin: httpx.AsyncClient, db: AsyncSession, monkeypatch: Any
) -> None:
    from workmate.config import get_settings

    monkeypatch.setattr(get_settings(), "public_url", "https://workmate.firma.example/")
    newcomer = await make_employee(db, password_hash=None)
    r = await as_admin.post(f"{API}/employees/{newcomer.id}/invitation")
    assert r.status_code == 201, r.text
    assert re.fullmatch(r"https://workmate\.firma\.example/invitation/[\w-]{40,}", r.json()["url"])

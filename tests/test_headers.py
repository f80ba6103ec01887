"""Headers of every answer: nosniff, no-store on the API, Secure cookies by default, and the
API docs from installed files under a Content-Security-Policy (workmate.headers, api_docs)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.identity import PASSWORD, make_employee
from workmate.app import create_app
from workmate.db import get_session
from workmate.headers import cookies_secure


@pytest.mark.parametrize("url", ["/api/v1/auth/me", "/api/v1/nothing-here", "/healthz"])
async def test_api_answers_are_nosniff_and_no_store(as_admin: httpx.AsyncClient, url: str) -> None:
    answer = await as_admin.get(url)
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["cache-control"] == "no-store"


async def test_a_route_keeps_its_own_cache_control(client: httpx.AsyncClient) -> None:
    answer = await client.get("/static/app.css")
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "public, max-age=3600"
    assert answer.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_docs_pages_load_only_our_own_files(client: httpx.AsyncClient, page: str) -> None:
    answer = await client.get(page)
    assert answer.status_code == 200
    csp = answer.headers["content-security-policy"]
    assert "script-src 'self';" in csp
    assert "frame-ancestors 'none'" in csp
    assert "http" not in answer.text  # no CDN, no absolute URL at all
    assert "<script>" not in answer.text  # no inline script
    for src in ("/docs/assets/", "/openapi.json"):
        assert src in answer.text


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("swagger-ui-bundle.js", "javascript"),
        ("swagger-ui.css", "text/css"),
        ("redoc.standalone.js", "javascript"),
    ],
)
async def test_docs_assets_come_from_the_installed_package(
    client: httpx.AsyncClient, name: str, kind: str
) -> None:
    answer = await client.get(f"/docs/assets/{name}")
    assert answer.status_code == 200
    assert kind in answer.headers["content-type"]
    assert len(answer.content) > 100_000


async def test_only_the_listed_assets_are_served(client: httpx.AsyncClient) -> None:
    for name in ("core.py", "..%2F__init__.py", "../consts.py"):
        assert (await client.get(f"/docs/assets/{name}")).status_code == 404


# ---- cookies: Secure unless plain http on a loopback-bound server, or configured ----


@pytest.mark.parametrize(
    ("scheme", "host", "configured", "secure"),
    [
        ("https", "203.0.113.5", None, True),
        ("http", "203.0.113.5", None, True),
        ("http", "0.0.0.0", None, True),  # noqa: S104 (a bind address, as data)
        ("http", "127.0.0.1", None, False),
        ("http", "::1", None, False),
        ("http", "localhost", None, False),
        ("https", "127.0.0.1", None, True),
        ("http", "127.0.0.1", True, True),
        ("https", "203.0.113.5", False, False),
    ],
)
def test_cookie_rule(scheme: str, host: str, configured: bool | None, secure: bool) -> None:
    scope = {"type": "http", "scheme": scheme, "server": (host, 8000)}
    assert cookies_secure(scope, configured) is secure


@pytest_asyncio.fixture
async def default_app(
    engine: Any, db: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Any]:
    """The app with WORKMATE_COOKIE_SECURE unset (the tests' conftest sets it false)."""
    from workmate.config import get_settings

    monkeypatch.setattr(get_settings(), "cookie_secure", None)
    application = create_app(engine=engine, check=False)

    async def test_session() -> AsyncIterator[AsyncSession]:
        await db.commit()
        yield db

    application.dependency_overrides[get_session] = test_session
    yield application


@pytest.mark.parametrize(
    ("base", "secure"),
    [("https://workmate.example", True), ("http://192.0.2.7", True), ("http://127.0.0.1", False)],
)
async def test_login_cookies_are_secure_by_default(
    default_app: Any, db: AsyncSession, base: str, secure: bool
) -> None:
    employee = await make_employee(db)
    transport = httpx.ASGITransport(app=default_app)
    async with httpx.AsyncClient(transport=transport, base_url=base) as client:
        api = await client.post(
            "/api/v1/auth/login", json={"email": employee.email, "password": PASSWORD}
        )
        assert api.status_code == 200, api.text
        form = await client.get("/login")
    cookies = api.headers.get_list("set-cookie") + form.headers.get_list("set-cookie")
    assert cookies
    assert all(("; Secure" in c) is secure for c in cookies), cookies

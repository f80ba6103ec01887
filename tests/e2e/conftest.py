"""Playwright on Debian's Chromium against a real Workmate process (tests/conftest.live_server).

Skips with the reason when the Playwright package or the browser is missing; run
tests/e2e/install-browser (the test command does) to install the browser.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from workmate.auth.passwords import hash_password
from workmate.models import Employee, Role

ROOT = Path(__file__).resolve().parents[2]
# Named in the README; CI uploads this folder as an artifact.
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "e2e-Passwort-123"
# Hashing is slow by design; once per run is enough.
_HASH: str | None = None


def _missing() -> str | None:
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[dev]')"
    if not CHROMIUM.exists():
        return f"{CHROMIUM} not found; run tests/e2e/install-browser (needs apt-get and root)"
    return None


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest_asyncio.fixture(scope="session")
async def browser() -> AsyncIterator[Any]:
    reason = _missing()
    if reason:
        pytest.skip(reason)
    from playwright.async_api import async_playwright

    # launch() gives Chromium a fresh temporary profile of its own (no cookies, cache or
    # crash dialogs from earlier runs); each test then opens its own context on it.
    async with async_playwright() as pw:
        chromium = await pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            await chromium.close()


@dataclass(frozen=True)
class User:
    id: uuid.UUID
    email: str
    password: str
    role: str


async def make_user(live_db: AsyncSession, role: str, locale: str = "de") -> User:
    """An employee with a known password, committed so the live server sees it."""
    global _HASH
    if _HASH is None:
        _HASH = hash_password(PASSWORD)
    role_id = await live_db.scalar(select(Role.id).where(Role.name == role))
    assert role_id is not None, role
    email = f"e2e-{role.lower()}-{uuid.uuid4().hex[:8]}@example.de"
    employee = Employee(
        firstname="Erika",
        lastname="Muster",
        email=email,
        password_hash=_HASH,
        role_id=role_id,
        locale=locale,
    )
    live_db.add(employee)
    await live_db.commit()
    return User(employee.id, email, PASSWORD, role)


@pytest_asyncio.fixture
async def page(browser: Any, live_server: str) -> AsyncIterator[Any]:
    """A new browser context (its own cookies) and page on the live server."""
    # A German office browser; the login page follows the browser's language.
    context = await browser.new_context(
        base_url=live_server, viewport={"width": 1280, "height": 800}, locale="de-DE"
    )
    pg = await context.new_page()
    pg.set_default_timeout(10_000)
    yield pg
    await context.close()


async def log_in(page: Any, user: User) -> None:
    await page.goto("/login")
    await page.get_by_label("E-Mail").fill(user.email)
    await page.get_by_label("Passwort").fill(user.password)
    await page.get_by_role("button", name="Anmelden").click()
    await page.wait_for_url(lambda url: "/login" not in url)

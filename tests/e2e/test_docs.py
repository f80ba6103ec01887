"""The API docs render in a real browser under their Content-Security-Policy, offline."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.live]
# Redoc's sidebar shows the Redocly logo from its CDN; the page's CSP refuses it (that request
# never leaves the browser), which is exactly what the CSP is for.
REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


async def _open(page: Any, url: str, ready: str) -> tuple[list[str], list[str]]:
    """(CSP complaints, requests that reached anything but our server) while `url` renders."""
    complaints: list[str] = []
    page.on(
        "console",
        lambda m: complaints.append(m.text) if "Content Security Policy" in m.text else None,
    )
    reached: list[str] = []
    page.on(
        "requestfinished",
        lambda r: (
            None
            if r.url.startswith(("http://127.0.0.1", "blob:", "data:"))
            else reached.append(r.url)
        ),
    )
    await page.goto(url)
    await page.wait_for_selector(ready, timeout=30_000)
    return complaints, reached


async def test_swagger_ui_renders_the_operations(page: Any) -> None:
    complaints, reached = await _open(page, "/docs", ".opblock")
    assert complaints == []
    assert reached == []
    assert await page.locator(".opblock").count() > 50


async def test_redoc_renders_the_reference(page: Any) -> None:
    complaints, reached = await _open(page, "/redoc", "[data-section-id]")
    assert reached == []
    assert all(REDOC_LOGO in c for c in complaints), complaints
    assert await page.locator("[data-section-id]").count() > 50

"""Live chat: a message posted in one browser appears in another without reload."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.e2e.conftest import log_in, make_user

pytestmark = pytest.mark.e2e


async def test_message_appears_in_the_other_browser(
    browser: Any, live_server: str, live_db: AsyncSession, screenshots: Path
) -> None:
    from playwright.async_api import expect

    from tests.factories.records import make_project

    project = await make_project(live_db, title="E2E Chat-Projekt")
    await live_db.commit()
    contexts = [await browser.new_context(base_url=live_server, locale="de-DE") for _ in range(2)]
    try:
        reader, writer = [await c.new_page() for c in contexts]
        await log_in(reader, await make_user(live_db, "Admin"))
        await log_in(writer, await make_user(live_db, "Manager"))
        for page in (reader, writer):
            await page.goto(f"/projects/{project.id}")
            # The live socket is open before anything is posted.
            await expect(page.locator("[data-chat]")).to_have_attribute("data-live", "true")
        field = writer.get_by_label("Nachricht", exact=True)
        await field.fill("Kunde hat angerufen, bitte zurückrufen.")
        await writer.get_by_role("button", name="Senden").click()
        await expect(reader.locator("[data-messages] li")).to_contain_text(
            "Kunde hat angerufen, bitte zurückrufen."
        )
        await reader.screenshot(path=str(screenshots / "project-chat.png"), full_page=True)
    finally:
        for c in contexts:
            await c.close()

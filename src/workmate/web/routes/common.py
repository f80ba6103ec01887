"""Helpers shared by the page routes."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import RedirectResponse
from sqlalchemy.ext.asyncio import AsyncSession

from workmate.errors import WorkmateError


def safe_next(target: str | None, default: str = "/") -> str:
    """A local path to return to; anything pointing elsewhere (open redirect) becomes default."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


def see_other(url: str) -> RedirectResponse:
    # 303 so the browser follows a form POST with a GET (no resubmission on reload).
    return RedirectResponse(url, status_code=303)


async def form_data(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


async def undo(db: AsyncSession, exc: BaseException) -> None:
    """Roll back what a failed service call may have written, keeping what it asks to keep.

    A page that shows a domain error instead of raising it must leave the database as the
    API's transaction handling would (workmate.db.transaction): rolled back, with the rows
    the error carries (audit, failed logins) stored.
    """
    if isinstance(exc, WorkmateError) and exc.commit:
        await db.commit()  # the error's own work stands (a counted failed login)
        return
    await db.rollback()
    if isinstance(exc, WorkmateError) and exc.after_rollback:
        db.add_all(exc.after_rollback)
        await db.flush()


def page_numbers(page: int, per_page: int, total: int) -> dict[str, Any]:
    pages = max(1, -(-total // per_page))
    return {"page": page, "pages": pages, "total": total, "per_page": per_page}

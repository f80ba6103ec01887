"""What the header's timer needs: the running entry and the projects to pick from."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from workmate.auth.principal import Principal
from workmate.projects.service import project_service
from workmate.time_entries.service import time_entry_service

TIMER_API = "/api/v1/time-entries"
# Time is booked on open projects; a long list belongs in a search, not a header select.
OPEN_STATUSES = ("in_progress", "planned")
MAX_PROJECTS = 200


@dataclass(frozen=True, slots=True)
class TimerState:
    api: str
    running: Any
    projects: list[Any] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Choice:
    """A project in a picker: "Customer · Title", so equal titles are told apart."""

    id: uuid.UUID
    title: str
    label: str


async def timer_context(db: AsyncSession, who: Principal) -> TimerState | None:
    """None when the employee may not track time or there is nothing to track it on.
    Two statements on every page: the running timer, the open projects (sorted by customer)."""
    if not (who.can("time_entries", "write") and who.can("projects", "read")):
        return None
    running = await time_entry_service.running(db, who)
    keep = (running.project_id,) if running is not None else ()
    rows = await project_service.choices(db, OPEN_STATUSES, keep, limit=MAX_PROJECTS)
    projects = [Choice(r.id, r.title, f"{r.customer_name} · {r.title}") for r in rows]
    if running is None and not projects:
        return None
    return TimerState(TIMER_API, running, projects)


async def project_titles(db: AsyncSession, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    """Titles ("Customer · Title") of the given projects in one statement, for entry lists."""
    if not ids:
        return {}
    rows = await project_service.choices(db, None, ids)
    return {r.id: f"{r.customer_name} · {r.title}" for r in rows if r.id in ids}

"""What the header's timer needs: the running entry and the projects to pick from."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from workmate.auth.principal import Principal
from workmate.errors import NotFound
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


async def timer_context(db: AsyncSession, who: Principal) -> TimerState | None:
    """None when the employee may not track time or there is nothing to track it on."""
    if not (who.can("time_entries", "write") and who.can("projects", "read")):
        return None
    running = await time_entry_service.running(db, who)
    projects: list[Any] = []
    for status in OPEN_STATUSES:
        items, _ = await project_service.list(db, status=status, limit=MAX_PROJECTS)
        projects.extend(items)
    if running is not None and all(p.id != running.project_id for p in projects):
        projects.insert(0, await project_service.get(db, running.project_id))
    if running is None and not projects:
        return None
    return TimerState(TIMER_API, running, projects)


async def project_titles(db: AsyncSession, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    """Titles of the given projects, for lists that show entries."""
    titles: dict[uuid.UUID, str] = {}
    for project_id in ids:
        try:
            titles[project_id] = (await project_service.get(db, project_id)).title
        except NotFound:
            continue
    return titles

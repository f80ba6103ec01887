"""Jobs as the API shows them."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

JobStatus = Literal["todo", "doing", "succeeded", "failed", "cancelled", "aborted"]


class JobRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    queue: str
    task_name: str
    # todo = queued (or waiting for its retry), doing = running, failed = gave up
    status: JobStatus
    attempts: int
    args: dict[str, Any]
    lock: str | None
    queueing_lock: str | None
    scheduled_at: datetime | None
    queued_at: datetime | None
    updated_at: datetime | None
    # The last error (every failed attempt is kept; a failed job shows why it gave up).
    error: str | None


class JobCounts(BaseModel):
    todo: int
    doing: int
    succeeded: int
    failed: int
    cancelled: int
    aborted: int

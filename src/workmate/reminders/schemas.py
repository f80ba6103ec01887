"""Request and response shapes for reminders."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from workmate.inputs import Input, Note

Priority = Literal["low", "medium", "high"]
LinkKind = Literal["customer", "project", "invoice"]
View = Literal["due_today", "overdue", "upcoming", "open", "done", "all"]


class ReminderCreate(Input):
    title: str = Field(min_length=1, max_length=255)
    due_date: date
    priority: Priority = "medium"
    linked_to: LinkKind | None = None
    linked_id: uuid.UUID | None = None
    note: Note | None = None
    # Only with reminders.manage: a reminder for someone else.
    owner_id: uuid.UUID | None = None


class ReminderUpdate(Input):
    title: str | None = Field(None, min_length=1, max_length=255)
    due_date: date | None = None
    priority: Priority | None = None
    linked_to: LinkKind | None = None
    linked_id: uuid.UUID | None = None
    note: Note | None = None


class ReminderRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    title: str
    due_date: date
    priority: str
    linked_to: str | None
    linked_id: uuid.UUID | None
    owner_id: uuid.UUID
    is_done: bool
    done_at: datetime | None
    note: str | None
    created_at: datetime
    updated_at: datetime

"""Request and response shapes for project chat."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from workmate.inputs import Input
from workmate.models.chat_message import MAX_MESSAGE_LENGTH


class ChatMessageCreate(Input):
    message: str = Field(min_length=1, max_length=MAX_MESSAGE_LENGTH)

    @field_validator("message")
    @classmethod
    def _not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("message must not be blank")
        return v


class ChatMessageRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    project_id: uuid.UUID
    author_id: uuid.UUID
    author_name: str
    message: str
    created_at: datetime


class ChatPage(BaseModel):
    """Newest first; pass next_cursor as `before` for older messages (None: no more)."""

    items: list[ChatMessageRead]
    next_cursor: str | None

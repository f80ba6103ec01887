"""Documents as the API shows them. The storage key (file_path) is never exposed."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from workmate.inputs import Input

Category = Literal["contract", "invoice", "report", "receipt", "other"]
LinkedModule = Literal["customer", "project", "invoice", "employee", "expense"]


class DocumentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    title: str
    type: str
    content_type: str | None
    category: str
    owner_id: uuid.UUID
    linked_module: str | None
    linked_id: uuid.UUID | None
    checksum: str
    is_confidential: bool
    original_filename: str | None
    size_bytes: int
    created_at: datetime
    updated_at: datetime


class DocumentCreate(Input):
    """The form fields sent beside the file (multipart/form-data)."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(None, min_length=1, max_length=255)
    category: Category = "other"
    linked_module: LinkedModule | None = None
    linked_id: uuid.UUID | None = None
    is_confidential: bool = False


class DocumentUpdate(Input):
    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(None, min_length=1, max_length=255)
    category: Category | None = None
    is_confidential: bool | None = None

"""Outbox and sending: request bodies and answers."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from workmate.inputs import Input, Note

Language = Literal["de", "en"]


class SendByEmail(Input):
    """Send a document by e-mail. Without `to`, the customer's e-mail address is used."""

    to: list[EmailStr] | None = Field(None, min_length=1, max_length=20)
    cc: list[EmailStr] = Field(default_factory=list, max_length=20)
    language: Language | None = None
    # Send again although a message was already accepted by the mail server.
    resend: bool = False


class TemplateWrite(Input):
    subject: str = Field(min_length=1, max_length=300)
    body: Note = Field(min_length=1)


class TemplateRead(BaseModel):
    purpose: str
    language: str
    subject: str
    body: str
    placeholders: list[str]
    # False while the built-in text is used.
    customised: bool


class AttachmentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    filename: str
    content_type: str


class MessageRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    purpose: str
    related_type: str | None
    related_id: uuid.UUID | None
    to_addresses: list[str]
    cc_addresses: list[str]
    subject: str
    body: str
    language: str
    state: str
    attempts: int
    smtp_message_id: str
    last_error: str | None
    last_attempt_at: datetime | None
    sent_at: datetime | None
    created_at: datetime
    attachments: list[AttachmentRead] = Field(default_factory=list)


class OutboxPage(BaseModel):
    items: list[MessageRead]
    total: int
    limit: int
    offset: int
    # False: nothing is delivered; messages wait until WORKMATE_SMTP_URL is set.
    mail_server_configured: bool


class DispatchRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    invoice_id: uuid.UUID
    channel: str
    message_id: uuid.UUID | None
    dispatched_at: datetime

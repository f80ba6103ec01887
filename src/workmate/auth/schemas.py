"""Request and response shapes for login, the own profile, sessions and personal tokens."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from workmate.employees.schemas import EmployeeRead, check_locale
from workmate.inputs import Input
from workmate.types import Instant


class _Write(Input):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class LoginIn(Input):
    # Plain strings: a malformed email gets the same answer as an unknown one.
    email: str = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=1024)


class MeRead(EmployeeRead):
    role_name: str
    permissions: dict[str, list[str]]


class LoginOut(BaseModel):
    employee: MeRead
    # Send it back as X-CSRF-Token on every state-changing request made with the cookie.
    csrf_token: str
    expires_at: datetime


class MeUpdate(_Write):
    """What an employee may change about themselves; role, department and activity are
    not here on purpose (unknown fields are refused with 422)."""

    firstname: str | None = Field(default=None, min_length=1, max_length=100)
    lastname: str | None = Field(default=None, min_length=1, max_length=100)
    locale: str | None = Field(default=None, max_length=5)

    _check_locale = field_validator("locale")(check_locale)


class PasswordChange(Input):
    model_config = ConfigDict(extra="forbid")

    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(max_length=1024)


class SessionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    client_addr: str | None
    user_agent: str | None


class TokenCreate(_Write):
    name: str = Field(min_length=1, max_length=100)
    expires_at: Instant | None = None


class TokenRead(BaseModel):
    """A token as lists show it: the prefix to recognise it, never the secret or its hash."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None


class TokenCreated(TokenRead):
    # Shown exactly once, in the answer to the creation.
    token: str

"""Request and response shapes for employees, departments and roles.

Write models forbid unknown fields: a client sending `password_hash` or `id` gets a 422 naming
the field instead of having it silently dropped (or, worse, applied).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

from workmate.auth.passwords import MIN_LENGTH
from workmate.errors import InvalidValue
from workmate.inputs import Code, Input

Name = Field(min_length=1, max_length=100)
LOCALES = ("de", "en")


class _Write(Input):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def check_locale(value: str | None) -> str | None:
    if value is not None and value not in LOCALES:
        raise InvalidValue("must be one of {values}", values=", ".join(LOCALES))
    return value


class EmployeeRead(BaseModel):
    """An employee as every endpoint shows it: never a password hash."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    firstname: str
    lastname: str
    email: str
    role_id: uuid.UUID
    department_id: uuid.UUID | None
    is_active: bool
    locale: str
    created_at: datetime
    updated_at: datetime


class EmployeeCreate(_Write):
    firstname: str = Name
    lastname: str = Name
    email: EmailStr = Field(max_length=254)
    # Without one a new employee gets the least privileged seed role (Employee), never Admin.
    role_id: uuid.UUID | None = None
    department_id: uuid.UUID | None = None
    locale: str = Field("de", max_length=5)
    is_active: bool = True
    # Optional: without one the employee cannot log in until an admin sets it.
    password: str | None = Field(default=None, min_length=MIN_LENGTH, max_length=1024)

    _check_locale = field_validator("locale")(check_locale)


class EmployeeUpdate(_Write):
    firstname: str | None = Field(default=None, min_length=1, max_length=100)
    lastname: str | None = Field(default=None, min_length=1, max_length=100)
    email: EmailStr | None = Field(default=None, max_length=254)
    role_id: uuid.UUID | None = None
    department_id: uuid.UUID | None = None
    locale: str | None = Field(default=None, max_length=5)
    is_active: bool | None = None

    _check_locale = field_validator("locale")(check_locale)


class InvitationRead(BaseModel):
    """A new set-password link: the URL carries the secret and is shown only this once."""

    url: str
    expires_at: datetime
    # The e-mail with the same link, queued to the employee (see the outbox).
    message_id: uuid.UUID
    emailed_to: str


class PasswordSet(_Write):
    password: str = Field(min_length=MIN_LENGTH, max_length=1024)


class DepartmentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    manager_id: uuid.UUID | None
    created_at: datetime
    updated_at: datetime


class DepartmentCreate(_Write):
    name: str = Field(min_length=1, max_length=200)
    manager_id: uuid.UUID | None = None


class DepartmentUpdate(_Write):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    manager_id: uuid.UUID | None = None


class RoleRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    permissions: dict[str, list[str]]
    created_at: datetime
    updated_at: datetime


class RoleCreate(_Write):
    name: str = Field(min_length=1, max_length=100)
    # Validated against auth.permissions.MODULES by the service (422 naming the module).
    permissions: dict[Code, Any] = Field(default_factory=dict)


class RoleUpdate(_Write):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    permissions: dict[Code, Any] | None = None

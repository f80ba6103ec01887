"""Who is making a request, with the permissions of their role at this very moment."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from workmate.auth.permissions import allows


@dataclass(frozen=True, slots=True)
class Principal:
    employee_id: uuid.UUID
    email: str
    role_id: uuid.UUID
    role_name: str
    permissions: dict[str, Any]
    # "session" (web cookie), "token" (Bearer) or "cli" (the operator at the server).
    via: str
    session_id: uuid.UUID | None = None
    token_id: uuid.UUID | None = None
    client_addr: str | None = None
    locale: str = "de"
    extra: dict[str, Any] = field(default_factory=dict)

    def can(self, module: str, action: str) -> bool:
        return allows(self.permissions, module, action)

"""Response shape of the audit log (read-only: there is no write schema)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class AuditLogRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    actor_id: uuid.UUID | None
    actor_email: str | None
    action: str
    entity: str
    entity_id: str | None
    # {"field": [before, after]}; secrets appear as "***".
    changes: dict[str, Any] | None
    client_addr: str | None

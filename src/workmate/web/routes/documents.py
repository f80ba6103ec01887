"""Documents attached to a customer, project or invoice, shown on that object's page.

Uploads go from the page's script straight to the documents API (streamed, size and type
checked there); the page only lists what the documents service lets the caller see.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from workmate.auth.principal import Principal
from workmate.documents.service import document_service
from workmate.errors import Forbidden

# An object rarely has more; the API pages through the rest.
MAX_LISTED = 100


@dataclass(frozen=True, slots=True)
class Attached:
    module: str
    object_id: uuid.UUID
    items: list[Any]
    can_upload: bool


async def attached(
    db: AsyncSession, who: Principal, module: str, object_id: uuid.UUID
) -> Attached | None:
    """The object's documents, or None when the caller may not read documents here."""
    if not who.can("documents", "read"):
        return None
    try:
        items, _ = await document_service.list_documents(
            db,
            who,
            linked_module=module,
            linked_id=object_id,
            category=None,
            limit=MAX_LISTED,
            offset=0,
        )
    except Forbidden:
        return None
    return Attached(module, object_id, list(items), who.can("documents", "write"))

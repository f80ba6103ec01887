"""HTTP routes for audit (thin: validate, call the service, shape the answer)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from workmate.audit.repository import AuditFilter
from workmate.audit.schemas import AuditLogRead
from workmate.audit.service import audit_service
from workmate.auth.deps import require
from workmate.auth.principal import Principal
from workmate.db import SessionDep
from workmate.pagination import Page, Paging
from workmate.types import Instant

router = APIRouter(prefix="/audit-log", tags=["audit"])

AuditRead = Annotated[Principal, Depends(require("admin_panel", "access"))]


@router.get("", response_model=Page[AuditLogRead])
async def list_audit_log(
    who: AuditRead,
    db: SessionDep,
    paging: Paging,
    entity: Annotated[str | None, Query(max_length=40, description="e.g. employee")] = None,
    entity_id: Annotated[str | None, Query(max_length=64)] = None,
    actor_id: Annotated[uuid.UUID | None, Query(description="The acting employee.")] = None,
    action: Annotated[str | None, Query(max_length=40, description="e.g. update")] = None,
    since: Annotated[
        Instant | None, Query(alias="from", description="Inclusive, with a time zone.")
    ] = None,
    until: Annotated[
        Instant | None, Query(alias="to", description="Exclusive, with a time zone.")
    ] = None,
) -> Page[AuditLogRead]:
    """The audit log, newest first, filtered by entity, id, employee, action and time."""
    f = AuditFilter(entity, entity_id, actor_id, action, since, until)
    rows, total = await audit_service.search(db, f, paging.limit, paging.offset)
    return Page(
        items=[AuditLogRead.model_validate(r) for r in rows],
        total=total,
        limit=paging.limit,
        offset=paging.offset,
    )

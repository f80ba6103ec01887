"""The audit log: one row per change, login and denial, in the same transaction as the change."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Insert,
    String,
    case,
    cast,
    extract,
    func,
    insert,
    literal,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from workmate.audit import repository
from workmate.audit.repository import AuditFilter
from workmate.auth.principal import Principal
from workmate.errors import Invalid
from workmate.models import AuditLog
from workmate.observability import current_request_id

# Never copied into the log, whatever a caller passes.
SECRET_FIELDS = frozenset({"password", "password_hash", "token_hash", "csrf_token", "secret"})


def _plain(value: Any) -> Any:
    if isinstance(value, uuid.UUID | Decimal | date | datetime):
        return str(value) if not isinstance(value, date | datetime) else value.isoformat()
    return value


def diff(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> dict[str, Any]:
    """{"field": [before, after]} for every field that differs; secrets are masked."""
    before, after = before or {}, after or {}
    changes: dict[str, Any] = {}
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old != new:
            if key in SECRET_FIELDS:
                changes[key] = ["***", "***"]
            else:
                changes[key] = [_plain(old), _plain(new)]
    return changes


def entry(
    who: Principal | None,
    action: str,
    entity: str,
    entity_id: object | None = None,
    changes: Mapping[str, Any] | None = None,
    *,
    actor_id: uuid.UUID | None = None,
    actor_email: str | None = None,
    client_addr: str | None = None,
) -> AuditLog:
    """An unsaved audit row (for callers that must write it after a rollback)."""
    return AuditLog(
        actor_id=who.employee_id if who else actor_id,
        actor_email=(who.email if who else actor_email),
        action=action,
        entity=entity,
        entity_id=None if entity_id is None else str(entity_id),
        changes=dict(changes) if changes else None,
        client_addr=(who.client_addr if who else client_addr),
        # The request that made the change: the same id is in its logs and X-Request-ID.
        request_id=current_request_id(),
    )


def _column(name: str, value: Any) -> ColumnElement[Any]:
    if isinstance(value, ColumnElement):
        return value
    return literal(value, AuditLog.__table__.c[name].type)


def iso_timestamp(expr: ColumnElement[Any]) -> ColumnElement[str]:
    """SQL for an aware timestamp as `_plain` writes it into a diff (datetime.isoformat() of a
    UTC value: six fraction digits only when there are microseconds, then +00:00)."""
    utc = func.timezone("UTC", expr)
    whole = cast(extract("microseconds", expr), BigInteger) % 1_000_000 == 0
    fraction = case((whole, ""), else_=func.to_char(utc, ".US", type_=String))
    return func.to_char(utc, 'YYYY-MM-DD"T"HH24:MI:SS', type_=String) + fraction + "+00:00"


class AuditService:
    async def record(
        self,
        db: AsyncSession,
        who: Principal | None,
        action: str,
        entity: str,
        entity_id: object | None = None,
        changes: Mapping[str, Any] | None = None,
    ) -> None:
        """Write one audit row in the caller's transaction (it commits or rolls back with it)."""
        db.add(entry(who, action, entity, entity_id, changes))

    def insert(
        self,
        who: Principal | None,
        action: str,
        entity: str,
        entity_id: object | ColumnElement[Any],
        changes: Mapping[str, Any] | ColumnElement[Any],
    ) -> Insert:
        """The audit row as an INSERT to put in the writing statement (a CTE beside the write,
        `Select.add_cte`): change and audit row in one round trip. `entity_id` and `changes`
        may be SQL over the write's RETURNING (a FROM that CTE), else they are values."""
        row = entry(who, action, entity)
        values = {
            "actor_id": row.actor_id,
            "actor_email": row.actor_email,
            "action": action,
            "entity": entity,
            "entity_id": entity_id
            if isinstance(entity_id, ColumnElement)
            else (None if entity_id is None else str(entity_id)),
            "changes": changes
            if isinstance(changes, ColumnElement)
            else (dict(changes) if changes else None),
            "client_addr": row.client_addr,
            "request_id": row.request_id,
        }
        return insert(AuditLog).from_select(
            list(values), select(*(_column(k, v).label(k) for k, v in values.items()))
        )

    async def record_many(
        self,
        db: AsyncSession,
        who: Principal | None,
        action: str,
        entity: str,
        items: Sequence[tuple[object, Mapping[str, Any] | None]],
    ) -> None:
        """Many audit rows (entity id, changes) in one statement, for bulk paths."""
        if not items:
            return
        rows = [
            {
                "actor_id": who.employee_id if who else None,
                "actor_email": who.email if who else None,
                "action": action,
                "entity": entity,
                "entity_id": None if entity_id is None else str(entity_id),
                "changes": dict(changes) if changes else None,
                "client_addr": who.client_addr if who else None,
                "request_id": current_request_id(),
            }
            for entity_id, changes in items
        ]
        await db.execute(insert(AuditLog), rows)

    async def search(
        self, db: AsyncSession, f: AuditFilter, limit: int, offset: int
    ) -> tuple[list[AuditLog], int]:
        """Audit rows matching the filter, newest first, with the total; `from` before `to`."""
        if f.since is not None and f.until is not None and f.since >= f.until:
            raise Invalid("from must be before to", field="from")
        return await repository.page(db, f, limit, offset)

    def snapshot(self, obj: Any, fields: tuple[str, ...] | None = None) -> dict[str, Any]:
        """The column values of an ORM object, for before/after diffs."""
        names = fields or tuple(c.key for c in obj.__table__.columns)
        return {n: getattr(obj, n) for n in names if n not in SECRET_FIELDS}


audit_service = AuditService()

"""The read path: SELECTs straight on the request's asyncpg connection, no ORM session work.

Hot reads (the caller's credential, GET one object, lists of 50) skip SQLAlchemy's statement
execution and result machinery and, where the answer is JSON anyway, let PostgreSQL build it
(`json_build_object`) and pass the bytes through as the response body.

The type checker keeps this path read-only: a `Reader` runs only `ReadSQL`, and `ReadSQL` is
made by `read_sql()`, which refuses at import time anything but a SELECT (or WITH ... SELECT).
A write on a Reader therefore fails type checking (plain `str`) or import (`read_sql`).

The Reader borrows the connection of the request's session (`SessionDep`), so it sees what
the session sees (in tests: the test's transaction) and the request still holds one
connection. On a route marked `read_only` that connection is in autocommit.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, NewType, get_args, get_origin

from fastapi import Depends, Response
from pydantic import BaseModel
from sqlalchemy import ColumnElement, String, Text, cast, func, literal_column
from sqlalchemy.ext.asyncio import AsyncSession

from workmate.db import SessionDep
from workmate.pagination import PageParams

ReadSQL = NewType("ReadSQL", str)

_READ = re.compile(r"^\s*(SELECT|WITH)\b", re.IGNORECASE)
_WRITE = re.compile(r"\b(INSERT|UPDATE|DELETE|MERGE|FOR\s+UPDATE|FOR\s+SHARE)\b", re.IGNORECASE)

# Called with each statement a Reader runs (bench/counted_app.py counts them per request, as
# it counts SQLAlchemy's); None in production.
on_statement: Callable[[str], None] | None = None


def read_sql(sql: str) -> ReadSQL:
    """Mark a statement as a read; refuses anything that is not a plain SELECT."""
    if not _READ.match(sql) or _WRITE.search(sql):
        raise ValueError(f"not a read-only statement: {sql[:80]!r}")
    return ReadSQL(sql)


class Reader:
    """A read-only handle on the request's connection (asyncpg, positional $1 parameters)."""

    __slots__ = ("_conn",)

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    async def fetchrow(self, sql: ReadSQL, *args: Any) -> Any:
        """The first row (an asyncpg Record: by name or position) or None."""
        if on_statement is not None:
            on_statement(sql)
        return await self._conn.fetchrow(sql, *args)

    async def fetch(self, sql: ReadSQL, *args: Any) -> list[Any]:
        if on_statement is not None:
            on_statement(sql)
        return list(await self._conn.fetch(sql, *args))

    async def fetchval(self, sql: ReadSQL, *args: Any) -> Any:
        if on_statement is not None:
            on_statement(sql)
        return await self._conn.fetchval(sql, *args)


_READER_KEY = "workmate.reader"


async def reader_of(db: AsyncSession) -> Reader:
    """The Reader on `db`'s connection (checked out now if the session has none yet)."""
    cached = db.info.get(_READER_KEY)
    if isinstance(cached, Reader):
        return cached
    conn = await db.connection()
    raw = await conn.get_raw_connection()
    reader = Reader(raw.driver_connection)
    db.info[_READER_KEY] = reader
    return reader


async def get_reader(db: SessionDep) -> Reader:
    return await reader_of(db)


ReaderDep = Annotated[Reader, Depends(get_reader)]


# ---- JSON built by PostgreSQL --------------------------------------------------------------

# pydantic writes an aware UTC datetime as 2026-11-29T03:56:49Z, with six fraction digits
# only when there are microseconds; the same text from PostgreSQL (sessions run in UTC).
_TS = (
    "CASE WHEN {x} IS NULL THEN NULL "
    "WHEN extract(microseconds FROM {x})::bigint % 1000000 = 0 "
    """THEN to_char({x} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') """
    """ELSE to_char({x} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') END"""
)


def _base_type(annotation: Any) -> Any:
    args = [a for a in get_args(annotation) if a is not type(None)]
    if get_origin(annotation) is not None and len(args) == 1:
        return args[0]
    return annotation


def json_value(annotation: Any, expr: str) -> str:
    """SQL for `expr` as pydantic's JSON writes a value of this type (Decimal as a string)."""
    kind = _base_type(annotation)
    if kind is Decimal:
        return f"({expr})::text"
    if kind is datetime:
        return _TS.format(x=expr)
    if kind is date or kind in (str, int, bool) or _is_uuid(kind):
        return expr
    raise TypeError(f"no JSON mapping for {annotation!r}; give the field an explicit expression")


def _is_uuid(kind: Any) -> bool:
    import uuid

    return kind is uuid.UUID


def json_object(
    model: type[BaseModel],
    alias: str,
    expressions: dict[str, str] | None = None,
    fields: Sequence[str] | None = None,
) -> str:
    """`json_build_object(...)` with `model`'s fields in its order, from `alias.<field>` unless
    `expressions` names the field's SQL; the values formatted as the model's JSON would be."""
    expressions = expressions or {}
    parts = []
    for name, info in model.model_fields.items():
        if fields is not None and name not in fields:
            continue
        expr = expressions.get(name, f"{alias}.{name}")
        # Composite values (nested lists) arrive as JSON already.
        value = expr if name in expressions and _is_json(info.annotation) else None
        parts.append(f"'{name}', {value or json_value(info.annotation, expr)}")
    return "json_build_object(" + ", ".join(parts) + ")"


def _is_json(annotation: Any) -> bool:
    return get_origin(annotation) in (list, dict) or (
        isinstance(annotation, type) and issubclass(annotation, BaseModel)
    )


def json_column(model: type[BaseModel], table: str) -> ColumnElement[str]:
    """A select column: the row of `table` as `model`'s JSON text, built by PostgreSQL; put it
    in place of the ORM entity (`select(json_column(...)).select_from(Model)`), same rows."""
    return literal_column(f"({json_object(model, table)})::text", String()).label("json")


def json_build(
    model: type[BaseModel], table: str, computed: dict[str, ColumnElement[Any]]
) -> ColumnElement[str]:
    """Like json_column, with some fields computed by SQLAlchemy expressions (a Decimal one is
    written as text, as pydantic does)."""
    args: list[ColumnElement[Any]] = []
    for name, info in model.model_fields.items():
        args.append(literal_column(f"'{name}'"))
        if name not in computed:
            args.append(literal_column(json_value(info.annotation, f"{table}.{name}")))
        elif _base_type(info.annotation) is Decimal:
            args.append(cast(computed[name], Text))
        elif _base_type(info.annotation) in (str, int, bool):
            args.append(computed[name])
        else:
            raise TypeError(f"no JSON mapping for a computed {name}: {info.annotation!r}")
    return cast(func.json_build_object(*args), Text).label("json")


def read_by_id(model: type[BaseModel], table: str) -> ReadSQL:
    """One row of `table` by its id ($1) as `model`'s JSON text."""
    # Built at import from model fields and a table name in code; no input.
    sql = f"SELECT ({json_object(model, 't')})::text FROM {table} t WHERE t.id = $1"  # noqa: S608
    return read_sql(sql)


class JSONBytes(Response):
    """A body PostgreSQL built; the route's response_model stays its documented contract."""

    media_type = "application/json"


def json_response(body: str | bytes, status_code: int = 200) -> JSONBytes:
    return JSONBytes(body.encode() if isinstance(body, str) else body, status_code=status_code)


def page_response(
    items: Sequence[str], total: int, paging: PageParams, next_cursor: str | None = None
) -> JSONBytes:
    """A Page answer around items that PostgreSQL wrote as JSON, in the Page model's order."""
    tail = json.dumps(
        {
            "total": total,
            "limit": paging.limit,
            "offset": paging.offset,
            "next_cursor": next_cursor,
        },
        separators=(",", ":"),
    )
    return json_response('{"items":[' + ",".join(items) + "]," + tail[1:])

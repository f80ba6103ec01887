"""Workmate's app with an SQL statement counter, for the "queries per request" column.

A SQLAlchemy `before_cursor_execute` hook counts statements into a per-request counter held
in a context variable; a tiny ASGI middleware starts the counter and reports it in the
`X-Query-Count` response header. The harness reads the header on probe requests only; the
cost under load is one context-variable lookup per statement.

A probe request carrying `X-Bench-Explain: <name>` also has every SELECT it runs explained
with EXPLAIN (ANALYZE, BUFFERS), on the same connection and just before the statement itself
(so inside the same transaction, with the same parameters); the plans are written to
`$BENCH_EXPLAIN_DIR/<name>.txt`. Only SELECTs are explained: ANALYZE executes the statement,
and a write would then happen twice.

    uvicorn bench.counted_app:create_app --factory
"""

from __future__ import annotations

import os
import re
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

from workmate import reads
from workmate.app import create_app as create_workmate_app

_count: ContextVar[list[int] | None] = ContextVar("bench_query_count", default=None)
_plans: ContextVar[list[str] | None] = ContextVar("bench_plans", default=None)
EXPLAIN_HEADER = b"x-bench-explain"
_SAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]+")


def _on_execute(
    conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool
) -> None:
    counter = _count.get()
    if counter is not None:
        counter[0] += 1
    plans = _plans.get()
    if plans is not None and not executemany and statement.lstrip().upper().startswith("SELECT"):
        explain = conn.connection.dbapi_connection.cursor()
        explain.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
        plan = "\n".join(row[0] for row in explain.fetchall())
        head = f"-- statement {len(plans) + 1}\n{statement}\n-- parameters: {parameters}"
        plans.append(f"{head}\n{plan}\n")


event.listen(Engine, "before_cursor_execute", _on_execute)


def _on_read(statement: str) -> None:
    # Statements of the read path (workmate.reads) go straight to asyncpg, past the hook above.
    counter = _count.get()
    if counter is not None:
        counter[0] += 1


reads.on_statement = _on_read


class CountQueries:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        counter = [0]
        _count.set(counter)
        explain = dict(scope.get("headers", [])).get(EXPLAIN_HEADER)
        plans: list[str] | None = [] if explain and os.environ.get("BENCH_EXPLAIN_DIR") else None
        _plans.set(plans)

        async def send_with_count(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"x-query-count", str(counter[0]).encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_count)
        if plans is not None and explain:
            name = _SAFE_NAME.sub("_", explain.decode())[:80]
            out = Path(os.environ["BENCH_EXPLAIN_DIR"]) / f"{name}.txt"
            out.write_text("\n".join(plans))


def create_app() -> Any:
    app = create_workmate_app()
    app.add_middleware(CountQueries)
    return app

"""Workmate's app with an SQL statement counter, for the "queries per request" column.

A SQLAlchemy `before_cursor_execute` hook counts statements into a per-request counter held
in a context variable; a tiny ASGI middleware starts the counter and reports it in the
`X-Query-Count` response header. The harness reads the header on probe requests only; the
cost under load is one context-variable lookup per statement.

    uvicorn bench.counted_app:create_app --factory
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

from workmate.app import create_app as create_workmate_app

_count: ContextVar[list[int] | None] = ContextVar("bench_query_count", default=None)


def _on_execute(*_: Any) -> None:
    counter = _count.get()
    if counter is not None:
        counter[0] += 1


event.listen(Engine, "before_cursor_execute", _on_execute)


class CountQueries:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        counter = [0]
        _count.set(counter)

        async def send_with_count(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"x-query-count", str(counter[0]).encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_count)


def create_app() -> Any:
    app = create_workmate_app()
    app.add_middleware(CountQueries)
    return app

"""Seeing what runs: a request id on every request (X-Request-ID, logs, audit rows), JSON logs,
and Prometheus metrics (requests by route template and status with latency histograms, the
connection pool, jobs by status).

With several server processes (`workmate serve --workers N`) the counters of all processes are
added up through prometheus_client's multiprocess mode (PROMETHEUS_MULTIPROC_DIR, set by
`workmate serve`), so /metrics answers for the whole server, whichever process is asked.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client import multiprocess as prometheus_multiprocess
from sqlalchemy.ext.asyncio import AsyncEngine

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

REQUEST_ID: ContextVar[str | None] = ContextVar("workmate_request_id", default=None)
HEADER = "X-Request-ID"
# A caller's (or proxy's) id is kept when it is short and plain; anything else is replaced.
_VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")

access_log = logging.getLogger("workmate.access")

REQUESTS = Counter(
    "workmate_http_requests",
    "HTTP requests by method, route template and status.",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "workmate_http_request_duration_seconds",
    "HTTP request latency by method and route template (until the response is complete).",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
IN_FLIGHT = Gauge(
    "workmate_http_requests_in_flight", "Requests being served.", multiprocess_mode="livesum"
)
POOL = Gauge(
    "workmate_db_pool_connections",
    "Database connections of the server's pools: in_use, idle, waiting (requests waiting "
    "for a connection).",
    ["state"],
    multiprocess_mode="livesum",
)


def current_request_id() -> str | None:
    """The id of the request being served (None outside requests)."""
    return REQUEST_ID.get()


def _incoming_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            text = value.decode("latin-1")
            return text if _VALID_ID.fullmatch(text) else None
    return None


def _route_template(scope: Scope) -> str:
    """ "/api/v1/invoices/{invoice_id}", never the raw path (whose ids would make one time
    series per object): the matched path with each path parameter's value put back as its
    name. Requests no route matched are counted as "unmatched"."""
    if scope.get("endpoint") is None:
        return "unmatched"
    path = str(scope.get("path", ""))
    params = {str(v): k for k, v in (scope.get("path_params") or {}).items()}
    segments = [f"{{{params[s]}}}" if s in params else s for s in path.split("/")]
    template = "/".join(segments)
    for value, name in params.items():
        if "/" in value and value in template:  # {path:path} parameters
            template = template.replace(value, f"{{{name}}}")
    return template


class RequestContext:
    """ASGI middleware: request id, access log line, request metrics."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        request_id = _incoming_id(scope) or uuid.uuid4().hex
        token = REQUEST_ID.set(request_id)
        if scope["type"] == "websocket":
            try:
                await self.app(scope, receive, send)
            finally:
                REQUEST_ID.reset(token)
            return
        status = 500
        header = (HEADER.lower().encode(), request_id.encode())

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                message["headers"] = [*message.get("headers", []), header]
            await send(message)

        started = time.perf_counter()
        IN_FLIGHT.inc()
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            IN_FLIGHT.dec()
            seconds = time.perf_counter() - started
            method = scope.get("method", "")
            route = _route_template(scope)
            REQUESTS.labels(method, route, str(status)).inc()
            LATENCY.labels(method, route).observe(seconds)
            state = getattr(scope.get("app"), "state", None)
            record_pool(getattr(state, "engine", None))
            access_log.info(
                "%s %s %s",
                method,
                scope.get("path", ""),
                status,
                extra={
                    "method": method,
                    "path": scope.get("path", ""),
                    "route": route,
                    "status": status,
                    "duration_ms": round(seconds * 1000, 1),
                },
            )
            REQUEST_ID.reset(token)


# ---- the /metrics answer ----


def pool_figures(engine: AsyncEngine | None) -> dict[str, int]:
    """in_use, idle and waiting connections of this process's pool."""
    if engine is None:
        return {"in_use": 0, "idle": 0, "waiting": 0}
    pool: Any = engine.pool
    in_use = int(getattr(pool, "checkedout", lambda: 0)())
    idle = int(getattr(pool, "checkedin", lambda: 0)())
    # SQLAlchemy counts no waiters; its async queue keeps them in asyncio.Queue._getters.
    queue = getattr(getattr(pool, "_pool", None), "_queue", None)
    getters = getattr(queue, "_getters", None)
    waiting = sum(1 for g in getters if not g.done()) if getters is not None else 0
    return {"in_use": in_use, "idle": idle, "waiting": waiting}


def record_pool(engine: AsyncEngine | None) -> None:
    for state, value in pool_figures(engine).items():
        POOL.labels(state).set(value)


def render(extra: str = "") -> tuple[bytes, str]:
    """The Prometheus text of this server (all its processes), with `extra` lines appended."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        prometheus_multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        body = generate_latest(registry)
    else:
        body = generate_latest()
    return body + extra.encode(), CONTENT_TYPE_LATEST


def jobs_text(counts: dict[str, int]) -> str:
    """Jobs by status as Prometheus text (todo = queued, doing = running, failed ...)."""
    lines = [
        "# HELP workmate_jobs Background jobs by status (todo: queued, doing: running).",
        "# TYPE workmate_jobs gauge",
    ]
    for status in ("todo", "doing", "failed", "succeeded", "cancelled", "aborted"):
        lines.append(f'workmate_jobs{{status="{status}"}} {counts.get(status, 0)}')
    return "\n".join(lines) + "\n"


def imports_text(counts: dict[str, int]) -> str:
    """Imported files (bank statements, received supplier invoices) as Prometheus text."""
    lines = [
        "# HELP workmate_imported_files Imported files kept, by kind.",
        "# TYPE workmate_imported_files gauge",
    ]
    for kind, count in sorted(counts.items()):
        lines.append(f'workmate_imported_files{{kind="{kind}"}} {count}')
    return "\n".join(lines) + "\n"


def mails_text(counts: dict[str, int]) -> str:
    """Outgoing e-mails by state (queued, sent, failed ...) as Prometheus text."""
    from workmate.models.outbox_message import MESSAGE_STATES

    lines = [
        "# HELP workmate_mails Outgoing e-mails by state.",
        "# TYPE workmate_mails gauge",
    ]
    for state in sorted({*MESSAGE_STATES, *counts}):
        lines.append(f'workmate_mails{{state="{state}"}} {counts.get(state, 0)}')
    return "\n".join(lines) + "\n"


# ---- JSON logs ----

_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "request_id"}
_make_record = logging.getLogRecordFactory()


def _record_with_request_id(*args: Any, **kwargs: Any) -> logging.LogRecord:
    # Taken when the record is made, so a handler that formats later (a queue, a test's
    # capture) still knows the request.
    record = _make_record(*args, **kwargs)
    record.request_id = REQUEST_ID.get()
    return record


logging.setLogRecordFactory(_record_with_request_id)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id and any extras."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None) or REQUEST_ID.get()
        if request_id:
            data["request_id"] = request_id
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_") and key not in data:
                data[key] = value
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, default=str, ensure_ascii=False)


def log_config(fmt: str, level: str = "INFO") -> dict[str, Any]:
    """logging.config dict for `workmate serve`/`worker`: JSON lines (or plain text) on stderr,
    uvicorn's own loggers included; the access log is ours (it knows the request id)."""
    formatter = (
        {"()": "workmate.observability.JsonFormatter"}
        if fmt == "json"
        else {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"default": formatter},
        "handlers": {
            "default": {
                "class": "logging.StreamHandler",
                "formatter": "default",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"handlers": ["default"], "level": level},
        "loggers": {
            "uvicorn": {"handlers": [], "propagate": True},
            "uvicorn.error": {"handlers": [], "propagate": True},
            "uvicorn.access": {"handlers": [], "propagate": False},
        },
    }

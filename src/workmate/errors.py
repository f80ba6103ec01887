"""Domain errors carry their HTTP status; one handler turns them into JSON.

Body of every 4xx/5xx: {"error": "<ClassName>", "detail": "<our words>", "field": "<name>"|null}.
No database or driver text ever reaches a client.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)


class WorkmateError(Exception):
    status_code = 500
    headers: dict[str, str] | None = None

    def __init__(
        self, detail: str, *, field: str | None = None, params: Mapping[str, Any] | None = None
    ) -> None:
        # `detail` is an English message template; with `params` its {placeholders} are
        # filled for the API, and the web UI translates the template and formats the values
        # for its locale (German numbers and dates).
        self.template = detail
        self.params: Mapping[str, Any] = params or {}
        detail = (
            detail.format(**{k: _plain(v) for k, v in self.params.items()}) if params else detail
        )
        super().__init__(detail)
        self.detail = detail
        self.field = field
        # Rows to store although the request fails (audit of a denial, a failed login):
        # the request's transaction is rolled back first, then these are committed.
        self.after_rollback: list[Any] = []
        # True when the request's own work must stand although it fails: a failed login's
        # counted attempt is committed in the same transaction that held the rate-limit locks,
        # so no parallel attempt can read the count before it (nothing else is written then).
        self.commit = False


def _plain(value: Any) -> Any:
    """A param as the API's English detail shows it (a list of items joined)."""
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    return value


class InvalidValue(ValueError):
    """A validator's refusal as a message template with params (the web UI translates it)."""

    def __init__(self, template: str, **params: Any) -> None:
        self.template = template
        self.params = params
        super().__init__(template.format(**{k: _plain(v) for k, v in params.items()}))


def msg(text: str) -> str:
    """Mark an English text that ends up in a refusal (translated by the web UI's catalog)."""
    return text


class BadRequest(WorkmateError):
    status_code = 400


class Unauthorized(WorkmateError):
    status_code = 401

    def __init__(self, detail: str = "authentication required", *, field: str | None = None):
        super().__init__(detail, field=field)
        self.headers = {"WWW-Authenticate": "Bearer"}


class Forbidden(WorkmateError):
    status_code = 403


class NotFound(WorkmateError):
    status_code = 404

    def __init__(self, entity: str, *, field: str | None = None) -> None:
        super().__init__("{entity} not found", field=field, params={"entity": entity})


class Conflict(WorkmateError):
    status_code = 409


class Gone(WorkmateError):
    status_code = 410


class RequestTimeout(WorkmateError):
    status_code = 408


class PayloadTooLarge(WorkmateError):
    status_code = 413


class UnsupportedMediaType(WorkmateError):
    status_code = 415


class Invalid(WorkmateError):
    """Input that is well-formed but breaks a rule: 422 naming the field."""

    status_code = 422


class TooManyRequests(WorkmateError):
    status_code = 429

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail)
        self.headers = {"Retry-After": str(retry_after)}


class ServiceUnavailable(WorkmateError):
    status_code = 503


def constraint_error(exc: BaseException) -> WorkmateError:
    """Our words for a unique, check, exclusion or foreign-key violation (workmate.constraints)."""
    from workmate.constraints import error_for

    err = error_for(constraint_name(exc), still_referenced=_still_referenced(exc))
    return err or Conflict("the change conflicts with data already stored")


def _still_referenced(exc: BaseException) -> bool:
    """A foreign key refused a delete (the row is in use), not an insert (target missing)."""
    if sqlstate(exc) != "23503":
        return False
    orig = getattr(exc, "orig", exc)
    for candidate in (getattr(orig, "__cause__", None), orig):
        detail = getattr(candidate, "detail", None)
        if detail:
            return "is still referenced" in str(detail)
    return False


def sqlstate(exc: BaseException) -> str | None:
    """The SQLSTATE of a driver error wrapped by SQLAlchemy, if any."""
    orig = getattr(exc, "orig", exc)
    for candidate in (getattr(orig, "__cause__", None), orig):
        code = getattr(candidate, "sqlstate", None) or getattr(candidate, "pgcode", None)
        if code:
            return str(code)
    return None


def constraint_name(exc: BaseException) -> str | None:
    """The violated constraint's name of a driver error wrapped by SQLAlchemy, if any."""
    orig = getattr(exc, "orig", exc)
    for candidate in (getattr(orig, "__cause__", None), orig):
        name = getattr(candidate, "constraint_name", None)
        if name:
            return str(name)
    return None


def trigger_message(exc: BaseException) -> str | None:
    """Message of one of our own triggers (SQLSTATE class WM); never driver text otherwise."""
    code = sqlstate(exc)
    if code and code.startswith("WM"):
        orig = getattr(exc, "orig", exc)
        cause = getattr(orig, "__cause__", None) or orig
        return str(getattr(cause, "message", None) or cause).splitlines()[0]
    return None


# Messages of our triggers that carry values (RAISE ... '%'), as message templates: a refusal
# that matches one keeps the template and its values apart, so the web UI can translate it
# (the API's detail is the same text either way). Only refusals no service checks first.
TRIGGER_TEMPLATES = (
    # A locked (approved or company-closed) month refuses changes to its time, breaks and
    # absences; nothing checks this before the database does.
    "month {month} of this employee is closed; a manager must reopen it first",
)


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{(\w+)\}", template)
    regex = "".join(
        re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts)
    )
    return re.compile(regex)


_TRIGGER_PATTERNS = [(t, _pattern(t)) for t in TRIGGER_TEMPLATES]


def _template_of(message: str) -> tuple[str, dict[str, str] | None]:
    """The template and values of a trigger message, or the message itself without values."""
    for template, pattern in _TRIGGER_PATTERNS:
        found = pattern.fullmatch(message)
        if found is not None:
            return template, found.groupdict()
    return message, None


def from_database(exc: DBAPIError) -> WorkmateError | None:
    """Translate a constraint or trigger refusal into a domain error, or None if it is neither."""
    message = trigger_message(exc)
    if message is not None:
        template, params = _template_of(message)
        kind = Invalid if sqlstate(exc) == "WM422" else Conflict
        return kind(template, params=params)
    if isinstance(exc, IntegrityError):
        return constraint_error(exc)
    if sqlstate(exc) == "22003":
        # Last line of defence: services check what they store, but a value or a derived
        # amount too large for its column is the client's input, never a 500.
        return Invalid("a number is too large for the field it is stored in")
    return None


def body(error: str, detail: Any, field: str | None = None) -> dict[str, Any]:
    return {"error": error, "detail": detail, "field": field}


def _location_field(loc: tuple[Any, ...]) -> str | None:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) or None


def install_handlers(app: FastAPI) -> None:
    @app.exception_handler(WorkmateError)
    async def domain_error(request: Request, exc: WorkmateError) -> JSONResponse:
        return JSONResponse(
            body(type(exc).__name__, exc.detail, exc.field),
            status_code=exc.status_code,
            headers=exc.headers,
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        first = errors[0] if errors else {"loc": (), "msg": "invalid request"}
        field = _location_field(tuple(first.get("loc", ())))
        message = str(first.get("msg", "invalid"))
        detail = f"{field}: {message}" if field else message
        payload = body("ValidationError", detail, field)
        payload["errors"] = [
            {"field": _location_field(tuple(e.get("loc", ()))), "message": e.get("msg")}
            for e in errors
        ]
        return JSONResponse(payload, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        name = {404: "NotFound", 405: "MethodNotAllowed", 413: "PayloadTooLarge"}.get(
            exc.status_code, "HTTPError"
        )
        return JSONResponse(
            body(name, exc.detail), status_code=exc.status_code, headers=exc.headers
        )

    @app.exception_handler(DBAPIError)
    async def database_error(request: Request, exc: DBAPIError) -> JSONResponse:
        err = from_database(exc)
        if err is not None:
            return JSONResponse(body(type(err).__name__, err.detail, err.field), err.status_code)
        log.exception("database error", exc_info=exc)
        return JSONResponse(body("DatabaseError", "the database refused the request"), 500)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return JSONResponse(body("InternalError", "internal error"), 500)

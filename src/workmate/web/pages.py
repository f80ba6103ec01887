"""The server-rendered web UI (Jinja2), mounted under /.

Pages call the same services as the API. Errors keep the API's JSON format under /api and
become pages everywhere else: 401 sends the browser to the login page, other errors render
an error page in the user's language.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, RedirectResponse, Response
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from workmate.auth.deps import public
from workmate.errors import WorkmateError, from_database
from workmate.web.forms import translate
from workmate.web.i18n import formatter
from workmate.web.render import page_locale, render
from workmate.web.routes import (
    admin,
    banking,
    customers,
    dashboard,
    departments,
    expenses,
    exports,
    invoices,
    jobs,
    projects,
    purchases,
    reminders,
    sales,
    session,
    time,
    worktime,
)

log = logging.getLogger(__name__)

STATIC_DIR = (Path(__file__).parent / "static").resolve()
# Paths that are not pages: they keep the JSON error body clients of the API rely on.
NON_PAGE_PREFIXES = ("/api/", "/healthz", "/static/")

Handler = Any


def is_page(request: Request) -> bool:
    path = request.url.path
    return not any(path == p.rstrip("/") or path.startswith(p) for p in NON_PAGE_PREFIXES)


def login_redirect(request: Request) -> RedirectResponse:
    target = request.url.path
    if request.url.query:
        target += "?" + request.url.query
    # Only GET pages come back after login; a form POST would be replayed without its data.
    suffix = f"?next={quote(target, safe='')}" if request.method == "GET" and target != "/" else ""
    return RedirectResponse(f"/login{suffix}", status_code=303)


def error_page(
    request: Request, status: int, detail: str | WorkmateError | None = None
) -> Response:
    who = getattr(request.state, "principal", None)
    fmt = formatter(page_locale(request, who))
    titles = {
        403: fmt.gettext("Access denied"),
        404: fmt.gettext("Page not found"),
        409: fmt.gettext("Conflict"),
        429: fmt.gettext("Too many attempts"),
    }
    messages = {
        403: fmt.gettext("Your role does not allow this page."),
        404: fmt.gettext("This page does not exist or has been removed."),
    }
    title = titles.get(status, fmt.gettext("Something went wrong"))
    if isinstance(detail, WorkmateError):
        detail = translate(detail, fmt)
    message = messages.get(status) or (
        detail if detail and status < 500 else fmt.gettext("Please try again later.")
    )
    return render(request, "error.html", who, status_code=status, title=title, message=message)


def install_page_errors(app: FastAPI) -> None:
    """Wrap the app's JSON error handlers: pages get redirects and HTML, the API stays JSON."""
    json_domain: Handler = app.exception_handlers[WorkmateError]
    json_http: Handler = app.exception_handlers[StarletteHTTPException]
    json_validation: Handler = app.exception_handlers[RequestValidationError]

    async def domain(request: Request, exc: Exception) -> Response:
        if not is_page(request):
            return await json_domain(request, exc)  # type: ignore[no-any-return]
        assert isinstance(exc, WorkmateError)
        if exc.status_code == 401:
            return login_redirect(request)
        return error_page(request, exc.status_code, exc)

    async def http(request: Request, exc: Exception) -> Response:
        if not is_page(request):
            return await json_http(request, exc)  # type: ignore[no-any-return]
        assert isinstance(exc, StarletteHTTPException)
        return error_page(request, exc.status_code)

    async def validation(request: Request, exc: Exception) -> Response:
        if not is_page(request):
            return await json_validation(request, exc)  # type: ignore[no-any-return]
        return error_page(request, 400)

    json_database: Handler = app.exception_handlers[DBAPIError]
    json_unexpected: Handler = app.exception_handlers[Exception]

    async def database(request: Request, exc: Exception) -> Response:
        if not is_page(request):
            return await json_database(request, exc)  # type: ignore[no-any-return]
        assert isinstance(exc, DBAPIError)
        err = from_database(exc)
        if err is None:
            log.exception("database error", exc_info=exc)
            return error_page(request, 500)
        return error_page(request, err.status_code, err)

    async def unexpected(request: Request, exc: Exception) -> Response:
        if not is_page(request):
            return await json_unexpected(request, exc)  # type: ignore[no-any-return]
        log.exception("unhandled error", exc_info=exc)
        return error_page(request, 500)

    app.add_exception_handler(WorkmateError, domain)
    app.add_exception_handler(StarletteHTTPException, http)
    app.add_exception_handler(RequestValidationError, validation)
    app.add_exception_handler(DBAPIError, database)
    app.add_exception_handler(Exception, unexpected)


async def static_file(path: str) -> Response:
    """Our CSS and JS; a path leaving the static folder is simply not found."""
    target = (STATIC_DIR / path).resolve()
    if not target.is_file() or STATIC_DIR not in target.parents:
        raise StarletteHTTPException(404)
    return FileResponse(target, headers={"Cache-Control": "public, max-age=3600"})


async def favicon() -> Response:
    """The icon browsers ask for on their own, before or without reading a page."""
    return FileResponse(
        STATIC_DIR / "favicon.svg",
        media_type="image/svg+xml",
        headers={"Cache-Control": "public, max-age=86400"},
    )


def mount(app: FastAPI) -> None:
    """Attach the web pages and static files to the app."""
    app.add_api_route(
        "/favicon.ico",
        favicon,
        methods=["GET"],
        dependencies=[Depends(public)],
        include_in_schema=False,
    )
    app.add_api_route(
        "/static/{path:path}",
        static_file,
        methods=["GET"],
        dependencies=[Depends(public)],
        include_in_schema=False,
    )
    for module in (
        session,
        dashboard,
        customers,
        projects,
        time,
        invoices,
        sales,
        banking,
        expenses,
        purchases,
        reminders,
        exports,
        worktime,
        departments,
        jobs,
        admin,
    ):
        app.include_router(module.router, include_in_schema=False)
    install_page_errors(app)

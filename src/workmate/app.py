"""The FastAPI application: API under /api/v1, web UI under /, one error format."""

from __future__ import annotations

import inspect
import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute, APIWebSocketRoute
from sqlalchemy.ext.asyncio import AsyncEngine

from workmate import __version__, api_docs
from workmate.audit import endpoints as audit
from workmate.auth import endpoints as auth
from workmate.banking import endpoints as banking
from workmate.chat import endpoints as chat
from workmate.chat import live as chat_live
from workmate.company import endpoints as company
from workmate.config import get_settings
from workmate.customers import endpoints as customers
from workmate.dashboards import endpoints as dashboards
from workmate.db import make_engine, make_sessionmaker, resolve_database_url
from workmate.dbproblems import explain
from workmate.documents import endpoints as documents
from workmate.dunning import endpoints as dunning
from workmate.einvoice import endpoints as einvoice
from workmate.employees import endpoints as employees
from workmate.errors import install_handlers
from workmate.expenses import endpoints as expenses
from workmate.exports import endpoints as exports
from workmate.headers import SecurityHeaders
from workmate.health import router as health_router
from workmate.invoices import endpoints as invoices
from workmate.jobs import endpoints as jobs
from workmate.jobs import worker as job_worker
from workmate.limits import RequestLimits
from workmate.migrate import current_revision, head_revision
from workmate.observability import RequestContext
from workmate.outbox import endpoints as outbox
from workmate.payments import endpoints as payments
from workmate.projects import endpoints as projects
from workmate.purchases import endpoints as purchases
from workmate.quotes import endpoints as quotes
from workmate.recurring import endpoints as recurring
from workmate.reminders import endpoints as reminders
from workmate.time_entries import endpoints as time_entries
from workmate.worktime import endpoints as worktime

log = logging.getLogger(__name__)

API_ROUTERS = (
    auth.router,
    employees.router,
    audit.router,
    customers.router,
    projects.router,
    chat.router,
    reminders.router,
    time_entries.router,
    company.router,
    invoices.router,
    einvoice.router,
    payments.router,
    banking.router,
    expenses.router,
    documents.router,
    dashboards.router,
    exports.router,
    purchases.router,
    worktime.router,
    jobs.router,
    outbox.router,
    quotes.router,
    recurring.router,
    dunning.router,
)


# Per-process background work (LISTEN/NOTIFY fan-out, the in-process job worker); each is an
# async context manager taking the app, entered after the database is ready.
LIFESPAN_HOOKS = (chat_live.lifespan, job_worker.lifespan)


class DatabaseNotReady(RuntimeError):
    """The database is unreachable or not migrated; the message says what to do."""


async def check_database(engine: AsyncEngine) -> None:
    try:
        current = await current_revision(engine)
    except Exception as exc:
        raise DatabaseNotReady(
            explain(exc, engine.url.render_as_string(hide_password=True))
            or f"cannot reach the database ({type(exc).__name__}); "
            "check WORKMATE_DATABASE_URL and that the server runs"
        ) from None
    head = head_revision()
    if current != head:
        raise DatabaseNotReady(
            f"database is at migration {current or 'none'}, this Workmate needs {head}; "
            "run 'workmate db upgrade'"
        )


def create_app(
    *, database_url: str | None = None, engine: AsyncEngine | None = None, check: bool = True
) -> FastAPI:
    """Build the app. Without arguments it uses the configured or embedded database."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = engine is None
        url = database_url or (None if engine is not None else resolve_database_url())
        eng = engine or make_engine(url or "")
        if check:
            await check_database(eng)
        app.state.engine = eng
        app.state.sessionmaker = make_sessionmaker(eng)
        app.state.database_url = url
        try:
            async with AsyncExitStack() as stack:
                for hook in LIFESPAN_HOOKS:
                    await stack.enter_async_context(hook(app))
                yield
        finally:
            if own:
                await eng.dispose()

    app = FastAPI(
        title="Workmate",
        version=__version__,
        description="Backoffice and CRM for small companies.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    if engine is not None:
        # Tests and embedders that hand in an engine get a working app without lifespan.
        app.state.engine = engine
        app.state.sessionmaker = make_sessionmaker(engine)
    install_handlers(app)
    settings = get_settings()
    app.add_middleware(
        RequestLimits, max_body=settings.body_max_bytes, max_upload=settings.upload_max_bytes
    )
    app.add_middleware(SecurityHeaders, cookie_secure=settings.cookie_secure)
    # Outermost, even around Starlette's error middleware: the request id exists before
    # anything logs (the traceback of an unexpected error too), and every answer carries it.
    build = app.build_middleware_stack
    app.build_middleware_stack = lambda: RequestContext(build())  # type: ignore[method-assign]
    for router in API_ROUTERS:
        include_flat(app, router, API_PREFIX)
    app.include_router(health_router)
    api_docs.mount(app)
    _mount_web(app)
    return app


API_PREFIX = "/api/v1"

# What an APIRoute was built with, to build it again on the app (all but path and endpoint,
# and the overrides provider, which is the app's own).
_ROUTE_ARGS = tuple(
    name
    for name in inspect.signature(APIRoute.__init__).parameters
    if name in inspect.signature(APIRouter.add_api_route).parameters
    and name not in ("self", "path", "endpoint", "dependency_overrides_provider")
)


def include_flat(app: FastAPI, router: APIRouter, prefix: str) -> None:
    """Add `router`'s routes to the app itself, each path under `prefix`.

    FastAPI >= 0.16x keeps an included router as a node that every request walks through
    (its routes, their include contexts, a version check per level): with 20 API routers
    nested under /api/v1 that was 0.2-0.8 ms of CPU per request before a route was found,
    more the later its router. A flat table of the same routes, built with the same
    arguments, matches in a single pass (tests/test_read_path.py: same OpenAPI document).
    """
    for route in router.routes:
        if isinstance(route, APIRoute):
            args = {name: getattr(route, name) for name in _ROUTE_ARGS}
            app.router.add_api_route(prefix + route.path, route.endpoint, **args)
        elif isinstance(route, APIWebSocketRoute):
            app.router.add_api_websocket_route(
                prefix + route.path,
                route.endpoint,
                name=route.name,
                dependencies=route.dependencies,
            )
        else:
            raise TypeError(f"cannot include {route!r} flat")


def _mount_web(app: FastAPI) -> None:
    from workmate.web import pages

    pages.mount(app)

"""Deny by default: every route declares the permission it needs, or says it is public."""

from __future__ import annotations

from typing import Any

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, APIWebSocketRoute

from workmate.app import create_app
from workmate.auth.deps import declared_permission
from workmate.auth.permissions import MODULES

# Routes FastAPI itself adds for the API docs.
FRAMEWORK = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}


def permissions_of(dependant: Dependant) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    if dependant.call is not None and (perm := declared_permission(dependant.call)):
        found.append(perm)
    for sub in dependant.dependencies:
        found.extend(permissions_of(sub))
    return found


def walk(routes: list[Any], prefix: str = "", inherited: tuple[Any, ...] = ()) -> list[Any]:
    """(path, route, router-level dependencies) for every route, through included routers.

    FastAPI >= 0.16x keeps included routers as nodes instead of copying their routes.
    """
    found: list[Any] = []
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            context = route.include_context
            found += walk(
                included.routes, prefix + context.prefix, inherited + tuple(context.dependencies)
            )
        elif isinstance(route, APIRoute | APIWebSocketRoute):
            found.append((prefix + route.path, route, inherited))
    return found


def route_permissions(route: Any, inherited: tuple[Any, ...]) -> list[tuple[str, str]]:
    perms = permissions_of(route.dependant)
    perms += [p for dep in inherited if (p := declared_permission(dep.dependency))]
    return perms


def app_routes() -> list[Any]:
    app = create_app(check=False)
    return [r for r in walk(list(app.routes)) if r[0] not in FRAMEWORK]


def test_every_route_declares_a_permission() -> None:
    routes = app_routes()
    assert any(path == "/healthz" for path, _, _ in routes)
    missing = [
        f"{','.join(sorted(getattr(r, 'methods', None) or ['WS']))} {path}"
        for path, r, inherited in routes
        if not route_permissions(r, inherited)
    ]
    assert missing == []


def test_declared_permissions_exist_in_the_vocabulary() -> None:
    for path, route, inherited in app_routes():
        for module, action in route_permissions(route, inherited):
            if module == "*":
                assert action in ("public", "authenticated", "session"), path
            else:
                assert action in MODULES[module], f"{path}: {module}.{action}"


def test_the_walk_finds_an_undeclared_route() -> None:
    """The check itself can fail: a route without a declaration is reported."""
    from fastapi import APIRouter, FastAPI

    app = FastAPI()
    router = APIRouter()

    @router.get("/naked")
    async def naked() -> dict[str, str]:
        return {}

    app.include_router(router, prefix="/x")
    [(path, route, inherited)] = [r for r in walk(list(app.routes)) if r[0] not in FRAMEWORK]
    assert path == "/x/naked"
    assert route_permissions(route, inherited) == []


# DELETE routes that need no `<module>.delete`, each with its reason.
DELETE_WITHOUT_DELETE_PERMISSION = {
    "/api/v1/invoices/{invoice_id}/lines/{line_id}": "editing a draft (invoices.write)",
    "/api/v1/auth/sessions/{session_id}": "one's own session",
    "/api/v1/auth/tokens/{token_id}": "one's own token",
    "/api/v1/departments/{department_id}": "organisation admin",
    "/api/v1/roles/{role_id}": "organisation admin",
    "/api/v1/worktime/contracts/{contract_id}": "worktime has no delete: manage",
    "/api/v1/worktime/bookings/{booking_id}": "worktime has no delete: manage",
    "/api/v1/worktime/breaks/{break_id}": "worktime has no delete: one's own record",
    "/api/v1/worktime/feed": "one's own calendar URL",
    "/api/v1/projects/{project_id}/members/{employee_id}": "staffing is a project edit",
    "/api/v1/dunning/stops/customers/{customer_id}": "lifting a dunning stop (invoices.write)",
    "/api/v1/dunning/stops/invoices/{invoice_id}": "lifting a dunning stop (invoices.write)",
}


def test_delete_routes_need_their_modules_delete_permission() -> None:
    """Issue 13, item 9: a DELETE that removes a record needs `<module>.delete`, not write."""
    wrong = []
    for path, route, inherited in app_routes():
        if "DELETE" not in (getattr(route, "methods", None) or ()):
            continue
        if path in DELETE_WITHOUT_DELETE_PERMISSION:
            continue
        perms = route_permissions(route, inherited)
        if not any(action == "delete" for _module, action in perms):
            wrong.append(f"DELETE {path}: {perms}")
    assert wrong == []

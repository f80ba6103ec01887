"""Request authentication and the permission every route declares.

Every route depends on exactly one of `require(module, action)`, `authenticated` or `public`;
tests/test_route_permissions.py walks the app and fails on a route that declares none.
Deny by default: an unknown credential is 401, a missing permission 403 (audited).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, Request

from workmate.audit.service import entry
from workmate.auth.principal import Principal
from workmate.auth.service import auth_service
from workmate.db import SessionDep
from workmate.errors import Forbidden, Unauthorized

SESSION_COOKIE = "wm_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def client_addr(request: Request) -> str | None:
    return request.client.host if request.client else None


async def _csrf_ok(request: Request, expected: str) -> bool:
    import hmac

    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        "application/x-www-form-urlencoded"
    ):
        form = await request.form()
        value = form.get("csrf_token")
        sent = value if isinstance(value, str) else None
    return sent is not None and hmac.compare_digest(sent, expected)


async def current_principal(request: Request, db: SessionDep) -> Principal:
    """The caller, from a Bearer token or the session cookie; 401 otherwise.

    Looked up on every request, so a revoked session or token, a deactivated employee or a
    changed role takes effect on the very next request.
    """
    cached = getattr(request.state, "principal", None)
    if isinstance(cached, Principal):
        return cached
    addr = client_addr(request)
    header = request.headers.get("authorization", "")
    principal: Principal | None = None
    if header:
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise Unauthorized("use 'Authorization: Bearer <token>'")
        principal = await auth_service.from_token(db, secret.strip(), addr)
    elif cookie := request.cookies.get(SESSION_COOKIE):
        principal = await auth_service.from_session(db, cookie, addr)
        # Cookies ride along on cross-site requests; a state change needs the session's
        # CSRF token as well (header for scripts, form field for plain forms).
        if (
            principal is not None
            and request.method not in SAFE_METHODS
            and not await _csrf_ok(request, principal.extra["csrf_token"])
        ):
            raise Forbidden("missing or wrong CSRF token", field=CSRF_HEADER)
    if principal is None:
        raise Unauthorized()
    request.state.principal = principal
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require(module: str, action: str) -> Callable[..., Awaitable[Principal]]:
    """Dependency: the caller must hold `action` on `module`; a denial is audited."""
    from workmate.auth.permissions import MODULES

    if action not in MODULES.get(module, ()):
        raise ValueError(f"unknown permission {module}.{action}")

    async def check(request: Request, who: CurrentPrincipal) -> Principal:
        if not who.can(module, action):
            denied = Forbidden(f"your role may not {action} {module.replace('_', ' ')}")
            denied.after_rollback = [
                entry(
                    who,
                    "permission_denied",
                    module,
                    None,
                    {"action": [None, action], "path": [None, request.url.path]},
                )
            ]
            raise denied
        return who

    check.__permission__ = (module, action)  # type: ignore[attr-defined]
    check.__name__ = f"require_{module}_{action}"
    return check


async def authenticated(who: CurrentPrincipal) -> Principal:
    """Any logged-in employee (for their own profile, tokens, logout)."""
    return who


authenticated.__permission__ = ("*", "authenticated")  # type: ignore[attr-defined]


async def public() -> None:
    """No authentication: login, health check. Declared explicitly, never by omission."""


public.__permission__ = ("*", "public")  # type: ignore[attr-defined]


async def password_login(who: CurrentPrincipal) -> Principal:
    """A caller who logged in with their password (a web session), not with an API token:
    a token must not mint further tokens that outlive its own revocation."""
    if who.session_id is None:
        raise Forbidden(
            "creating an API token needs a login with your password (a web session), "
            "not an API token"
        )
    return who


password_login.__permission__ = ("*", "session")  # type: ignore[attr-defined]

LoggedIn = Annotated[Principal, Depends(authenticated)]
SessionLogin = Annotated[Principal, Depends(password_login)]
Public = Depends(public)


def declared_permission(call: Any) -> tuple[str, str] | None:
    perm = getattr(call, "__permission__", None)
    return perm if isinstance(perm, tuple) else None

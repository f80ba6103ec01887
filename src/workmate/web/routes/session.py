"""Login, logout and the language switch."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response

from workmate.auth.deps import SESSION_COOKIE, LoggedIn, client_addr, public
from workmate.auth.service import auth_service
from workmate.config import get_settings
from workmate.db import SessionDep
from workmate.employees.service import InvitationInvalid, employee_service, invitation_service
from workmate.errors import Invalid, TooManyRequests, Unauthorized
from workmate.web.forms import domain_error
from workmate.web.i18n import LOCALES, formatter, normalize
from workmate.web.render import LOCALE_COOKIE, page_locale, render
from workmate.web.routes.common import form_data, safe_next, see_other, undo

router = APIRouter()

# Login CSRF (an attacker logging a victim into the attacker's account) is blocked with a
# double-submit token: a random cookie that the form must echo. There is no session yet
# whose token could be used.
LOGIN_CSRF_COOKIE = "wm_login_csrf"


def _login_page(
    request: Request,
    *,
    token: str,
    next_url: str,
    email: str = "",
    error: str | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    notice: str | None = None,
) -> Response:
    response = render(
        request,
        "login.html",
        None,
        status_code=status_code,
        headers=headers,
        login_csrf=token,
        next=next_url,
        email=email,
        error=error,
        # Inside the login card (not the page-wide notice): it is about this form.
        welcome=notice,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=get_settings().cookie_secure is True,
        path="/login",
    )
    return response


@router.get("/login", dependencies=[Depends(public)])
async def login_form(
    request: Request,
    db: SessionDep,
    next: Annotated[str, Query(max_length=2000)] = "/",
    lang: Annotated[str | None, Query(max_length=5)] = None,
    welcome: bool = False,
) -> Response:
    """The login form; a live session goes straight on; after an invitation was used, it
    says the password is set."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie and await auth_service.from_session(db, cookie, client_addr(request)):
        return see_other(safe_next(next))
    if lang:
        # The choice before login is the browser's; after login the employee's own setting.
        response = see_other(f"/login?next={safe_next(next)}")
        response.set_cookie(
            LOCALE_COOKIE, normalize(lang), max_age=365 * 86400, samesite="lax", httponly=True
        )
        return response
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)
    notice = None
    if welcome:
        notice = formatter(page_locale(request, None)).gettext(
            "Your password is set. Log in with your e-mail address and the new password."
        )
    return _login_page(request, token=token, next_url=safe_next(next), notice=notice)


@router.post("/login", dependencies=[Depends(public)])
async def login(request: Request, db: SessionDep) -> Response:
    """Check the password through the auth service and open a session cookie."""
    form = await form_data(request)
    fmt = formatter(page_locale(request, None))
    email = form.get("email", "").strip()
    next_url = safe_next(form.get("next"))
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    sent = form.get("csrf_token", "")
    fresh = secrets.token_urlsafe(32)
    if not expected or not hmac.compare_digest(expected, sent):
        return _login_page(
            request,
            token=fresh,
            next_url=next_url,
            email=email,
            error=fmt.gettext("The form has expired. Please log in again."),
            status_code=400,
        )
    try:
        new_session, _employee = await auth_service.login(
            db,
            email,
            form.get("password", ""),
            client_addr=client_addr(request),
            user_agent=request.headers.get("user-agent"),
        )
    except TooManyRequests as exc:
        await undo(db, exc)
        retry = int((exc.headers or {}).get("Retry-After", "60"))
        minutes = max(1, -(-retry // 60))
        message = fmt.ngettext(
            "Too many failed attempts. Please try again in %(num)d minute.",
            "Too many failed attempts. Please try again in %(num)d minutes.",
            minutes,
        )
        return _login_page(
            request,
            token=fresh,
            next_url=next_url,
            email=email,
            error=message,
            status_code=429,
            headers=exc.headers,
        )
    except Unauthorized as exc:
        await undo(db, exc)
        return _login_page(
            request,
            token=fresh,
            next_url=next_url,
            email=email,
            error=fmt.gettext("Email or password is wrong."),
            status_code=401,
        )
    response = see_other(next_url)
    settings = get_settings()
    response.set_cookie(
        SESSION_COOKIE,
        new_session.cookie,
        expires=new_session.expires_at,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure is True,
        path="/",
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
async def logout(who: LoggedIn, db: SessionDep) -> Response:
    """End this browser's session (the CSRF token was checked with the principal)."""
    if who.session_id is not None:
        await auth_service.logout(db, who.session_id, who)
    response = see_other("/login")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post("/preferences/locale")
async def set_locale(request: Request, who: LoggedIn, db: SessionDep) -> Response:
    """Store the employee's UI language (employees.locale)."""
    form = await form_data(request)
    locale = form.get("locale", "")
    response = see_other(safe_next(form.get("next")))
    if locale in LOCALES:
        await employee_service.update_profile(db, who, {"locale": locale})
    return response


# The secret in the address is the only key: no CSRF token is needed where nothing can be
# done without knowing it; the page is never cached and sends no referrer (see headers).
InvitationToken = Annotated[str, Path(min_length=16, max_length=100)]


def _invitation_page(
    request: Request, token: str, *, errors: dict[str, str], status_code: int = 200
) -> Response:
    return render(
        request,
        "invitation.html",
        None,
        status_code=status_code,
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
        token=token,
        errors=errors,
        values={},
    )


@router.get("/invitation/{token}", dependencies=[Depends(public)])
async def invitation_form(request: Request, token: InvitationToken, db: SessionDep) -> Response:
    """The set-password form of an open invitation; a used, revoked or expired one is refused."""
    try:
        await invitation_service.employee_for(db, token)
    except InvitationInvalid:
        return _invitation_page(request, "", errors={}, status_code=410)
    return _invitation_page(request, token, errors={})


@router.post("/invitation/{token}", dependencies=[Depends(public)])
async def accept_invitation(request: Request, token: InvitationToken, db: SessionDep) -> Response:
    """Set the password (same rules as everywhere) and use the link up; then log in."""
    form = await form_data(request)
    fmt = formatter(page_locale(request, None))
    password = form.get("password", "")
    if password != form.get("password_again", ""):
        errors = {"password_again": fmt.gettext("The two passwords differ.")}
        return _invitation_page(request, token, errors=errors, status_code=422)
    try:
        await invitation_service.accept(db, token, password)
    except InvitationInvalid as exc:
        await undo(db, exc)
        return _invitation_page(request, "", errors={}, status_code=410)
    except Invalid as exc:
        await undo(db, exc)
        errors = domain_error(exc, ("password",))
        return _invitation_page(request, token, errors=errors, status_code=422)
    return see_other("/login?welcome=1")

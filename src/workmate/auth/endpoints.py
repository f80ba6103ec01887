"""HTTP routes for authentication (thin: validate, call the service, shape the answer)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response, status

from workmate.auth.deps import SESSION_COOKIE, LoggedIn, Public, SessionLogin, client_addr
from workmate.auth.schemas import (
    LoginIn,
    LoginOut,
    MeRead,
    MeUpdate,
    PasswordChange,
    SessionRead,
    TokenCreate,
    TokenCreated,
    TokenRead,
)
from workmate.auth.service import NewSession, auth_service
from workmate.config import get_settings
from workmate.db import SessionDep
from workmate.employees.service import employee_service
from workmate.models import AuthSession

router = APIRouter(prefix="/auth", tags=["authentication"])


def set_session_cookie(response: Response, session: NewSession) -> None:
    """The session cookie as the API and the web UI set it: HttpOnly (no script reads it),
    SameSite=Lax (no cross-site POST carries it), Secure unless configured for plain http."""
    response.set_cookie(
        SESSION_COOKIE,
        session.cookie,
        expires=session.expires_at,
        path="/",
        httponly=True,
        samesite="lax",
        secure=get_settings().cookie_secure is True,
    )
    response.headers["Cache-Control"] = "no-store"


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(
        SESSION_COOKIE,
        path="/",
        httponly=True,
        samesite="lax",
        secure=get_settings().cookie_secure is True,
    )


@router.post("/login", response_model=LoginOut, dependencies=[Public])
async def login(data: LoginIn, request: Request, response: Response, db: SessionDep) -> LoginOut:
    """Log in with email and password: sets the HttpOnly session cookie and returns the CSRF
    token; one answer for unknown email and wrong password; 429 after too many failures."""
    session, employee = await auth_service.login(
        db,
        data.email,
        data.password,
        client_addr=client_addr(request),
        user_agent=request.headers.get("user-agent"),
    )
    set_session_cookie(response, session)
    me = await employee_service.me_of(db, employee)
    return LoginOut(employee=me, csrf_token=session.csrf_token, expires_at=session.expires_at)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(who: LoggedIn, db: SessionDep) -> Response:
    """End the current web session and clear its cookie (a Bearer token stays valid: revoke
    it under /auth/tokens)."""
    if who.session_id is not None:
        await auth_service.logout(db, who.session_id, who)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    clear_session_cookie(response)
    return response


@router.get("/me", response_model=MeRead)
async def me(who: LoggedIn, db: SessionDep) -> MeRead:
    """The logged-in employee, with role name and permissions as they stand now."""
    return await employee_service.me(db, who)


@router.patch("/me", response_model=MeRead)
async def update_me(data: MeUpdate, who: LoggedIn, db: SessionDep) -> MeRead:
    """Change one's own name and language; role, department and activity are refused (422)."""
    return await employee_service.update_profile(db, who, data.model_dump(exclude_unset=True))


@router.put("/me/password", status_code=status.HTTP_204_NO_CONTENT)
async def change_password(data: PasswordChange, who: LoggedIn, db: SessionDep) -> Response:
    """Change one's own password (current one required); every other session ends."""
    await auth_service.change_password(db, who, data.current_password, data.new_password)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/sessions", response_model=list[SessionRead])
async def list_sessions(who: LoggedIn, db: SessionDep) -> list[AuthSession]:
    """The caller's live web sessions."""
    return await auth_service.sessions(db, who)


@router.delete("/sessions/{session_id}", status_code=status.HTTP_204_NO_CONTENT)
async def revoke_session(session_id: uuid.UUID, who: LoggedIn, db: SessionDep) -> Response:
    """End one of one's own sessions (e.g. a forgotten browser); others' are 404."""
    await auth_service.revoke_own_session(db, who, session_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/tokens", response_model=TokenCreated, status_code=status.HTTP_201_CREATED)
async def create_token(data: TokenCreate, who: SessionLogin, db: SessionDep) -> TokenCreated:
    """Create a personal API token (only from a password login, never with another token);
    the secret is in this answer and never shown again."""
    token = await auth_service.issue_token(db, who, data.name, data.expires_at)
    return TokenCreated(**TokenRead.model_validate(token.record).model_dump(), token=token.secret)


@router.get("/tokens", response_model=list[TokenRead])
async def list_tokens(who: LoggedIn, db: SessionDep) -> list[TokenRead]:
    """The caller's own tokens that are not revoked (prefix only, never the secret)."""
    return [TokenRead.model_validate(t) for t in await auth_service.tokens(db, who)]


@router.delete("/tokens/{token_id}", status_code=status.HTTP_204_NO_CONTENT)
async def revoke_token(token_id: uuid.UUID, who: LoggedIn, db: SessionDep) -> Response:
    """Revoke one of one's own tokens; it is refused from the next request on."""
    await auth_service.revoke_token(db, who, token_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)

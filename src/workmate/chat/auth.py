"""Permission aliases for project chat, including the WebSocket's own authentication.

Who is on a project (may read and post in its chat, besides holding chat.read/chat.write):
its members (put there by a projects.write holder), employees of the project's department, and
holders of projects.write (managers and admins who run projects). Booking time on a project
grants nothing. Everybody else gets 404.
"""

from __future__ import annotations

import uuid
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, WebSocket, WebSocketException, status
from sqlalchemy.ext.asyncio import AsyncSession

from workmate.auth.deps import SESSION_COOKIE, require
from workmate.auth.principal import Principal
from workmate.auth.service import auth_service
from workmate.chat.service import chat_service
from workmate.db import transaction
from workmate.errors import WorkmateError

ChatRead = Annotated[Principal, Depends(require("chat", "read"))]
ChatWrite = Annotated[Principal, Depends(require("chat", "write"))]


def _same_origin(websocket: WebSocket) -> bool:
    # Browsers send cookies on cross-site WebSocket handshakes and there is no CSRF header;
    # the Origin must therefore match the host the socket was opened on.
    origin = websocket.headers.get("origin")
    return origin is None or urlsplit(origin).netloc == websocket.headers.get("host")


async def _authenticate(websocket: WebSocket, db: AsyncSession) -> Principal | None:
    """The socket's credential as it stands now: None once revoked, expired or deactivated."""
    header = websocket.headers.get("authorization", "")
    cookie = websocket.cookies.get(SESSION_COOKIE)
    addr = websocket.client.host if websocket.client else None
    if header:
        scheme, _, secret = header.partition(" ")
        if scheme.lower() == "bearer" and secret.strip():
            return await auth_service.from_token(db, secret.strip(), addr)
    elif cookie and _same_origin(websocket):
        return await auth_service.from_session(db, cookie, addr)
    return None


async def still_allowed(websocket: WebSocket, project_id: uuid.UUID) -> bool:
    """Whether the socket's caller may still read the project's chat: credential live,
    employee active, chat.read held (the role as it is now), still on the project."""
    maker = getattr(websocket.app.state, "sessionmaker", None)
    if maker is None:
        return False
    try:
        async with maker() as db, transaction(db):
            principal = await _authenticate(websocket, db)
            if principal is None or not principal.can("chat", "read"):
                return False
            await chat_service.ensure_on_project(db, principal, project_id)
    except WorkmateError:
        return False
    return True


async def socket_principal(websocket: WebSocket) -> Principal:
    """The caller of a WebSocket, by Bearer token or session cookie, holding chat.read."""
    maker = getattr(websocket.app.state, "sessionmaker", None)
    if maker is None:
        raise WebSocketException(status.WS_1011_INTERNAL_ERROR, "database not configured")
    async with maker() as db, transaction(db):
        principal = await _authenticate(websocket, db)
    if principal is None:
        raise WebSocketException(status.WS_1008_POLICY_VIOLATION, "authentication required")
    if not principal.can("chat", "read"):
        raise WebSocketException(status.WS_1008_POLICY_VIOLATION, "your role may not read chat")
    return principal


socket_principal.__permission__ = ("chat", "read")  # type: ignore[attr-defined]

ChatSocket = Annotated[Principal, Depends(socket_principal)]

"""Permission aliases for project chat, including the WebSocket's own authentication.

Who is on a project (may read and post in its chat, besides holding chat.read/chat.write):
its members (put there by a projects.write holder), employees of the project's department, and
holders of projects.write (managers and admins who run projects). Booking time on a project
grants nothing. Everybody else gets 404.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, WebSocket, WebSocketException, status

from workmate.auth.deps import SESSION_COOKIE, require
from workmate.auth.principal import Principal
from workmate.auth.service import auth_service
from workmate.db import transaction

ChatRead = Annotated[Principal, Depends(require("chat", "read"))]
ChatWrite = Annotated[Principal, Depends(require("chat", "write"))]


def _same_origin(websocket: WebSocket) -> bool:
    # Browsers send cookies on cross-site WebSocket handshakes and there is no CSRF header;
    # the Origin must therefore match the host the socket was opened on.
    origin = websocket.headers.get("origin")
    return origin is None or urlsplit(origin).netloc == websocket.headers.get("host")


async def socket_principal(websocket: WebSocket) -> Principal:
    """The caller of a WebSocket, by Bearer token or session cookie, holding chat.read."""
    maker = getattr(websocket.app.state, "sessionmaker", None)
    if maker is None:
        raise WebSocketException(status.WS_1011_INTERNAL_ERROR, "database not configured")
    header = websocket.headers.get("authorization", "")
    cookie = websocket.cookies.get(SESSION_COOKIE)
    addr = websocket.client.host if websocket.client else None
    principal: Principal | None = None
    async with maker() as db, transaction(db):
        if header:
            scheme, _, secret = header.partition(" ")
            if scheme.lower() == "bearer" and secret.strip():
                principal = await auth_service.from_token(db, secret.strip(), addr)
        elif cookie and _same_origin(websocket):
            principal = await auth_service.from_session(db, cookie, addr)
    if principal is None:
        raise WebSocketException(status.WS_1008_POLICY_VIOLATION, "authentication required")
    if not principal.can("chat", "read"):
        raise WebSocketException(status.WS_1008_POLICY_VIOLATION, "your role may not read chat")
    return principal


socket_principal.__permission__ = ("chat", "read")  # type: ignore[attr-defined]

ChatSocket = Annotated[Principal, Depends(socket_principal)]

"""Headers every answer gets (a pure ASGI middleware, so no route can forget them).

* `X-Content-Type-Options: nosniff` on every response: a browser never guesses a type.
* `Cache-Control: no-store` on the API (`/api/...`, `/openapi.json`, `/healthz`) unless the
  route chose otherwise: answers carry personal and business data that no shared cache and no
  browser history may keep.
* Cookies are `Secure` by default (`WORKMATE_COOKIE_SECURE` unset): every cookie we set gets the
  attribute unless the request came over plain HTTP to a server bound to a loopback address
  (`workmate serve` on 127.0.0.1, the local default), where a Secure cookie could never come
  back. `WORKMATE_COOKIE_SECURE=true` makes them Secure always, `false` never (plain HTTP on a
  LAN address, at your own risk). Behind a TLS proxy on the same machine, let the proxy send
  `X-Forwarded-Proto: https` (uvicorn trusts it from 127.0.0.1) or set the variable to true.
"""

from __future__ import annotations

from ipaddress import ip_address

from starlette.types import ASGIApp, Message, Receive, Scope, Send

NO_STORE_PREFIXES = ("/api/", "/openapi.json", "/healthz")


def loopback(host: str | None) -> bool:
    if host is None:
        return False
    if host == "localhost":
        return True
    try:
        return ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def cookies_secure(scope: Scope, configured: bool | None) -> bool:
    """Whether this request's cookies must be Secure (see the module's rule)."""
    if configured is not None:
        return configured
    server = scope.get("server") or (None, None)
    return not (scope.get("scheme") == "http" and loopback(server[0]))


class SecurityHeaders:
    """nosniff everywhere, no-store on the API, Secure cookies by default."""

    def __init__(self, app: ASGIApp, *, cookie_secure: bool | None) -> None:
        self.app = app
        self.cookie_secure = cookie_secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        no_store = path.startswith(NO_STORE_PREFIXES)
        secure = cookies_secure(scope, self.cookie_secure)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = _amend(list(message.get("headers", [])), no_store, secure)
            await send(message)

        await self.app(scope, receive, with_headers)


def _amend(
    headers: list[tuple[bytes, bytes]], no_store: bool, secure: bool
) -> list[tuple[bytes, bytes]]:
    names = {name.lower() for name, _ in headers}
    if b"x-content-type-options" not in names:
        headers.append((b"x-content-type-options", b"nosniff"))
    if no_store and b"cache-control" not in names:
        headers.append((b"cache-control", b"no-store"))
    if secure:
        headers = [
            (name, value + b"; Secure")
            if name.lower() == b"set-cookie" and not _has_secure(value)
            else (name, value)
            for name, value in headers
        ]
    return headers


def _has_secure(cookie: bytes) -> bool:
    # Attributes follow the first ';' (the value itself may hold any token).
    return any(part.strip().lower() == b"secure" for part in cookie.split(b";")[1:])

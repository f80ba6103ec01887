"""Request limits checked before any route runs (a pure ASGI middleware).

* A NUL byte in the path or in any query parameter is a 422 naming the parameter: PostgreSQL
  cannot hold NUL in text, so without this a search for "a%00b" ended in a driver error (500).
* A request body other than a multipart upload (JSON, a web form, anything else) may hold at
  most `WORKMATE_BODY_MAX_BYTES` (default 2 MiB): above it the answer is 413, as soon as the
  declared Content-Length or the bytes received so far pass the limit, so a 30 MB note is never
  read whole into memory. Multipart uploads have their own limit (`WORKMATE_UPLOAD_MAX_BYTES`),
  enforced while they stream to storage; here they are only capped at that limit plus 1 MiB
  for the form, which bounds what a route taking an `UploadFile` spools to disk before it
  runs (FastAPI reads such a form before authenticating).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from workmate.errors import body

MULTIPART = b"multipart/form-data"
# Room for the form fields and part headers of a multipart upload beside its file.
FORM_ALLOWANCE = 1024 * 1024


class BodyTooLarge(HTTPException):
    """Raised from the body stream when it passes the limit; the app's handler answers 413."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body larger than {limit} bytes")


def nul_parameter(scope: Scope) -> str | None:
    """The name of the first query parameter (or "path") holding a NUL byte, or None."""
    if "\x00" in scope.get("path", ""):
        return "path"
    raw: bytes = scope.get("query_string", b"")
    if b"%00" not in raw.lower() and b"\x00" not in raw:
        return None
    for name, value in parse_qsl(raw.decode("latin-1"), keep_blank_values=True):
        if "\x00" in name or "\x00" in value:
            return name.replace("\x00", "") or "query"
    return None


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return bytes(value)
    return None


async def _answer(send: Send, status: int, payload: dict[str, Any]) -> None:
    data = json.dumps(payload).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(data)).encode()),
                (b"x-content-type-options", b"nosniff"),
                (b"cache-control", b"no-store"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": data})


class RequestLimits:
    """NUL in query or path: 422; a non-upload body above `max_body` bytes: 413."""

    def __init__(self, app: ASGIApp, *, max_body: int, max_upload: int) -> None:
        self.app = app
        self.max_body = max_body
        self.max_upload = max_upload + FORM_ALLOWANCE

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        bad = nul_parameter(scope)
        if bad is not None:
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008})
                return
            detail = f"{bad}: must not contain NUL bytes"
            payload = body("ValidationError", detail, bad)
            payload["errors"] = [{"field": bad, "message": "must not contain NUL bytes"}]
            await _answer(send, 422, payload)
            return
        if scope["type"] == "websocket":
            await self.app(scope, receive, send)
            return
        limit = self.max_upload if self._is_upload(scope) else self.max_body
        declared = _header(scope, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _answer(
                send, 413, body("PayloadTooLarge", f"request body larger than {limit} bytes")
            )
            return
        await self.app(scope, self._counting(receive, limit), send)

    @staticmethod
    def _is_upload(scope: Scope) -> bool:
        content_type = (_header(scope, b"content-type") or b"").lower()
        return content_type.split(b";", 1)[0].strip() == MULTIPART

    @staticmethod
    def _counting(receive: Receive, limit: int) -> Receive:
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(limit)
            return message

        return counted

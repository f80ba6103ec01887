"""A streaming multipart/form-data reader: the file part goes straight to storage, chunk by chunk.

Starlette's `request.form()` spools the whole upload before the handler sees it; here the body
is parsed as it arrives, so a too-large file is refused as soon as the limit is passed and the
file is never whole in memory.
"""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from workmate.documents.storage import Stored
from workmate.errors import BadRequest, Invalid, PayloadTooLarge, UnsupportedMediaType

# Room for the form fields and part headers beside the file itself.
FORM_OVERHEAD = 64 * 1024
MAX_FIELD_BYTES = 4096
FILE_FIELD = "file"

# (part's file name, part's declared Content-Type, chunks) -> what storage made of them.
Store = Callable[[str, str | None, AsyncIterator[bytes]], Awaitable[Stored]]


@dataclass
class Form:
    fields: dict[str, str] = field(default_factory=dict)
    filename: str | None = None
    stored: Stored | None = None


def boundary_of(content_type: str | None) -> bytes:
    """The multipart boundary; 415 for anything but multipart/form-data."""
    kind, params = parse_options_header(content_type or "")
    boundary = params.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise UnsupportedMediaType(
            "send the file as multipart/form-data with a boundary", field="Content-Type"
        )
    if len(boundary) > 200:
        raise BadRequest("multipart boundary too long", field="Content-Type")
    return boundary


class _Events:
    """Feeds body chunks to the push parser and hands its events out one at a time."""

    def __init__(self, body: AsyncIterator[bytes], boundary: bytes, max_body: int) -> None:
        self._body = body.__aiter__()
        self._pending: deque[tuple[str, Any]] = deque()
        self._max_body = max_body
        self._read = 0
        self._done = False
        self._name = b""
        self._value = b""
        self._parser = MultipartParser(
            boundary,
            {
                "on_part_begin": lambda: self._pending.append(("begin", None)),
                "on_part_data": self._data,
                "on_part_end": lambda: self._pending.append(("end", None)),
                "on_header_field": self._header_field,
                "on_header_value": self._header_value,
                "on_header_end": self._header_end,
            },
        )

    def _data(self, data: bytes, start: int, end: int) -> None:
        self._pending.append(("data", bytes(data[start:end])))

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._name += data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def _header_end(self) -> None:
        self._pending.append(("header", (self._name.lower(), self._value)))
        self._name = self._value = b""

    async def next(self) -> tuple[str, Any] | None:
        while not self._pending:
            if self._done:
                return None
            try:
                chunk = await anext(self._body)
            except StopAsyncIteration:
                self._done = True
                self._parser.finalize()
                continue
            self._read += len(chunk)
            if self._read > self._max_body:
                raise PayloadTooLarge("the upload is larger than allowed", field=FILE_FIELD)
            try:
                self._parser.write(chunk)
            except MultipartParseError:
                raise BadRequest("malformed multipart body") from None
        return self._pending.popleft()


async def read_form(
    body: AsyncIterator[bytes], content_type: str | None, *, max_file_bytes: int, store: Store
) -> Form:
    """Parse the body; the one part named `file` is handed to `store` while it streams in."""
    events = _Events(body, boundary_of(content_type), max_file_bytes + FORM_OVERHEAD)
    form = Form()
    headers: dict[bytes, bytes] = {}

    async def part_chunks() -> AsyncIterator[bytes]:
        while (event := await events.next()) is not None:
            if event[0] == "end":
                return
            if event[0] == "data":
                yield event[1]
        raise BadRequest("the upload ended in the middle of a part")

    async def file_chunks(first: bytes | None) -> AsyncIterator[bytes]:
        if first is None:  # an empty file part: its end has already been read
            return
        yield first
        async for chunk in part_chunks():
            yield chunk

    while (event := await events.next()) is not None:
        kind, value = event
        if kind == "begin":
            headers = {}
        elif kind == "header":
            if len(headers) >= 8:
                raise BadRequest("too many part headers")
            headers[value[0]] = value[1]
        elif kind == "data" or kind == "end":
            # Only reached for the first data of a part (file parts are consumed below).
            disposition, params = parse_options_header(headers.get(b"content-disposition"))
            name = params.get(b"name", b"").decode("latin-1")
            if disposition != b"form-data" or not name:
                raise BadRequest("a multipart part without a form-data name")
            if name == FILE_FIELD and b"filename" in params:
                if form.stored is not None:
                    raise Invalid("send exactly one file per upload", field=FILE_FIELD)
                form.filename = params[b"filename"].decode("utf-8", errors="replace")
                declared = headers.get(b"content-type")
                form.stored = await store(
                    form.filename,
                    declared.decode("latin-1") if declared else None,
                    file_chunks(value if kind == "data" else None),
                )
            else:
                text = value if kind == "data" else b""
                if kind == "data":
                    async for more in part_chunks():
                        text += more
                        if len(text) > MAX_FIELD_BYTES:
                            break
                if len(text) > MAX_FIELD_BYTES:
                    raise Invalid(f"{name} is too long", field=name)
                if len(form.fields) >= 20:
                    raise BadRequest("too many form fields")
                try:
                    form.fields[name] = text.decode("utf-8")
                except UnicodeDecodeError:
                    raise Invalid(f"{name} is not UTF-8 text", field=name) from None
    return form

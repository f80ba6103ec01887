"""A real SMTP server on loopback (aiosmtpd) that accepts, refuses or drops, and settings
that point the outbox at it."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from workmate.config import Settings


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Handler:
    """What the server does with DATA: '250' accepts; any other reply is sent as a refusal."""

    reply: str = "250 Message accepted for delivery"
    received: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    tries: int = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.tries += 1
        if self.reply.startswith("250"):
            parsed = message_from_bytes(envelope.content, policy=policy.default)
            assert isinstance(parsed, EmailMessage)
            self.received.append(parsed)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return self.reply


@dataclass
class SmtpServer:
    handler: Handler
    port: int

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def settings(self, **overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "smtp_url": self.url,
            "smtp_timeout_seconds": 5,
            "mail_retry_seconds": 0,
            "mail_max_attempts": 3,
        }
        values.update(overrides)
        return Settings(**values)


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """aiosmtpd on 127.0.0.1, a free port, in its own thread."""
    handler = Handler()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpServer(handler, port)
    finally:
        controller.stop()


class _Dropper:
    """A server that accepts TCP connections and closes them at once (no greeting)."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.connections = 0
        self._ready = threading.Event()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)

        async def drop(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            self.connections += 1
            writer.close()

        server = self._loop.run_until_complete(asyncio.start_server(drop, "127.0.0.1", self.port))
        self._ready.set()
        self._loop.run_forever()
        server.close()

    def __enter__(self) -> _Dropper:
        self._thread.start()
        self._ready.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


@pytest.fixture
def dropping_server() -> Iterator[_Dropper]:
    with _Dropper() as server:
        yield server

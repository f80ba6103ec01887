"""SMTP delivery (aiosmtplib): the server named by WORKMATE_SMTP_URL, STARTTLS or implicit TLS."""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Literal
from urllib.parse import unquote, urlsplit

import aiosmtplib

TlsMode = Literal["implicit", "starttls", "opportunistic"]
# Every way a delivery can fail that is worth another try later (refusals, drops, timeouts).
DELIVERY_ERRORS = (aiosmtplib.SMTPException, OSError, TimeoutError)


class BadSmtpUrl(ValueError):
    """WORKMATE_SMTP_URL cannot be understood."""


@dataclass(frozen=True, slots=True)
class SmtpConfig:
    host: str
    port: int
    tls: TlsMode
    username: str | None = None
    password: str | None = None
    timeout: float = 30.0
    ca_file: str | None = None


def parse_smtp_url(url: str, timeout: float = 30.0, ca_file: str | None = None) -> SmtpConfig:
    """smtp://user:pw@host:587 (STARTTLS when the server offers it), smtp+starttls://...
    (STARTTLS required), smtps://host:465 (implicit TLS)."""
    parts = urlsplit(url)
    modes: dict[str, tuple[TlsMode, int]] = {
        "smtp": ("opportunistic", 25),
        "smtp+starttls": ("starttls", 587),
        "smtps": ("implicit", 465),
    }
    if parts.scheme not in modes or not parts.hostname:
        raise BadSmtpUrl("WORKMATE_SMTP_URL must look like smtp://user:pw@host:587 or smtps://...")
    tls, default_port = modes[parts.scheme]
    try:
        port = parts.port or default_port
    except ValueError as exc:
        raise BadSmtpUrl("WORKMATE_SMTP_URL has an invalid port") from exc
    return SmtpConfig(
        host=parts.hostname,
        port=port,
        tls=tls,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        timeout=timeout,
        ca_file=ca_file,
    )


async def send(config: SmtpConfig, message: EmailMessage) -> str:
    """Hand `message` to the server; returns its reply. Raises one of DELIVERY_ERRORS when the
    server refuses (4xx, 5xx), drops the connection or does not answer."""
    # Certificates are always verified (host name too); ca_file adds a company's own CA.
    context = ssl.create_default_context(cafile=config.ca_file)
    errors, reply = await aiosmtplib.send(
        message,
        hostname=config.host,
        port=config.port,
        username=config.username,
        password=config.password,
        use_tls=config.tls == "implicit",
        # None: upgrade when the server offers STARTTLS; True: refuse a server without it.
        start_tls=True
        if config.tls == "starttls"
        else (None if config.tls != "implicit" else False),
        tls_context=context,
        timeout=config.timeout,
    )
    if errors:
        # Some recipients refused while others were accepted: the message went out; keep the
        # refusals in the reply so the outbox shows them.
        refused = "; ".join(f"{addr}: {resp.code} {resp.message}" for addr, resp in errors.items())
        return f"{reply} (refused: {refused})"
    return reply

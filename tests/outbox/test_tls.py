"""Delivery over TLS against a real aiosmtpd server with a certificate made for the test:
implicit TLS (smtps://) and STARTTLS required (smtp+starttls://), the certificate verified."""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.einvoice import L, make_buyer, make_issued_invoice, make_seller
from tests.outbox.conftest import Handler
from workmate.config import Settings
from workmate.outbox.flows import outbox_flows

API = "/api/v1"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for localhost (openssl), used as its own CA."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return cert, key


def _context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*map(str, certificate))
    return context


@pytest.fixture(params=["smtps", "smtp+starttls"])
def tls_server(
    request: pytest.FixtureRequest, certificate: tuple[Path, Path]
) -> Iterator[tuple[Handler, str]]:
    handler = Handler()
    port = _port()
    context = _context(certificate)
    kwargs: dict[str, Any] = (
        {"ssl_context": context}
        if request.param == "smtps"
        else {"tls_context": context, "require_starttls": True}
    )
    controller = Controller(handler, hostname="localhost", port=port, **kwargs)
    controller.start()
    try:
        yield handler, f"{request.param}://localhost:{port}"
    finally:
        controller.stop()


async def test_delivery_over_tls_verifies_the_certificate(
    db: AsyncSession,
    as_admin: httpx.AsyncClient,
    tls_server: tuple[Handler, str],
    certificate: tuple[Path, Path],
) -> None:
    handler, url = tls_server
    await make_seller(db)
    invoice = await make_issued_invoice(
        db, [L("Beratung", Decimal(1), Decimal(100))], await make_buyer(db)
    )
    sent = (await as_admin.post(f"{API}/invoices/{invoice.id}/send", json={})).json()
    untrusted = Settings(smtp_url=url, smtp_timeout_seconds=5, mail_retry_seconds=0)
    assert await outbox_flows.deliver(db, sent["id"], untrusted) == "retry"
    assert handler.received == []
    trusted = Settings(
        smtp_url=url,
        smtp_timeout_seconds=5,
        mail_retry_seconds=0,
        smtp_ca_file=str(certificate[0]),
    )
    assert await outbox_flows.deliver(db, sent["id"], trusted) == "sent"
    [mail] = handler.received
    assert mail["Message-ID"] == sent["smtp_message_id"]

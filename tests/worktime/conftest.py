"""Fixtures for working-time tests: the real SMTP server of the outbox tests."""

from tests.outbox.conftest import smtp_server  # noqa: F401 (a fixture, used by name)

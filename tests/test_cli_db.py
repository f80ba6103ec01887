"""`workmate db` and `serve` answer a bad database with a message and a non-zero exit."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from tests.conftest import TEMPLATE, _recreate, worker_name
from workmate.cli.main import app
from workmate.config import get_settings

UNREACHABLE = "postgresql://postgres@127.0.0.1:1/nowhere"


def invoke(monkeypatch: pytest.MonkeyPatch, url: str, *args: str) -> tuple[int, str]:
    monkeypatch.setenv("WORKMATE_DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, list(args))
    finally:
        get_settings.cache_clear()
    return result.exit_code, result.output


@pytest.fixture
def empty_url(request: pytest.FixtureRequest, server_url: str) -> str:
    return _recreate(server_url, f"wm_test_{worker_name(request.config)}_empty")


def test_current_on_unreachable_server(monkeypatch: pytest.MonkeyPatch) -> None:
    code, output = invoke(monkeypatch, UNREACHABLE, "db", "current")
    assert code == 1
    assert "cannot reach the database" in output
    assert "Traceback" not in output


def test_upgrade_on_unreachable_server(monkeypatch: pytest.MonkeyPatch) -> None:
    code, output = invoke(monkeypatch, UNREACHABLE, "db", "upgrade")
    assert code == 1
    assert "cannot reach the database" in output


def test_serve_refuses_an_unmigrated_database(
    monkeypatch: pytest.MonkeyPatch, empty_url: str
) -> None:
    code, output = invoke(monkeypatch, empty_url, "serve", "--no-migrate")
    assert code == 1
    assert "run 'workmate db upgrade'" in output


def test_current_on_an_empty_database(monkeypatch: pytest.MonkeyPatch, empty_url: str) -> None:
    code, output = invoke(monkeypatch, empty_url, "db", "current")
    assert code == 0
    assert output.startswith("empty (behind")


def test_current_on_a_migrated_database(
    monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest, server_url: str
) -> None:
    url = _recreate(server_url, f"wm_test_{worker_name(request.config)}_current", TEMPLATE)
    code, output = invoke(monkeypatch, url, "db", "current")
    assert code == 0
    assert "up to date" in output

"""Day one: a new installation's mistakes end in one line with the fix, never a traceback;
the demo never enters a database holding the user's data; the embedded server stops."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import pytest
from typer.testing import CliRunner

from tests.conftest import TEMPLATE, _recreate, free_port, with_database, worker_name
from workmate.cli.main import app
from workmate.config import get_settings

PASSWORD = "ein-langes-passwort-2026\n"


def invoke(url: str | None, *args: str, stdin: str | None = None) -> tuple[int, str]:
    env = {"WORKMATE_DATABASE_URL": url} if url else {}
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, list(args), env=env, input=stdin)
    finally:
        get_settings.cache_clear()
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), result.exception
    return result.exit_code, result.output


def count(url: str, sql: str) -> int:
    async def go() -> int:
        conn = await asyncpg.connect(url)
        try:
            return int(await conn.fetchval(sql))
        finally:
            await conn.close()

    import asyncio

    return asyncio.run(go())


ADMIN = ("admin", "create", "--email", "chefin@firma.de", "--firstname", "Anna")
ADMIN_ARGS = (*ADMIN, "--lastname", "Muster", "--password-stdin")


class TestBadDatabaseURL:
    @pytest.mark.parametrize(
        "command", [("db", "upgrade"), ("db", "current"), ("demo",), ADMIN_ARGS]
    )
    def test_missing_database_names_createdb(
        self, server_url: str, command: tuple[str, ...]
    ) -> None:
        url = with_database(server_url, "wm_no_such_database")
        code, output = invoke(url, *command, stdin=PASSWORD)
        assert code == 1
        assert "database 'wm_no_such_database' does not exist" in output
        assert "createdb -h" in output
        assert "wm_no_such_database" in output
        assert "Traceback" not in output
        assert len(output.strip().splitlines()) == 1

    @pytest.mark.parametrize("command", [("db", "upgrade"), ("demo",), ADMIN_ARGS])
    def test_unknown_role_names_createuser(self, server_url: str, command: tuple[str, ...]) -> None:
        parts = urlsplit(with_database(server_url, "postgres"))
        # Keep host, port and the socket folder (`?host=` of the embedded server) as they are.
        hostport = parts.netloc.rpartition("@")[2]
        url = parts._replace(netloc=f"wm_nobody_role@{hostport}").geturl()
        code, output = invoke(url, *command, stdin=PASSWORD)
        assert code == 1, output
        assert "refused role 'wm_nobody_role'" in output
        assert "createuser" in output

    @pytest.mark.parametrize("command", [("db", "upgrade"), ("db", "current"), ("demo",)])
    def test_other_database_kind_names_the_url_form(self, command: tuple[str, ...]) -> None:
        code, output = invoke("mysql://root:geheim@127.0.0.1/crm", *command)
        assert code == 1
        assert "not a PostgreSQL URL" in output
        assert "postgresql://" in output
        assert "geheim" not in output

    def test_unreachable_server(self) -> None:
        code, output = invoke(f"postgresql://postgres@127.0.0.1:{free_port()}/x", "demo")
        assert code == 1
        assert "cannot reach the database at 127.0.0.1" in output


class TestFirstAdministrator:
    def test_admin_create_migrates_a_new_database(
        self, server_url: str, request: pytest.FixtureRequest
    ) -> None:
        url = _recreate(server_url, f"wm_test_{worker_name(request.config)}_first_admin")
        code, output = invoke(url, *ADMIN_ARGS, stdin=PASSWORD)
        assert code == 0, output
        assert "migrating to" in output
        assert count(url, "SELECT count(*) FROM employees") == 1


class TestDemoNeverMixesWithRealData:
    @pytest.fixture
    def real(self, server_url: str, request: pytest.FixtureRequest) -> str:
        url = _recreate(server_url, f"wm_test_{worker_name(request.config)}_real", TEMPLATE)
        code, output = invoke(url, *ADMIN_ARGS, stdin=PASSWORD)
        assert code == 0, output
        return url

    def test_if_empty_skips_a_database_with_only_the_administrator(self, real: str) -> None:
        code, output = invoke(real, "demo", "--if-empty")
        assert code == 0
        assert "demo not loaded" in output
        assert "chefin@firma.de" in output
        assert count(real, "SELECT count(*) FROM employees") == 1
        assert count(real, "SELECT count(*) FROM customers") == 0

    def test_force_does_not_override_real_data(self, real: str) -> None:
        code, output = invoke(real, "demo", "--force")
        assert code == 1
        assert "holds your own data" in output
        assert count(real, "SELECT count(*) FROM employees") == 1


def test_serve_says_the_address_is_taken_before_claiming_to_run(server_url: str) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, output = invoke(
            with_database(server_url, TEMPLATE), "serve", "--port", str(port), "--no-migrate"
        )
    assert code == 1
    assert f"127.0.0.1:{port} is already in use" in output
    assert "running at" not in output


def _postgres_running(pgdata: Path) -> bool:
    pid_file = pgdata / "postmaster.pid"
    if not pid_file.exists():
        return False
    pid = int(pid_file.read_text().splitlines()[0])
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.skipif(sys.platform != "linux", reason="embedded server layout of Linux")
def test_embedded_postgres_stops_with_the_server_and_by_db_stop(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    data.chmod(0o777)  # as root the embedded server runs as its own system user
    tmp_path.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k != "WORKMATE_DATABASE_URL"}
    env["WORKMATE_DATA_DIR"] = str(data)
    exe = [sys.executable, "-m", "workmate.cli.main"]
    port = free_port()
    proc = subprocess.Popen(
        [*exe, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    assert proc.stdout is not None
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        lines.append(line)
        if "Application startup complete" in line or proc.poll() is not None:
            break
    output = "".join(lines)
    assert "Creating the embedded PostgreSQL database" in output
    assert "Database: embedded PostgreSQL" in output
    assert _postgres_running(data / "pgdata"), output
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=60)
    assert not _postgres_running(data / "pgdata")

    started = subprocess.run(
        [*exe, "db", "current"], env=env, capture_output=True, text=True, timeout=120
    )
    assert started.returncode == 0, started.stderr
    assert _postgres_running(data / "pgdata")  # other commands leave it for the next one
    stopped = subprocess.run(
        [*exe, "db", "stop"], env=env, capture_output=True, text=True, timeout=60
    )
    assert "stopped" in stopped.stdout
    assert not _postgres_running(data / "pgdata")


class TestExportTarget:
    @pytest.fixture
    def url(self, server_url: str, request: pytest.FixtureRequest) -> str:
        return _recreate(server_url, f"wm_test_{worker_name(request.config)}_out", TEMPLATE)

    NAME = "EXTF_Buchungsstapel_20260101_20260131.csv"

    def _datev(self, url: str, out: str) -> tuple[int, str]:
        return invoke(
            url, "export", "datev", "--from", "2026-01-01", "--to", "2026-01-31", "--out", out
        )

    def test_a_new_folder_with_missing_parents_gets_the_standard_name(
        self, url: str, tmp_path: Path
    ) -> None:
        code, output = self._datev(url, f"{tmp_path}/steuer/2026/")
        assert code == 0, output
        assert (tmp_path / "steuer" / "2026" / self.NAME).is_file()

    def test_a_name_without_extension_is_a_folder_and_a_file_name_is_kept(
        self, url: str, tmp_path: Path
    ) -> None:
        assert self._datev(url, str(tmp_path / "datev"))[0] == 0
        assert (tmp_path / "datev" / self.NAME).is_file()
        assert self._datev(url, str(tmp_path / "x" / "buchungen.csv"))[0] == 0
        assert (tmp_path / "x" / "buchungen.csv").is_file()

    def test_output_flags_are_the_same_everywhere(self) -> None:
        from typer.main import get_command

        root = get_command(app)
        names = {"datev": ("export", "datev"), "archive": ("invoices", "export")}
        for path in [*names.values(), ("customers", "export"), ("bank", "demo-statement")]:
            command: Any = root
            for part in path:
                command = command.commands[part]  # type: ignore[attr-defined]
            out = next(p for p in command.params if "--out" in p.opts)
            assert {"--out", "--output", "-o"} <= set(out.opts), path

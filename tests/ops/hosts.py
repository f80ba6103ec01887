"""Real `workmate serve` processes for the multi-host and shutdown tests."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.conftest import ROOT


def start_host(
    database_url: str, port: int, data_dir: Path, *, workers: int = 1, **env: str
) -> subprocess.Popen[bytes]:
    """`workmate serve` on 127.0.0.1:port with its own data folder; waits for /healthz."""
    data_dir.mkdir(parents=True, exist_ok=True)
    environment = {
        **os.environ,
        "WORKMATE_DATABASE_URL": database_url,
        "WORKMATE_DATA_DIR": str(data_dir),
        "WORKMATE_LOG_FORMAT": "json",
        **env,
    }
    log = (data_dir / "server.log").open("ab")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "workmate.cli.main",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-migrate",
            "--workers",
            str(workers),
        ],
        env=environment,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            raise RuntimeError(
                f"server exited with {proc.returncode}: {(data_dir / 'server.log').read_text()}"
            )
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError("server did not start in 120 s")


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)

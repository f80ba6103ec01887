from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from tests import s3server
from tests.conftest import RUN_ID
from workmate.config import Settings, get_settings


@pytest.fixture(params=["local", "s3"], autouse=True)
def files_settings(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Settings:
    """Settings whose data folder (and so files_dir) is this test's own temporary folder; every
    documents test runs once with files on disk and once in a fresh bucket of a real S3 server."""
    settings = get_settings()
    monkeypatch.setattr(settings, "data_dir", tmp_path / "data")
    if request.param == "s3":
        target = s3server.bucket(RUN_ID)
        prefix = f"t{uuid.uuid4().hex}/files"
        monkeypatch.setattr(settings, "storage_url", f"s3://{target.bucket}/{prefix}")
        monkeypatch.setattr(settings, "s3_endpoint_url", target.endpoint)
        monkeypatch.setattr(settings, "s3_region", "us-east-1")
        monkeypatch.setattr(settings, "s3_access_key_id", s3server.KEYS["aws_access_key_id"])
        monkeypatch.setattr(
            settings, "s3_secret_access_key", s3server.KEYS["aws_secret_access_key"]
        )
    return settings

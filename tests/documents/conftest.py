from __future__ import annotations

from pathlib import Path

import pytest

from workmate.config import Settings, get_settings


@pytest.fixture(autouse=True)
def files_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings whose data folder (and so files_dir) is this test's own temporary folder."""
    settings = get_settings()
    monkeypatch.setattr(settings, "data_dir", tmp_path / "data")
    return settings

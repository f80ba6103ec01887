from __future__ import annotations

from pathlib import Path

import pytest

from workmate.config import Settings, get_settings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "einvoice"


def example_files() -> list[Path]:
    """Every official example: CEN CII and UBL, XRechnung test suite, ZUGFeRD PDFs."""
    return sorted(
        p for p in FIXTURES.rglob("*") if p.suffix.lower() in (".xml", ".pdf") and p.is_file()
    )


def expected_official(path: Path) -> str:
    """The official verdict as the examples' sources document it (SOURCE.md)."""
    return "FAIL" if "expected-fail" in path.parts else "ok"


@pytest.fixture(autouse=True)
def files_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings whose data folder (and so files_dir) is this test's own temporary folder."""
    settings = get_settings()
    monkeypatch.setattr(settings, "data_dir", tmp_path / "data")
    return settings

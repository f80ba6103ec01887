"""External checkers: the shared EN 16931 validator and poppler. Tests skip with the reason
when one is missing (users' clones have no ../shared)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VALIDATOR = ROOT.parent / "shared" / "einvoice" / "validate"


def validate(*files: Path) -> dict[str, str]:
    """File name -> 'ok' or the failure text, from one run of ../shared/einvoice/validate."""
    if not VALIDATOR.exists():
        pytest.skip(f"EN 16931 validator {VALIDATOR} is absent (it lives in ../shared)")
    result = subprocess.run(
        [str(VALIDATOR), *map(str, files)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if result.returncode not in (0, 1):
        pytest.fail(f"validator could not run: {result.stderr.strip()}")
    verdicts: dict[str, str] = {}
    for line in result.stdout.splitlines():
        if line.startswith("ok "):
            verdicts[Path(line[3:]).name] = "ok"
        elif line.startswith("FAIL "):
            name, _, why = line[5:].partition(": ")
            verdicts[Path(name).name] = why
    return verdicts


def need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"{tool} is not installed (apt-get install poppler-utils)")
    return path


def pdf_text(path: Path) -> str:
    """The PDF's text as pdftotext extracts it (raw order, so a line's words stay together)."""
    out = subprocess.run(
        [need("pdftotext"), "-raw", str(path), "-"], capture_output=True, check=True, timeout=60
    )
    return out.stdout.decode()


def render_pages(path: Path, out_dir: Path) -> list[Path]:
    """Render every page to PNG with pdftoppm; returns the images."""
    subprocess.run(
        [need("pdftoppm"), "-r", "40", "-png", str(path), str(out_dir / path.stem)],
        capture_output=True,
        check=True,
        timeout=120,
    )
    return sorted(out_dir.glob(f"{path.stem}*.png"))


def page_count(path: Path) -> int:
    out = subprocess.run(
        [need("pdfinfo"), str(path)], capture_output=True, check=True, text=True, timeout=60
    )
    for line in out.stdout.splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    raise AssertionError("pdfinfo printed no page count")

"""`workmate customers import/export` against a committed database."""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from pathlib import Path

import pytest

pytestmark = [pytest.mark.asyncio, pytest.mark.live]


async def workmate(url: str, *args: str) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "workmate.cli.main",
        *args,
        env={**os.environ, "WORKMATE_DATABASE_URL": url},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await proc.communicate()
    return proc.returncode or 0, out.decode(), err.decode()


async def test_import_then_export(live_database_url: str, tmp_path: Path) -> None:
    tag = uuid.uuid4().hex[:8]
    source = tmp_path / "in.csv"
    source.write_bytes(
        f"name;type;contact_firstname;contact_lastname\nCLI {tag} Größe;B2B;Jörg;Ü{tag}\n".encode(
            "cp1252"
        )
    )
    code, out, err = await workmate(live_database_url, "customers", "import", str(source))
    assert code == 0, err
    assert "1 customers and 1 contacts imported" in out
    target = tmp_path / "out.csv"
    code, out, err = await workmate(
        live_database_url, "customers", "export", "-o", str(target), "--encoding", "windows-1252"
    )
    assert code == 0, err
    exported = target.read_bytes().decode("cp1252")
    assert f"CLI {tag} Größe" in exported
    assert f"Ü{tag}" in exported


async def test_bad_file_fails_naming_the_row(live_database_url: str, tmp_path: Path) -> None:
    source = tmp_path / "bad.csv"
    source.write_text("name,email\nGut,gut@example.de\nSchlecht,kaputt\n", encoding="utf-8")
    code, _, err = await workmate(live_database_url, "customers", "import", str(source))
    assert code == 1
    assert "row 3" in err
    assert "nothing imported" in err

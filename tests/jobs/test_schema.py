"""procrastinate's schema comes from our migrations: the vendored file is the installed
version's, so upgrading the pin without a migration fails here."""

from __future__ import annotations

from importlib import resources
from importlib.metadata import version
from pathlib import Path

import workmate.migrations


def test_vendored_schema_matches_the_installed_procrastinate() -> None:
    pinned = "3.10.0"
    assert version("procrastinate") == pinned, (
        "procrastinate was upgraded: add a migration running its sql/migrations/ files "
        "between the versions and vendor the new schema"
    )
    ours = Path(workmate.migrations.__file__).parent / "procrastinate" / f"schema-{pinned}.sql"
    theirs = (resources.files("procrastinate.sql") / "schema.sql").read_text(encoding="utf-8")
    assert ours.read_text(encoding="utf-8") == theirs

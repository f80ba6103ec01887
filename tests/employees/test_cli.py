"""`workmate admin create` makes the first admin; bad input is a message and exit code 1."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from workmate.auth.passwords import verify_password
from workmate.models import Employee, Role


def admin_create(database_url: str, email: str, password: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "workmate.cli.main",
            "admin",
            "create",
            "--email",
            email,
            "--firstname",
            "Ada",
            "--lastname",
            "Admin",
            "--password-stdin",
        ],
        input=password + "\n",
        capture_output=True,
        text=True,
        env={**os.environ, "WORKMATE_DATABASE_URL": database_url},
        timeout=120,
        check=False,
    )


async def test_creates_an_admin_and_refuses_bad_input(
    live_database_url: str, live_db: AsyncSession
) -> None:
    email = f"first-{uuid.uuid4().hex[:6]}@example.de"
    ok = admin_create(live_database_url, email, "a long admin password")
    assert ok.returncode == 0, ok.stderr
    assert email in ok.stdout
    row = (
        await live_db.execute(
            select(Employee.password_hash, Employee.is_active, Role.name)
            .join(Role, Role.id == Employee.role_id)
            .where(Employee.email == email)
        )
    ).one()
    assert row.name == "Admin"
    assert row.is_active
    assert verify_password(row.password_hash, "a long admin password")

    duplicate = admin_create(live_database_url, email.upper(), "a long admin password")
    assert duplicate.returncode == 1
    assert "email" in duplicate.stderr
    assert "Traceback" not in duplicate.stderr

    bad_email = admin_create(live_database_url, "not-an-email", "a long admin password")
    assert bad_email.returncode == 1
    assert "email" in bad_email.stderr

    short = admin_create(live_database_url, f"x{email}", "short")
    assert short.returncode == 1
    assert "password" in short.stderr

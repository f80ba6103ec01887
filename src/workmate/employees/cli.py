"""`workmate admin ...`: Administration: first admin account."""

from __future__ import annotations

import sys

import typer

from workmate.cli.common import fail, run

app = typer.Typer(help="Administration: first admin account", no_args_is_help=True)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        # First line only, without its line break: `echo pw | workmate admin create ...`.
        return sys.stdin.readline().rstrip("\r\n")
    password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return password


@app.command("create")
def create(
    email: str = typer.Option(..., help="Login email of the new admin."),
    firstname: str = typer.Option(..., help="First name."),
    lastname: str = typer.Option(..., help="Last name."),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from standard input, not a prompt."
    ),
) -> None:
    """Create an employee with the Admin role; migrates a new database first."""
    from workmate.auth.service import check_password_rules
    from workmate.cli.db import database_url, migrate_if_behind
    from workmate.db import session_scope
    from workmate.employees.service import employee_service

    password = _read_password(password_stdin)
    if not password:
        raise fail("password: must not be empty")
    migrate_if_behind(database_url())

    async def body() -> str:
        check_password_rules(password)
        async with session_scope() as db:
            employee = await employee_service.create_admin(
                db, email=email, firstname=firstname, lastname=lastname, password=password
            )
            return employee.email

    created = run(body)
    typer.echo(f"Admin {created} created; log in at /api/v1/auth/login or in the web UI.")

"""`workmate export ...`: Exports for the tax advisor (DATEV)."""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path

import typer

from workmate.cli.common import fail, run
from workmate.db import session_scope

app = typer.Typer(help="Exports for the tax advisor (DATEV)", no_args_is_help=True)


def _day(value: str, option: str) -> date:
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise typer.BadParameter("use YYYY-MM-DD", param_hint=option) from None


@app.command("datev")
def datev(
    start: str = typer.Option(..., "--from", help="First day (YYYY-MM-DD)."),
    end: str = typer.Option(..., "--to", help="Last day (YYYY-MM-DD), same year."),
    out: str = typer.Option(
        ...,
        "--out",
        "--output",
        "-o",
        help="File or folder for the EXTF CSV; a folder (existing, ending in /, or without "
        "a file extension) gets the standard file name. Missing folders are created.",
    ),
) -> None:
    """Write the DATEV EXTF Buchungsstapel of a period (invoices, credit notes, payments)."""
    from workmate.exports.service import export_service

    first, last = _day(start, "--from"), _day(end, "--to")

    async def go() -> bytes:
        async with session_scope() as session:
            return await export_service.datev(session, first, last)

    name = f"EXTF_Buchungsstapel_{first:%Y%m%d}_{last:%Y%m%d}.csv"
    target = output_path(out, name)
    data = run(go)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    except OSError as exc:
        raise fail(f"cannot write {target}: {exc.strerror}") from None
    typer.echo(f"DATEV bookings written to {target}")


def output_path(out: str, default_name: str) -> Path:
    """`--out` as the user meant it: a folder gets `default_name` inside, else it is the file."""
    path = Path(out)
    folder = out.endswith(("/", os.sep)) or path.is_dir() or not path.suffix
    return path / default_name if folder else path

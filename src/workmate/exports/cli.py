"""`workmate export ...`: Exports for the tax advisor (DATEV)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import typer

from workmate.cli.common import run
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
    out: Path = typer.Option(..., "--out", help="File or folder for the EXTF CSV."),
) -> None:
    """Write the DATEV EXTF Buchungsstapel of a period (invoices, credit notes, payments)."""
    from workmate.exports.service import export_service

    first, last = _day(start, "--from"), _day(end, "--to")

    async def go() -> bytes:
        async with session_scope() as session:
            return await export_service.datev(session, first, last)

    data = run(go)
    target = out / f"EXTF_Buchungsstapel_{first:%Y%m%d}_{last:%Y%m%d}.csv" if out.is_dir() else out
    target.write_bytes(data)
    typer.echo(f"DATEV bookings written to {target}")

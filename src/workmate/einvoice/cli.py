"""`workmate invoices export`: issued invoices and credit notes as PDF + XML files."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import typer

from workmate.cli.common import fail, run
from workmate.db import session_scope


def _day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise typer.BadParameter("use YYYY-MM-DD", param_hint=option) from None


def export(
    out: Path = typer.Option(
        ..., "--out", "--output", "-o", help="Folder to write NUMBER.pdf and NUMBER.xml into."
    ),
    start: str | None = typer.Option(None, "--from", help="First issue date (YYYY-MM-DD)."),
    end: str | None = typer.Option(None, "--to", help="Last issue date (YYYY-MM-DD)."),
) -> None:
    """Write every issued invoice and credit note of a period as NUMBER.pdf and NUMBER.xml."""
    from workmate.einvoice.flows import ExportResult, einvoice_flows

    first, last = _day(start, "--from"), _day(end, "--to")
    if first and last and first > last:
        raise typer.BadParameter("--from is after --to", param_hint="--from")
    if out.exists() and not out.is_dir():
        raise fail(f"{out} is not a folder")

    async def go() -> ExportResult:
        async with session_scope() as session:
            return await einvoice_flows.export(session, out, first, last)

    result = run(go)
    typer.echo(f"{len(result.written) // 2} documents written to {out}")
    for problem in result.failed:
        typer.secho(f"skipped {problem}", err=True, fg=typer.colors.RED)
    if result.failed:
        raise typer.Exit(1)

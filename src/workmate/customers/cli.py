"""`workmate customers ...`: Customer import and export (CSV)."""

from __future__ import annotations

from pathlib import Path

import typer

from workmate.cli.common import run
from workmate.db import session_scope

app = typer.Typer(help="Customer import and export (CSV)", no_args_is_help=True)


@app.command("import")
def import_file(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV, UTF-8 or cp1252."),
) -> None:
    """Import customers and contacts from CSV: all rows in one transaction, or none."""
    from workmate.customers.csv_io import import_csv

    data = file.read_bytes()

    async def go() -> str:
        async with session_scope() as db:
            result = await import_csv(db, None, data)
        return f"{result.customers} customers and {result.contacts} contacts imported"

    typer.echo(run(go))


@app.command("export")
def export_file(
    output: Path | None = typer.Option(
        None, "--out", "--output", "-o", help="File; stdout if omitted."
    ),
    encoding: str = typer.Option("utf-8", help="utf-8 or windows-1252."),
    delimiter: str = typer.Option(";", help="; or ,"),
) -> None:
    """Export all customers with their contacts as CSV, one row per contact."""
    from workmate.customers.csv_io import export_csv

    if encoding not in ("utf-8", "windows-1252") or delimiter not in (";", ","):
        raise typer.BadParameter("encoding utf-8|windows-1252, delimiter ; or ,")

    async def go() -> bytes:
        async with session_scope() as db:
            return await export_csv(db, encoding=encoding, delimiter=delimiter)

    data = run(go)
    if output is None:
        typer.echo(data.decode(encoding), nl=False)
    else:
        output.write_bytes(data)
        typer.echo(f"written to {output}")

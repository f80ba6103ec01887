"""`workmate reminders ...`: Reminders due."""

from __future__ import annotations

from datetime import date

import typer

from workmate import clock
from workmate.cli.common import run
from workmate.db import session_scope

app = typer.Typer(help="Reminders due", no_args_is_help=True)


@app.callback()
def _group() -> None:
    """Reminders due."""


@app.command("due")
def due(
    on: str | None = typer.Option(None, "--date", help="Reference day YYYY-MM-DD; default today."),
) -> None:
    """List every open reminder due on the day or overdue, grouped by owner."""
    from workmate.reminders.service import reminder_service

    try:
        today = date.fromisoformat(on) if on else clock.today()
    except ValueError:
        raise typer.BadParameter("use YYYY-MM-DD", param_hint="--date") from None

    async def go() -> list[str]:
        async with session_scope() as db:
            rows = await reminder_service.due(db, today)
        return [
            f"{email}\t{r.due_date.isoformat()}\t{'OVERDUE' if r.due_date < today else 'today'}"
            f"\t{r.priority}\t{r.title}"
            for r, email in rows
        ]

    lines = run(go)
    for line in lines:
        typer.echo(line)
    typer.echo(f"{len(lines)} reminder(s) due")

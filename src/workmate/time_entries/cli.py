"""`workmate timers ...`: Timers: stale timers."""

from __future__ import annotations

import typer

from workmate.cli.common import run
from workmate.config import get_settings
from workmate.db import session_scope
from workmate.time_entries.service import StaleStop, time_entry_service

app = typer.Typer(help="Timers: stale timers", no_args_is_help=True)


@app.command("stop-stale")
def stop_stale(
    hours: int | None = typer.Option(
        None, min=1, help="Limit in hours (default: WORKMATE_STALE_TIMER_HOURS, 12)."
    ),
) -> None:
    """End every timer running longer than the limit at start + limit, and record that."""
    limit = hours or get_settings().stale_timer_hours

    async def go() -> list[StaleStop]:
        async with session_scope() as db:
            return await time_entry_service.stop_stale(db, None, limit_hours=limit)

    stopped = run(go)
    for s in stopped:
        typer.echo(
            f"stopped timer {s.entry_id} of employee {s.employee_id}: "
            f"{s.start_time.isoformat()} - {s.end_time.isoformat()}"
        )
    typer.echo(f"{len(stopped)} stale timer(s) stopped (limit {limit} h)")

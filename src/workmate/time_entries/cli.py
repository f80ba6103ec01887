"""`workmate timers ...`: Timers: stale timers."""

from __future__ import annotations

import typer

app = typer.Typer(help="Timers: stale timers", no_args_is_help=True)

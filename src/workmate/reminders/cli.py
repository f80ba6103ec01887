"""`workmate reminders ...`: Reminders due."""

from __future__ import annotations

import typer

app = typer.Typer(help="Reminders due", no_args_is_help=True)

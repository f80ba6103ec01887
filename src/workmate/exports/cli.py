"""`workmate export ...`: Exports for the tax advisor (DATEV)."""

from __future__ import annotations

import typer

app = typer.Typer(help="Exports for the tax advisor (DATEV)", no_args_is_help=True)

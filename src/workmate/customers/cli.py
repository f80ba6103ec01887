"""`workmate customers ...`: Customer import and export (CSV)."""

from __future__ import annotations

import typer

app = typer.Typer(help="Customer import and export (CSV)", no_args_is_help=True)

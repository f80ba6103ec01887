"""`workmate admin ...`: Administration: first admin account."""

from __future__ import annotations

import typer

app = typer.Typer(help="Administration: first admin account", no_args_is_help=True)

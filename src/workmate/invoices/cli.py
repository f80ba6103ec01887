"""`workmate invoices ...`: Invoices: overdue marking and bulk export."""

from __future__ import annotations

import typer

app = typer.Typer(help="Invoices: overdue marking and bulk export", no_args_is_help=True)

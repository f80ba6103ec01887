"""`workmate invoices ...`: Invoices: overdue marking and bulk export."""

from __future__ import annotations

import typer

app = typer.Typer(help="Invoices: overdue marking and bulk export", no_args_is_help=True)

# Bulk export lives with the document renderers (einvoice); it is an invoices command for users.
from workmate.einvoice.cli import export  # noqa: E402

app.command("export")(export)

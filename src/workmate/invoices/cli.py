"""`workmate invoices ...`: Invoices: overdue marking and bulk export."""

from __future__ import annotations

import typer

from workmate.cli.common import run
from workmate.db import session_scope
from workmate.invoices.overdue import today as business_today
from workmate.invoices.service import invoice_service

app = typer.Typer(help="Invoices: overdue marking and bulk export", no_args_is_help=True)


@app.command("mark-overdue")
def mark_overdue() -> None:
    """Set every sent invoice past its due date to overdue and raise its dunning level."""

    async def go() -> int:
        async with session_scope() as db:
            return await invoice_service.mark_overdue(db, business_today())

    typer.echo(f"{run(go)} invoice(s) marked overdue")


# Bulk export lives with the document renderers (einvoice); it is an invoices command for users.
from workmate.einvoice.cli import export  # noqa: E402

app.command("export")(export)

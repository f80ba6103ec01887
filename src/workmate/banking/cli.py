"""`workmate bank ...`: import a statement file, write a generated statement of the demo."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import typer

from workmate.cli.common import fail, run
from workmate.db import session_scope

app = typer.Typer(help="Bank statements: import and generated statements", no_args_is_help=True)


@app.command("import")
def import_file(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="camt.053, ZIP, MT940, CSV"),
    iban: str = typer.Option(..., "--iban", help="The company account to import into."),
) -> None:
    """Import a statement file (balances checked, each transaction once) and propose
    matches; nothing is booked without a person (confirm in the web UI or the API)."""
    from workmate.banking import repository as repo
    from workmate.banking.imports import Options, statement_import_service
    from workmate.documents.storage import get_storage

    data = file.read_bytes()

    async def go() -> str:
        async with session_scope() as db:
            accounts = [
                a for a in await repo.accounts(db) if a.iban == "".join(iban.split()).upper()
            ]
            if not accounts:
                raise fail(f"no bank account with IBAN {iban}; add it first")
            outcome = await statement_import_service.import_bytes(
                db,
                None,
                get_storage(),
                data,
                Options(account_id=accounts[0].id, filename=file.name),
            )
        r = outcome.result
        added = f"{r.transactions_added} transactions added, {r.transactions_skipped} already there"
        lines = [
            "already imported: nothing added" if r.already_imported else added,
            f"{r.matching.in_review} with proposals for review, {r.matching.unmatched} without",
        ]
        lines += [f"note: {p.text}" for p in r.problems]
        return "\n".join(lines)

    typer.echo(run(go))


@app.command("demo-statement")
def demo_statement(
    output: Path = typer.Option(Path("demo-statements.zip"), "--out", "--output", "-o"),
    seed: int = typer.Option(42, help="The same seed gives the same statement."),
) -> None:
    """Write daily camt.053 files (one ZIP) paying the open invoices of the database the way
    customers pay: exact, combined, partial, mistyped, with cash discount, unrelated."""
    from sqlalchemy import text

    from workmate import clock
    from workmate.demo.banking import Invoice, generate

    async def go() -> tuple[bytes, int]:
        async with session_scope() as db:
            iban = await db.scalar(text("SELECT iban FROM company_settings WHERE id = 1"))
            rows = await db.execute(
                text(
                    "SELECT i.id, i.number, i.kind, c.id, c.number, c.name, "
                    "i.total - COALESCE((SELECT sum(amount) FROM payments p "
                    "WHERE p.invoice_id = i.id), 0), i.issued_date "
                    "FROM invoices i JOIN customers c ON c.id = i.customer_id "
                    "WHERE i.status IN ('sent', 'overdue') ORDER BY i.number"
                )
            )
            invoices = [Invoice(*row) for row in rows]
        if not iban:
            raise fail("the company has no IBAN in its settings")
        generated = generate(seed, iban, invoices, today=clock.today())
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in generated.camt_zip().items():
                archive.writestr(name, data)
        return buffer.getvalue(), len(generated.truth)

    data, count = run(go)
    output.write_bytes(data)
    typer.echo(f"{count} transactions written to {output}")

"""`workmate backup` and `workmate restore`."""

from __future__ import annotations

from pathlib import Path

import typer

from workmate.cli.common import fail


def register(app: typer.Typer) -> None:
    app.command("backup")(backup)
    app.command("restore")(restore)


def backup(
    out: Path = typer.Option(..., "--out", "-o", help="The archive to write (a tar file)."),
) -> None:
    """Write one archive of the whole company: the database (pg_dump of the server's version)
    and every stored file, with a manifest of counts, sums and checksums."""
    import asyncio

    from workmate.backup.archive import BackupError, create_backup
    from workmate.db import make_engine, resolve_database_url
    from workmate.documents.storage import get_storage

    async def run() -> None:
        url = resolve_database_url()
        engine = make_engine(url, pool_size=2)
        try:
            manifest = await create_backup(engine, url, get_storage(), out)
        finally:
            await engine.dispose()
        rows = sum(manifest.figures.row_counts.values())
        typer.echo(
            f"backup written to {out}: migration {manifest.figures.migration_head}, "
            f"{rows} rows in {len(manifest.figures.row_counts)} tables, "
            f"{len(manifest.files)} files, invoices {manifest.figures.invoice_total}, "
            f"payments {manifest.figures.payments_total}"
        )
        for problem in manifest.problems:
            typer.secho(f"warning: {problem}", err=True, fg=typer.colors.YELLOW)
        if manifest.problems:
            raise typer.Exit(2)

    try:
        asyncio.run(run())
    except BackupError as exc:
        raise fail(str(exc)) from None


def restore(
    archive: Path = typer.Argument(..., exists=True, dir_okay=False, help="A backup archive."),
    force: bool = typer.Option(
        False, "--force", help="Replace what the database and file store hold now."
    ),
) -> None:
    """Restore a backup into the configured (empty) database and file store, then check rows,
    sums and file checksums against its manifest and report."""
    import asyncio

    from workmate.backup.archive import BackupError, restore_backup
    from workmate.db import make_engine, resolve_database_url
    from workmate.documents.storage import get_storage

    async def run() -> bool:
        url = resolve_database_url()
        engine = make_engine(url, pool_size=2)
        try:
            report = await restore_backup(engine, url, get_storage(), archive, force=force)
        finally:
            await engine.dispose()
        made = report.manifest
        typer.echo(
            f"restored the backup of {made.created_at}: migration "
            f"{report.restored.migration_head}, {sum(report.restored.row_counts.values())} rows, "
            f"{report.files_checked} files checked, invoices {report.restored.invoice_total}, "
            f"payments {report.restored.payments_total}"
        )
        for problem in report.problems:
            typer.secho(f"problem: {problem}", err=True, fg=typer.colors.RED)
        if report.ok:
            typer.echo("everything matches the manifest")
        return report.ok

    try:
        ok = asyncio.run(run())
    except BackupError as exc:
        raise fail(str(exc)) from None
    if not ok:
        raise typer.Exit(2)

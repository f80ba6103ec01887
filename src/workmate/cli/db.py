"""`workmate db ...`: migrations and seed rows."""

from __future__ import annotations

import typer

from workmate.cli.common import fail

app = typer.Typer(help="Database migrations and seed rows.", no_args_is_help=True)


def database_url() -> str:
    from workmate.db import resolve_database_url

    try:
        return resolve_database_url()
    except Exception as exc:
        raise fail(f"cannot start the embedded database: {exc}") from None


def upgrade_or_fail(url: str, revision: str = "head") -> None:
    from workmate.dbproblems import explain
    from workmate.migrate import upgrade

    try:
        upgrade(url, revision)
    except Exception as exc:
        message = explain(exc, url)
        if message is None:
            raise
        raise fail(message) from None


def migrate_if_behind(url: str) -> None:
    """Bring a new or older database to the newest migration, saying so (admin create)."""
    import asyncio

    from sqlalchemy.pool import NullPool

    from workmate.db import make_engine
    from workmate.migrate import current_revision, head_revision

    async def read() -> str | None:
        engine = make_engine(url, poolclass=NullPool)
        try:
            return await current_revision(engine)
        finally:
            await engine.dispose()

    current, head = asyncio.run(read()), head_revision()
    if current != head:
        typer.echo(f"database at migration {current or 'none'}: migrating to {head} first")
        upgrade_or_fail(url)


@app.command()
def upgrade(revision: str = typer.Argument("head")) -> None:
    """Upgrade the database to a revision (default: the newest)."""
    upgrade_or_fail(database_url(), revision)
    typer.echo(f"database at {revision}")


@app.command()
def downgrade(
    revision: str = typer.Argument(..., help="Target revision, e.g. base or 0001."),
) -> None:
    """Downgrade the database to a revision."""
    from workmate.migrate import downgrade as do_downgrade

    do_downgrade(database_url(), revision)
    typer.echo(f"database at {revision}")


@app.command()
def current() -> None:
    """Print the database's migration and the newest this Workmate knows."""
    import asyncio

    from workmate.db import make_engine
    from workmate.migrate import current_revision, head_revision

    async def read() -> str | None:
        engine = make_engine(database_url(), pool_size=1)
        try:
            return await current_revision(engine)
        finally:
            await engine.dispose()

    rev = asyncio.run(read())
    head = head_revision()
    state = "up to date" if rev == head else f"behind (newest is {head})"
    typer.echo(f"{rev or 'empty'} ({state})")


@app.command()
def seed() -> None:
    """Insert the seed roles and departments where missing (never duplicates)."""
    from workmate.cli.common import run
    from workmate.db import session_scope
    from workmate.employees.seed import ensure_seed

    async def go() -> int:
        async with session_scope() as session:
            return await ensure_seed(session)

    added = run(go)
    typer.echo(f"{added} seed rows added")


@app.command()
def stop() -> None:
    """Stop the embedded PostgreSQL of the data folder (nothing to do for an external one)."""
    from workmate import embedded
    from workmate.config import get_settings
    from workmate.dbproblems import redact

    settings = get_settings()
    if settings.database_url:
        typer.echo(f"external database {redact(settings.database_url)}: not ours to stop")
        return
    if embedded.stop(settings.pgdata_dir):
        typer.echo(f"embedded PostgreSQL in {settings.pgdata_dir} stopped")
    else:
        typer.echo(f"embedded PostgreSQL in {settings.pgdata_dir} was not running")

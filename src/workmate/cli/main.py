"""The `workmate` command line. Each command calls services inside one transaction."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer

from workmate.backup import cli as backup_cli
from workmate.cli import db as db_cli
from workmate.cli import demo as demo_cli
from workmate.cli import domain as domain_cli
from workmate.cli.common import WorkmateGroup, fail
from workmate.observability import log_config

app = typer.Typer(
    cls=WorkmateGroup,
    help="Workmate: backoffice and CRM for small companies.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(db_cli.app, name="db")
app.command("demo")(demo_cli.demo)
domain_cli.register(app)
backup_cli.register(app)


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    workers: int = typer.Option(1, min=1, help="Worker processes."),
    migrate: bool = typer.Option(True, help="Upgrade the database before serving."),
) -> None:
    """Migrate the database, then serve the API and web UI."""
    import uvicorn

    from workmate import embedded
    from workmate.config import get_settings
    from workmate.dbproblems import redact

    settings = get_settings()
    refuse_busy_address(host, port)
    if settings.database_url:
        url = settings.database_url
        typer.echo(f"Database: {redact(url)} (WORKMATE_DATABASE_URL)")
    else:
        try:
            url = embedded.start(settings.pgdata_dir, stop_on_exit=True)
        except Exception as exc:
            raise fail(f"cannot start the embedded database: {exc}") from None
        typer.echo(
            f"Database: embedded PostgreSQL in {settings.pgdata_dir} "
            "(stops with this server unless another Workmate process uses it)"
        )
        # Worker processes attach to the same server instead of starting their own.
        os.environ["WORKMATE_DATABASE_URL"] = url
    if migrate:
        db_cli.upgrade_or_fail(url)
    preflight(url)
    if workers > 1:
        metrics_processes(settings.data_dir / "metrics")
    typer.echo(f"Workmate is running at http://{host}:{port}/  (API docs: /docs)")
    sys.stdout.flush()
    uvicorn.run(
        "workmate.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=log_config(settings.log_format, settings.log_level),
        # Our access log line (workmate.access) carries the request id; uvicorn's does not.
        access_log=False,
        proxy_headers=False,
        # SIGTERM: stop accepting, let requests in flight finish within this bound; the
        # lifespan then stops the in-process job worker (finish or give back its jobs).
        timeout_graceful_shutdown=int(settings.shutdown_grace_seconds),
    )


def metrics_processes(folder: Path) -> None:
    """Let /metrics add up the counters of all server processes (prometheus multiprocess)."""
    import shutil

    shutil.rmtree(folder, ignore_errors=True)  # counters of an earlier run are not ours
    folder.mkdir(parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)


@app.command()
def worker(
    queue: list[str] | None = typer.Option(
        None, "--queue", "-q", help="Only these queues (repeatable); default: all."
    ),
    concurrency: int | None = typer.Option(
        None, min=1, max=64, help="Jobs run at once (default WORKMATE_JOB_CONCURRENCY)."
    ),
) -> None:
    """Run background jobs until SIGTERM/SIGINT (then finish or give back running jobs)."""
    import asyncio

    from workmate.db import make_engine, make_sessionmaker, resolve_database_url
    from workmate.jobs.worker import run_worker

    try:
        url = resolve_database_url()
    except Exception as exc:
        raise fail(f"cannot start the embedded database: {exc}") from None
    preflight(url)

    async def go() -> None:
        engine = make_engine(url)
        try:
            await run_worker(url, make_sessionmaker(engine), queues=queue, concurrency=concurrency)
        finally:
            await engine.dispose()

    import logging.config

    from workmate.config import get_settings

    settings = get_settings()
    logging.config.dictConfig(log_config(settings.log_format, settings.log_level))
    typer.echo("Workmate worker started (stop with Ctrl-C or SIGTERM)")
    sys.stdout.flush()
    asyncio.run(go())


def refuse_busy_address(host: str, port: int) -> None:
    """Say that the address is taken before anything claims the server is running."""
    import errno
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # As the server will bind: a port in TIME_WAIT from a previous run counts as free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise fail(
                    f"address {host}:{port} is already in use (another Workmate running?); "
                    "stop it or choose another port with --port"
                ) from None
            raise fail(f"cannot listen on {host}:{port}: {exc.strerror}") from None


def preflight(url: str) -> None:
    """Refuse to serve, with a message instead of a traceback, an unreachable or old database."""
    import asyncio

    from sqlalchemy.pool import NullPool

    from workmate.app import DatabaseNotReady, check_database
    from workmate.db import make_engine

    async def check() -> None:
        engine = make_engine(url, poolclass=NullPool)
        try:
            await check_database(engine)
        finally:
            await engine.dispose()

    try:
        asyncio.run(check())
    except DatabaseNotReady as exc:
        raise fail(str(exc)) from None


def main() -> None:
    app()


if __name__ == "__main__":
    main()

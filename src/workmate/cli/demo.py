"""`workmate demo`: fill a realistic German demo company."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import typer

from workmate import clock
from workmate.cli.common import fail


class Refused(Exception):
    """The database holds the user's data, or demo data and neither --force nor --if-empty."""


class Skipped(Exception):
    """--if-empty on a database holding the user's data: say why nothing was loaded."""


def demo(
    seed: int = typer.Option(42, help="Random seed; the same seed gives the same company."),
    force: bool = typer.Option(
        False, "--force", help="Add demo data even if the database has data."
    ),
    if_empty: bool = typer.Option(
        False, "--if-empty", help="Do nothing (exit 0) if the database has data already."
    ),
) -> None:
    """Fill the database with a realistic demo company (refuses a non-empty database)."""
    from workmate.cli.db import database_url
    from workmate.demo.generate import DEMO_PASSWORD
    from workmate.demo.load import DemoError

    url = database_url()
    started = time.monotonic()
    try:
        result = asyncio.run(_fill(url, seed=seed, force=force, if_empty=if_empty))
    except Refused as exc:
        raise fail(str(exc)) from None
    except Skipped as exc:
        typer.echo(str(exc))
        return
    except DemoError as exc:
        raise fail(str(exc)) from None
    if result is None:
        return  # --if-empty on a database with data: nothing to do, nothing to say
    rows, logins = result
    typer.echo(
        f"Demo company 'Nordlicht Software GmbH' created (seed {seed}) "
        f"in {time.monotonic() - started:.1f} s:"
    )
    for label, n in rows.items():
        typer.echo(f"  {n:>6}  {label}")
    typer.echo(f"\nLogins (password for all: {DEMO_PASSWORD}):")
    for email, role, name in logins:
        typer.echo(f"  {email:<34} {role:<9} {name}")


async def demo_present(conn: Any) -> bool:
    from sqlalchemy import exists, func, select

    from workmate.demo.generate import DEMO_DOMAIN
    from workmate.models import Employee

    demo = select(Employee.id).where(func.lower(Employee.email).like(f"%@{DEMO_DOMAIN}"))
    return bool(await conn.scalar(select(exists(demo))))


async def _fill(
    url: str, *, seed: int, force: bool, if_empty: bool
) -> tuple[dict[str, int], list[tuple[str, str, str]]] | None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from workmate.auth.passwords import hash_password
    from workmate.db import make_engine
    from workmate.demo.generate import DEMO_PASSWORD, build
    from workmate.demo.load import (
        DemoError,
        counts,
        customer_count,
        load,
        read_context,
        user_employees,
    )
    from workmate.migrate import current_revision, head_revision

    engine = make_engine(url, pool_size=1)
    try:
        revision = await current_revision(engine)
        if revision != head_revision():
            raise DemoError(
                f"database is at migration {revision or 'none'}; run 'workmate db upgrade' first"
            )
        async with engine.begin() as conn:
            own = await user_employees(conn)
            existing = await customer_count(conn)
            if own or (existing and not await demo_present(conn)):
                # Never mix the demo's published logins and invented customers into real data.
                what = f"employees such as {', '.join(own)}" if own else f"{existing} customers"
                message = (
                    f"the database holds your own data ({what}); the demo company goes only "
                    "into an empty database (use another WORKMATE_DATABASE_URL or data folder)"
                )
                if if_empty:
                    raise Skipped(f"demo not loaded: {message}")
                raise Refused(message)
            if existing and if_empty:
                return None
            if existing and not force:
                raise Refused(
                    f"the database already holds a demo company ({existing} customers); "
                    "use --force to add a second one"
                )
            now = clock.now()
            # Hashed once: argon2 is slow on purpose, and every demo login shares the password.
            ctx = await read_context(
                conn, today=now.date(), now=now, password_hash=hash_password(DEMO_PASSWORD)
            )
            company = build(seed, ctx)
            rows = counts(company)
            with Progress(
                TextColumn("{task.description:<14}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                transient=False,
            ) as bar:
                task = bar.add_task("demo data", total=sum(rows.values()))

                def advance(label: str, n: int) -> None:
                    bar.update(task, advance=n, description=label)

                await load(conn, company, advance)
                bar.update(task, description="done")
        logins = [(x.email, x.role, x.name) for x in company.logins]
        return rows, logins
    finally:
        await engine.dispose()

"""Helpers shared by CLI commands: run a coroutine, fail with a message and a non-zero exit."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import typer
from typer import _click
from typer.core import TyperGroup

from workmate.errors import WorkmateError

T = TypeVar("T")


def fail(message: str, code: int = 1) -> typer.Exit:
    typer.secho(f"error: {message}", err=True, fg=typer.colors.RED)
    return typer.Exit(code)


def run(make: Callable[[], Awaitable[T]]) -> T:
    """Run an async command body; domain errors become a message and exit code 1."""
    try:
        return asyncio.run(make())  # type: ignore[arg-type]
    except WorkmateError as exc:
        field = f" ({exc.field})" if exc.field else ""
        raise fail(f"{exc.detail}{field}") from None


def database_problem(exc: BaseException) -> str | None:
    """The one-line message for `exc` if it is a database problem of the configured URL."""
    from workmate.config import get_settings
    from workmate.dbproblems import explain

    return explain(exc, get_settings().database_url)


class WorkmateGroup(TyperGroup):
    """Every command: a database that cannot be used ends in one line with the fix, exit 1."""

    def invoke(self, ctx: _click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except typer.Exit:
            raise
        except Exception as exc:
            message = database_problem(exc)
            if message is None:
                raise
            raise fail(message) from None

"""Helpers shared by CLI commands: run a coroutine, fail with a message and a non-zero exit."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer

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

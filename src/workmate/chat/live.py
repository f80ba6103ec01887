"""Live chat delivery across app processes via PostgreSQL LISTEN/NOTIFY."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Per-process listener: started with the app, stopped with it."""
    yield

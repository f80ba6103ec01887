"""The server-rendered web UI (Jinja2), mounted under /."""

from __future__ import annotations

from fastapi import FastAPI


def mount(app: FastAPI) -> None:
    """Attach the web pages and static files to the app."""

"""The app shell: health, docs, one error format, database URL handling."""

from __future__ import annotations

import httpx
import pytest

from workmate.db import sqlalchemy_url


async def test_healthz_answers_when_the_database_does(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "up"}


async def test_openapi_is_served(client: httpx.AsyncClient) -> None:
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Workmate"


async def test_unknown_route_uses_the_error_format(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/does-not-exist")
    assert response.status_code == 404
    assert set(response.json()) == {"error", "detail", "field"}


@pytest.mark.parametrize(
    ("libpq", "rendered"),
    [
        ("postgresql://u:pw@db.example:5433/wm", "postgresql+asyncpg://u:***@db.example:5433/wm"),
        (
            "postgresql://postgres@/wm?host=/run/pg",
            "postgresql+asyncpg://postgres@/wm?host=%2Frun%2Fpg",
        ),
        (
            "postgres://u@localhost/wm?sslmode=require",
            "postgresql+asyncpg://u@localhost/wm?ssl=require",
        ),
    ],
)
def test_libpq_urls_become_driver_urls(libpq: str, rendered: str) -> None:
    assert sqlalchemy_url(libpq).render_as_string(hide_password=True) == rendered


def test_non_postgres_url_is_refused() -> None:
    with pytest.raises(ValueError, match="not a PostgreSQL URL"):
        sqlalchemy_url("mysql://u@h/db")

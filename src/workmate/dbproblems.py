"""One-line explanations, with the fix, of why the database cannot be used.

Every command and the server's start run through `explain()`, so a missing database, an
unknown role, a wrong password, a server that does not answer or a URL that is not
PostgreSQL's each end in one line saying what to do, never in a traceback.
"""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

# SQLSTATEs of the refusals a new installation meets.
INVALID_CATALOG = "3D000"  # database does not exist
INVALID_AUTHORIZATION = "28000"  # role does not exist / no pg_hba entry
INVALID_PASSWORD = "28P01"  # noqa: S105  (an SQLSTATE, not a password)
INSUFFICIENT_PRIVILEGE = "42501"


class NotPostgresURL(ValueError):
    """WORKMATE_DATABASE_URL names another kind of database."""

    def __init__(self, scheme: str) -> None:
        super().__init__(
            f"WORKMATE_DATABASE_URL is not a PostgreSQL URL (it starts with {scheme!r}); "
            "use postgresql://user:password@host:5432/database"
        )


def redact(url: str) -> str:
    """The URL with its password replaced, fit to print."""
    parts = urlsplit(url)
    userinfo, at, hostport = parts.netloc.rpartition("@")
    if not at or ":" not in userinfo:
        return url
    netloc = f"{userinfo.split(':', 1)[0]}:***@{hostport}"
    return parts._replace(netloc=netloc).geturl()


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    todo: list[BaseException | None] = [exc]
    while todo:
        item = todo.pop()
        if item is None or any(item is s for s in seen):
            continue
        seen.append(item)
        orig = getattr(item, "orig", None)
        todo.extend([item.__cause__, item.__context__])
        if isinstance(orig, BaseException):
            todo.append(orig)
    return seen


def _target(url: str | None) -> tuple[str, str, str, str]:
    """(host, port, user, database) of a libpq URL, with libpq's defaults."""
    parts = urlsplit(url or "")
    query = dict(p.split("=", 1) for p in parts.query.split("&") if "=" in p)
    host = parts.hostname or query.get("host", "localhost")
    port = str(parts.port or 5432)
    user = parts.username or "postgres"
    database = (parts.path or "/").lstrip("/") or user
    return host, port, user, database


def explain(exc: BaseException, url: str | None) -> str | None:
    """The one-line message for a database problem, or None when `exc` is something else."""
    host, port, user, database = _target(url)
    where = f"{host}:{port}" if not host.startswith("/") else f"the socket in {host}"
    for item in _chain(exc):
        if isinstance(item, NotPostgresURL):
            return str(item)
        state = getattr(item, "sqlstate", None) or getattr(item, "pgcode", None)
        if state == INVALID_CATALOG:
            return (
                f"database {database!r} does not exist on {where}; create it with: "
                f"createdb -h {host} -p {port} -U {user} {database}"
            )
        if state == INVALID_PASSWORD:
            return (
                f"PostgreSQL on {where} refused the password of role {user!r}; "
                "fix the password in WORKMATE_DATABASE_URL"
            )
        if state == INVALID_AUTHORIZATION:
            return (
                f"PostgreSQL on {where} refused role {user!r} ({_first_line(item)}); create it "
                f"with: createuser -h {host} -p {port} -U postgres --createdb --pwprompt {user}"
            )
        if state == INSUFFICIENT_PRIVILEGE:
            return (
                f"role {user!r} lacks a privilege Workmate needs ({_first_line(item)}); "
                f"make it the owner of database {database!r}"
            )
    for item in _chain(exc):
        if not _from_driver(item):
            continue  # a file the command itself could not write is not the database's fault
        if isinstance(item, socket.gaierror):
            return (
                f"cannot reach the database: host {host!r} is unknown; check WORKMATE_DATABASE_URL"
            )
        if isinstance(item, (ConnectionError, TimeoutError, OSError)):
            return (
                f"cannot reach the database at {where} ({_first_line(item)}); "
                "check WORKMATE_DATABASE_URL and that the PostgreSQL server runs"
            )
    return None


def _from_driver(exc: BaseException) -> bool:
    tb = exc.__traceback__
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if "asyncpg" in name or "sqlalchemy" in name:
            return True
        tb = tb.tb_next
    return False


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__

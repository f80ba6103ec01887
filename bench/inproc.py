"""CPU per request inside the process: the ASGI apps called directly, no HTTP server, no wrk.

    python -m bench.inproc --database-url postgresql://.../wm_bench_tiny [--requests 2000]

On a machine shared with others, wrk's requests/s move with the neighbours; the CPU time this
process spends per request (time.process_time) moves much less, and it leaves out the HTTP
server's parsing and socket writes, which are the same for every endpoint. The floor app
(bench/floor.py) runs in the same process and the same way, so the ratio is like for like.
It counts the client side of the PostgreSQL round trips (the asyncpg protocol), not the server.
Four requests are in flight at a time. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import asyncpg

from bench.generate import BENCH_DOMAIN, _tokens

CONCURRENCY = 4


async def call(app: Any, method: str, target: str, token: str | None, body: bytes = b"") -> int:
    parts = urlsplit(target)
    headers = [(b"host", b"bench")]
    if token:
        headers.append((b"authorization", f"Bearer {token}".encode()))
    if body:
        headers += [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": parts.path,
        "raw_path": parts.path.encode(),
        "query_string": parts.query.encode(),
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 80),
        "state": {},
    }
    status = 0
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


Token = str | None | Callable[[int], str]


async def measure(
    app: Any, requests: Callable[[int], tuple[str, str, bytes]], token: Token, n: int
) -> tuple[float, int]:
    """(CPU ms per request, non-2xx answers) over n requests, CONCURRENCY at a time; `token`
    may depend on the request number (timers: one employee per worker, i % CONCURRENCY)."""
    bad = 0

    def token_of(i: int) -> str | None:
        return token(i) if callable(token) else token

    async def worker(k: int) -> None:
        nonlocal bad
        for i in range(k, n, CONCURRENCY):
            method, target, body = requests(i)
            status = await call(app, method, target, token_of(i), body)
            bad += not 200 <= status < 300

    # A multiple of 2 x CONCURRENCY, so every worker's timer is stopped again.
    for warm in range(8 * CONCURRENCY):
        await call(app, *requests(warm)[:2], token_of(warm), requests(warm)[2])
    cpu = time.process_time()
    await asyncio.gather(*(worker(k) for k in range(CONCURRENCY)))
    return (time.process_time() - cpu) * 1000 / n, bad


async def setup(url: str) -> dict[str, Any]:
    conn = await asyncpg.connect(url)
    try:
        admin = await conn.fetchval(
            "SELECT id FROM employees WHERE email = $1", f"admin@{BENCH_DOMAIN}"
        )
        ((_, token),) = await _tokens(conn, [admin])
        # Timers: one employee per worker. Each stop recomputes the day's break deduction over
        # all its entries, so the entries earlier runs left today are removed (else every run
        # would measure a longer day), and a timer an interrupted run left running is ended.
        timer_staff = [
            r[0]
            for r in await conn.fetch(
                "SELECT id FROM employees WHERE email LIKE '%@' || $1 AND email <> 'admin@' || $1"
                " ORDER BY email LIMIT $2",
                BENCH_DOMAIN,
                CONCURRENCY,
            )
        ]
        await conn.execute(
            "DELETE FROM time_entries WHERE employee_id = ANY($1) AND note = 'bench'"
            " AND start_time >= current_date - 1",
            timer_staff,
        )
        await conn.execute(
            "UPDATE time_entries SET end_time = greatest(now(), start_time + interval '1 second')"
            " WHERE end_time IS NULL AND employee_id = ANY($1)",
            timer_staff,
        )

        async def ids(sql: str) -> list[str]:
            return [str(r[0]) for r in await conn.fetch(sql)]

        return {
            "token": token,
            "timer_tokens": [t for _, t in await _tokens(conn, timer_staff)],
            "customers": await ids("SELECT id FROM customers ORDER BY number LIMIT 200"),
            "projects": await ids("SELECT id FROM projects ORDER BY id LIMIT 200"),
            "invoices": await ids(
                "SELECT id FROM invoices WHERE status <> 'draft' ORDER BY id LIMIT 200"
            ),
            "time_entries": await ids(
                "SELECT id FROM time_entries WHERE end_time IS NOT NULL ORDER BY id LIMIT 200"
            ),
        }
    finally:
        await conn.close()


def cases(d: dict[str, Any]) -> dict[str, tuple[bool, Callable[[int], tuple[str, str, bytes]]]]:
    def rot(kind: str, path: str) -> Callable[[int], tuple[str, str, bytes]]:
        items = d[kind]
        return lambda i: ("GET", path.format(items[i % len(items)]), b"")

    def fixed(path: str) -> Callable[[int], tuple[str, str, bytes]]:
        return lambda i: ("GET", path, b"")

    start = json.dumps({"project_id": d["projects"][0], "note": "bench"}).encode()

    def timer(i: int) -> tuple[str, str, bytes]:
        if (i // CONCURRENCY) % 2 == 0:
            return ("POST", "/api/v1/time-entries/timer/start", start)
        return ("POST", "/api/v1/time-entries/timer/stop", b"")

    return {
        "floor: customer by id": (True, rot("customers", "/customers/{}")),
        "GET customer": (False, rot("customers", "/api/v1/customers/{}")),
        "GET project": (False, rot("projects", "/api/v1/projects/{}")),
        "GET invoice": (False, rot("invoices", "/api/v1/invoices/{}")),
        "GET time entry": (False, rot("time_entries", "/api/v1/time-entries/{}")),
        "list customers": (False, fixed("/api/v1/customers?limit=50")),
        "list invoices": (False, fixed("/api/v1/invoices?limit=50")),
        "list time entries": (False, fixed("/api/v1/time-entries?limit=50")),
        "list projects": (False, fixed("/api/v1/projects?limit=50")),
        # Each worker's employee starts and stops in turn (its j-th request: i // CONCURRENCY).
        "timer start / stop": (False, timer),
    }


async def main_async(args: argparse.Namespace) -> None:
    os.environ.setdefault("WORKMATE_JOBS_IN_PROCESS", "false")
    os.environ["BENCH_DATABASE_URL"] = args.database_url
    from bench.floor import app as floor_app
    from bench.floor import lifespan as floor_lifespan
    from workmate.app import create_app

    d = await setup(args.database_url)
    # check=False: the same database also serves an older checkout (before/after comparisons).
    app = create_app(database_url=args.database_url, check=False)
    floor_ms = None
    async with app.router.lifespan_context(app), floor_lifespan(floor_app):
        for name, (is_floor, requests) in cases(d).items():
            if args.only and not (is_floor or args.only in name):
                continue
            target = floor_app if is_floor else app
            token: Token = d["token"]
            if is_floor:
                token = None
            elif name.startswith("timer"):
                token = lambda i: d["timer_tokens"][i % CONCURRENCY]  # noqa: E731
            ms, bad = await measure(target, requests, token, args.n)
            if is_floor:
                floor_ms = ms
            ratio = f"{floor_ms / ms:5.2f}" if floor_ms else "    -"
            note = f"  ({bad} non-2xx)" if bad else ""
            print(f"{name:28s} {ms:6.3f} CPU ms/req   × floor {ratio}{note}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench.inproc")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--requests", dest="n", type=int, default=2000)
    parser.add_argument("--only")
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()

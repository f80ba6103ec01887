"""Load benchmark: fresh database at a scale, Workmate and the floor app side by side, wrk.

    bench/run --scale S --workers 2 [--quick] [--database-url URL] [--duration 10]

Steps: create a fresh database `wm_bench_<scale>` next to the given one (or on a private
embedded PostgreSQL in bench/.pg), migrate it, load it with bench.generate (COPY), start the
floor app (bench/floor.py) and Workmate (bench/counted_app.py: the real app plus a query
counter) under uvicorn with the same worker count, then drive each endpoint for a fixed time
with wrk (a bounded asyncio+httpx loop when wrk is not installed). An endpoint the API does
not have yet is reported as "missing"; one that answers with an error is reported with its
status and skipped, never a crash.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import asyncpg
import httpx
from rich.console import Console
from rich.table import Table

from bench.generate import BENCH_DOMAIN, TOKENS, Loaded, _tokens, load

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
# Wide enough for the results table when the output is not a terminal (CI logs, files).
console = Console(width=max(160, shutil.get_terminal_size().columns))


# ---- endpoints -----------------------------------------------------------------------------


@dataclass
class Request:
    method: str
    path: str
    body: str | None = None


@dataclass
class Endpoint:
    name: str
    # (method, OpenAPI path) that must exist, else the endpoint is "missing".
    needs: list[tuple[str, str]]
    # Each load connection cycles through this list (rotating ids, or start/stop pairs).
    requests: list[Request]
    # A connection needs its own employee (timers are per employee).
    per_employee: bool = False
    floor: bool = False


@dataclass
class Result:
    name: str
    status: str
    requests_per_s: float | None = None
    p50_ms: float | None = None
    p99_ms: float | None = None
    queries_per_request: float | None = None
    ratio_to_floor: float | None = None
    non_2xx: int | None = None
    requests: int | None = None
    note: str | None = None
    # CPU time the server's processes spent per request (user + system, all workers): on a
    # shared machine req/s moves with the neighbours' load, CPU per request much less.
    cpu_ms_per_request: float | None = None
    cpu_ratio_to_floor: float | None = None
    # Big tables read by a sequential scan in the endpoint's EXPLAIN (ANALYZE) (reads only).
    seq_scans: list[str] | None = None
    explain_file: str | None = None


def _typo(word: str) -> str:
    """Swap two inner letters: 'Schmidt' -> 'Schimdt' (what trigram search must forgive)."""
    return word[:2] + word[3] + word[2] + word[4:]


def deep_offset(scale: str) -> int:
    """Offset of page 1,000 (50 a page), or of the last full page when there are fewer."""
    total_customers = {"tiny": 200, "S": 1_000, "M": 100_000}[scale]
    return max(0, min(999 * 50, total_customers - 50))


def endpoints(
    loaded: Loaded,
    api_paths: dict[str, set[str]],
    today: date,
    widget_ids: list[str] | None = None,
    deep_cursor: str | None = None,
    data_until: date | None = None,
) -> list[Endpoint]:
    customers = loaded.customer_ids[:500]
    deep = deep_offset(loaded.scale)
    words = [
        w
        for name in loaded.customer_names
        for w in name.split()
        if len(w) >= 6 and w.isalpha() and w not in ("GmbH", "Ingenieurbüro")
    ]
    typos = sorted({_typo(w) for w in words})[:50] or ["Schimdt"]
    # The report covers the last full month that has time entries (the generator fills the
    # earliest days of its range, so "last month" from today can be empty).
    last_month_end = (data_until or today).replace(day=1) - timedelta(days=1)
    last_month_start = last_month_end.replace(day=1)
    project = loaded.project_ids[0]
    result = [
        Endpoint(
            "floor: customer by id (asyncpg)",
            [],
            [Request("GET", f"/customers/{c}") for c in customers],
            floor=True,
        ),
        Endpoint(
            "GET customer by id",
            [("get", "/api/v1/customers/{customer_id}")],
            [Request("GET", f"/api/v1/customers/{c}") for c in customers],
        ),
        Endpoint(
            "list customers page 1",
            [("get", "/api/v1/customers")],
            [Request("GET", "/api/v1/customers?limit=50")],
        ),
        Endpoint(
            f"list customers offset {deep}",
            [("get", "/api/v1/customers")],
            [Request("GET", f"/api/v1/customers?limit=50&offset={deep}")],
        ),
        Endpoint(
            f"list customers keyset page {deep // 50 + 1:,}",
            [("get", "/api/v1/customers")],
            [Request("GET", f"/api/v1/customers?limit=50&cursor={quote(deep_cursor)}")]
            if deep_cursor
            else [],
        ),
        Endpoint(
            "search customers (typo)",
            [("get", "/api/v1/customers")],
            [Request("GET", f"/api/v1/customers?q={quote(t)}&limit=20") for t in typos],
        ),
        Endpoint(
            "timer start + stop",
            [
                ("post", "/api/v1/time-entries/timer/start"),
                ("post", "/api/v1/time-entries/timer/stop"),
            ],
            [
                Request(
                    "POST",
                    "/api/v1/time-entries/timer/start",
                    json.dumps({"project_id": str(project), "note": "bench"}),
                ),
                Request("POST", "/api/v1/time-entries/timer/stop"),
            ],
            per_employee=True,
        ),
        Endpoint(
            "list invoices status=sent",
            [("get", "/api/v1/invoices")],
            [Request("GET", "/api/v1/invoices?status=sent&limit=50")],
        ),
        _payment_endpoint(loaded, api_paths, today),
        Endpoint(
            "hours per project, one month",
            [("get", "/api/v1/time-entries/reports")],
            [
                Request(
                    "GET",
                    "/api/v1/time-entries/reports?group_by=project"
                    f"&from={last_month_start}&to={last_month_end}",
                )
            ],
        ),
    ]
    widget_path = "/api/v1/dashboards/widgets/{widget_id}"
    if "get" in api_paths.get(widget_path, set()) and widget_ids:
        for wid in widget_ids:
            path = f"/api/v1/dashboards/widgets/{quote(wid)}"
            result.append(Endpoint(f"widget {wid}", [("get", widget_path)], [Request("GET", path)]))
    else:
        result.append(Endpoint("dashboard widgets", [("get", widget_path)], []))
    return result


def _payment_endpoint(loaded: Loaded, api_paths: dict[str, set[str]], today: date) -> Endpoint:
    """POST a payment of 0.01 on rotating open invoices, on whichever route the API offers."""
    nested = "/api/v1/invoices/{invoice_id}/payments"
    invoices = loaded.open_invoice_ids[:500]
    if "post" in api_paths.get(nested, set()):
        body = {"amount": "0.01", "payment_date": str(today), "method": "bank_transfer"}
        reqs = [
            Request("POST", f"/api/v1/invoices/{i}/payments", json.dumps(body)) for i in invoices
        ]
        return Endpoint("POST payment", [("post", nested)], reqs)
    flat = "/api/v1/payments"
    reqs = [
        Request(
            "POST",
            flat,
            json.dumps(
                {
                    "invoice_id": str(i),
                    "amount": "0.01",
                    "payment_date": str(today),
                    "method": "bank_transfer",
                }
            ),
        )
        for i in invoices
    ]
    return Endpoint("POST payment", [("post", flat)], reqs)


# ---- servers -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_uvicorn(
    target: str,
    port: int,
    workers: int,
    env: dict[str, str],
    factory: bool,
    server: str = "uvicorn",
) -> subprocess.Popen[bytes]:
    """Serve `target` with uvicorn (httptools, uvloop) or granian (Rust HTTP, uvloop)."""
    if server == "granian":
        cmd = [
            sys.executable, "-m", "granian", "--interface", "asgi", "--host", "127.0.0.1",
            "--port", str(port), "--workers", str(workers), "--loop", "uvloop",
            "--no-access-log", "--log-level", "warning", target,
        ]  # fmt: skip
    else:
        cmd = [
            sys.executable, "-m", "uvicorn", target, "--host", "127.0.0.1", "--port", str(port),
            "--workers", str(workers), "--no-access-log", "--log-level", "warning",
        ]  # fmt: skip
    if factory:
        cmd.append("--factory")
    # Own process group: stopping it reaches uvicorn's worker processes too.
    proc = subprocess.Popen(cmd, env={**os.environ, **env}, cwd=ROOT, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            raise SystemExit(f"{target} exited with {proc.returncode}")
        time.sleep(0.2)
    stop(proc)
    raise SystemExit(f"{target} did not answer /healthz within 60 s")


def group_cpu_seconds(proc: subprocess.Popen[bytes]) -> float:
    """User + system CPU seconds of every live process in the server's process group (uvicorn
    starts it in its own session, so the group is the master and its workers)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue  # the process ended meanwhile
        # After the command: state ppid pgrp session tty tpgid flags minflt cminflt majflt
        # cmajflt utime stime ...
        if int(fields[2]) == proc.pid:
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)


# ---- load ----------------------------------------------------------------------------------

LUA = """
local reqs = {%(reqs)s}
local tokens = {%(tokens)s}
local per_employee = %(per_employee)s
local made = 0
function setup(thread)
  made = made + 1
  thread:set("token", tokens[((made - 1) %% #tokens) + 1])
  thread:set("offset", made)
end
local i = 0
function request()
  local base = per_employee and 0 or offset
  local r = reqs[((base + i) %% #reqs) + 1]
  i = i + 1
  local headers = {["Authorization"] = "Bearer " .. token}
  if r[3] then headers["Content-Type"] = "application/json" end
  return wrk.format(r[1], r[2], headers, r[3])
end
codes = {}
function response(status, headers, body)
  if status >= 300 then
    codes[status] = (codes[status] or 0) + 1
    if not sample then sample = status .. " " .. string.sub(body or "", 1, 160) end
  end
end
local threads = {}
local previous_setup = setup
function setup(thread)
  table.insert(threads, thread)
  previous_setup(thread)
end
function done(summary, latency, requests)
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("codes")) do io.write("STATUS ", status, " ", n, "\\n") end
    local s = thread:get("sample")
    if s then io.write("SAMPLE ", s, "\\n") end
  end
end
"""


def _lua_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def lua_script(endpoint: Endpoint, tokens: list[str]) -> str:
    reqs = ", ".join(
        "{"
        + ", ".join([_lua_str(r.method), _lua_str(r.path), _lua_str(r.body) if r.body else "nil"])
        + "}"
        for r in endpoint.requests
    )
    return LUA % {
        "reqs": reqs,
        "tokens": ", ".join(_lua_str(t) for t in tokens),
        "per_employee": "true" if endpoint.per_employee else "false",
    }


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not match:
        raise ValueError(f"unexpected wrk latency {text!r}")
    return float(match.group(1)) * UNITS[match.group(2)]


def run_wrk(
    base: str, endpoint: Endpoint, tokens: list[str], connections: int, seconds: float
) -> Result:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua_script(endpoint, tokens))
    try:
        # One thread per connection: a per-employee endpoint's connection owns its employee.
        proc = subprocess.run(
            ["wrk", "-t", str(connections), "-c", str(connections),
             "-d", f"{max(1, round(seconds))}s", "--latency", "-s", script.name, base],
            capture_output=True, text=True, timeout=seconds + 60, check=False,
        )  # fmt: skip
    finally:
        os.unlink(script.name)
    out = proc.stdout
    if proc.returncode != 0 or proc.stderr.strip():
        # A broken script makes wrk fall back to "GET /" silently; never report that as data.
        return Result(endpoint.name, "error", note=f"wrk: {proc.stderr.strip()[:200]}")
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    total = re.search(r"(\d+) requests in", out)
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    statuses: dict[str, int] = {}
    for code, n in re.findall(r"^STATUS (\d+) (\d+)$", out, re.M):
        statuses[code] = statuses.get(code, 0) + int(n)
    sample = re.search(r"^SAMPLE (.*)$", out, re.M)
    errors = re.search(r"Socket errors: (.*)$", out, re.M)
    if not (rps and total and p50 and p99):
        return Result(endpoint.name, "error", note=f"cannot parse wrk output: {out[-200:]!r}")
    return Result(
        endpoint.name,
        "ok",
        requests_per_s=float(rps.group(1)),
        p50_ms=_ms(p50.group(1)),
        p99_ms=_ms(p99.group(1)),
        non_2xx=int(bad.group(1)) if bad else 0,
        requests=int(total.group(1)),
        note="; ".join(
            x
            for x in (
                ", ".join(f"{n}× {code}" for code, n in sorted(statuses.items())),
                sample.group(1) if sample else "",
                f"socket errors: {errors.group(1)}" if errors else "",
            )
            if x
        )
        or None,
    )


async def run_python(
    base: str, endpoint: Endpoint, tokens: list[str], connections: int, seconds: float
) -> Result:
    """Fallback load loop: `connections` sequential clients for `seconds` (closed loop)."""
    latencies: list[float] = []
    bad = 0
    deadline = time.monotonic() + seconds

    async def client(k: int, http: httpx.AsyncClient) -> None:
        nonlocal bad
        headers = {"Authorization": f"Bearer {tokens[k % len(tokens)]}"}
        i = 0 if endpoint.per_employee else k
        while time.monotonic() < deadline:
            r = endpoint.requests[i % len(endpoint.requests)]
            i += 1
            t0 = time.perf_counter()
            resp = await http.request(
                r.method,
                r.path,
                content=r.body,
                headers={**headers, "Content-Type": "application/json"},
            )
            latencies.append((time.perf_counter() - t0) * 1000)
            bad += resp.status_code >= 400

    limits = httpx.Limits(max_connections=connections)
    started = time.monotonic()
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as http:
        await asyncio.gather(*(client(k, http) for k in range(connections)))
    elapsed = time.monotonic() - started
    if not latencies:
        return Result(endpoint.name, "error", note="no request completed")
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    return Result(
        endpoint.name,
        "ok",
        requests_per_s=len(latencies) / elapsed,
        p50_ms=cuts[49],
        p99_ms=cuts[98],
        non_2xx=bad,
        requests=len(latencies),
    )


def probe(
    base: str, endpoint: Endpoint, token: str, explain: str | None = None
) -> tuple[str | None, float | None]:
    """One pass over the endpoint's first requests: (error or None, SQL queries per request).

    With `explain`, the app also saves the EXPLAIN (ANALYZE, BUFFERS) of each SELECT under
    that name (see bench/counted_app.py)."""
    counts: list[int] = []
    with httpx.Client(base_url=base, timeout=120) as http:
        for r in endpoint.requests[: 2 if endpoint.per_employee else 1]:
            headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
            if explain:
                headers["X-Bench-Explain"] = explain
            resp = http.request(r.method, r.path, content=r.body, headers=headers)
            if resp.status_code >= 400:
                return f"{resp.status_code} {resp.text[:120]}", None
            if "x-query-count" in resp.headers:
                counts.append(int(resp.headers["x-query-count"]))
    return None, (sum(counts) / len(counts) if counts else None)


# Tables that grow with the company; a sequential scan over one of them in a list or report
# query makes its cost grow with the data, not with the page.
BIG_TABLES = (
    "time_entries", "invoices", "invoice_lines", "payments", "customers", "contacts",
    "expenses", "projects", "audit_log",
)  # fmt: skip


def seq_scans(plan: str) -> list[str]:
    """Big tables the plan reads with a sequential scan."""
    found = re.findall(r"Seq Scan on (\w+)", plan)
    return sorted({t for t in found if t in BIG_TABLES})


async def data_until(url: str) -> date | None:
    """The day of the newest generated time entry (before today: bench timers are today's)."""
    conn = await asyncpg.connect(url)
    try:
        newest = await conn.fetchval(
            "SELECT max(start_time) FROM time_entries WHERE start_time < current_date"
        )
    finally:
        await conn.close()
    return newest.date() if newest else None


def keyset_cursor(base: str, token: str, offset: int) -> str | None:
    """The cursor that continues the customer list at `offset` (from the page before it)."""
    if offset < 50:
        return None
    try:
        resp = httpx.get(
            f"{base}/api/v1/customers?limit=50&offset={offset - 50}",
            headers={"Authorization": f"Bearer {token}"},
            timeout=120,
        )
        cursor = resp.json().get("next_cursor") if resp.status_code == 200 else None
    except (httpx.HTTPError, ValueError):
        return None
    return str(cursor) if cursor else None


def list_widgets(base: str, token: str) -> list[str]:
    """The dashboard widget ids the Admin may show (the KPI widgets to measure)."""
    try:
        resp = httpx.get(
            f"{base}/api/v1/dashboards/widgets",
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
        items = resp.json() if resp.status_code == 200 else []
    except (httpx.HTTPError, ValueError):
        return []
    return [str(w["id"]) for w in items if isinstance(w, dict) and "id" in w]


# ---- database ------------------------------------------------------------------------------


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


async def recreate(server_url: str, name: str) -> str:
    conn = await asyncpg.connect(server_url)
    try:
        await conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", name
        )
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return with_database(server_url, name)


async def reuse(url: str, scale: str) -> Loaded:
    """What the harness needs from a database an earlier run loaded (M takes a while to load):
    the ids the generator hands out, read back in its order, and fresh tokens."""
    conn = await asyncpg.connect(url)
    try:
        loaded = Loaded(scale=scale)
        for table in ("customers", "time_entries", "invoices", "payments"):
            loaded.rows[table] = int(await conn.fetchval(f"SELECT count(*) FROM {table}"))
        # Customer numbers and employee e-mails carry the generator's order (K-00001, .<k>@).
        loaded.customer_ids = [
            r[0] for r in await conn.fetch("SELECT id FROM customers ORDER BY number LIMIT 1000")
        ]
        loaded.customer_names = [
            r[0] for r in await conn.fetch("SELECT name FROM customers ORDER BY number LIMIT 2000")
        ]
        loaded.project_ids = [r[0] for r in await conn.fetch("SELECT id FROM projects ORDER BY id")]
        loaded.open_invoice_ids = [
            r[0]
            for r in await conn.fetch(
                "SELECT id FROM invoices WHERE kind = 'invoice' AND status IN ('sent', 'overdue') "
                "ORDER BY id LIMIT 5000"
            )
        ]
        employees = await conn.fetch(
            "SELECT id FROM employees WHERE email LIKE '%@' || $1 "
            "ORDER BY email <> 'admin@' || $1, "
            "nullif(substring(email from '\\.(\\d+)@'), '')::int LIMIT $2",
            BENCH_DOMAIN,
            TOKENS,
        )
        loaded.tokens = await _tokens(conn, [r[0] for r in employees])
        return loaded
    finally:
        await conn.close()


def server_url(given: str | None) -> str:
    if given:
        return given
    from workmate import embedded

    # A private server for benchmarks, stopped when this process ends.
    return embedded.start(ROOT / "bench" / ".pg", database="postgres", stop_on_exit=True)


async def _pg_version(url: str) -> str:
    conn = await asyncpg.connect(url)
    try:
        return str(await conn.fetchval("SHOW server_version"))
    finally:
        await conn.close()


def machine(url: str) -> dict[str, Any]:
    version = asyncio.run(_pg_version(url))
    cpu = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        cpu = found.group(1).strip() if found else ""
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "postgresql": version,
        "platform": platform.platform(),
    }


# ---- main ----------------------------------------------------------------------------------


@dataclass
class Run:
    scale: str
    workers: int
    connections: int
    seconds: float
    tool: str
    started_at: str
    server: str = "uvicorn"
    machine: dict[str, Any] = field(default_factory=dict)
    load_rows: dict[str, int] = field(default_factory=dict)
    load_seconds: dict[str, float] = field(default_factory=dict)
    results: list[Result] = field(default_factory=list)


def print_table(run: Run) -> None:
    table = Table(
        title=f"Workmate bench: scale {run.scale}, {run.workers} workers, "
        f"{run.connections} connections, {run.seconds:g} s each ({run.tool}, {run.server})"
    )
    for column in (
        "endpoint",
        "status",
        "req/s",
        "p50 ms",
        "p99 ms",
        "SQL/req",
        "× floor",
        "CPU ms/req",
        "× floor CPU",
        "non-2xx",
        "seq scans",
    ):
        table.add_column(column, justify="left" if column in ("endpoint", "status") else "right")

    def num(value: float | None, fmt: str) -> str:
        return "" if value is None else format(value, fmt)

    for r in run.results:
        table.add_row(
            r.name,
            r.status if r.status != "error" else f"error: {(r.note or '')[:40]}",
            num(r.requests_per_s, ",.0f"),
            num(r.p50_ms, ".2f"),
            num(r.p99_ms, ".2f"),
            num(r.queries_per_request, ".1f"),
            num(r.ratio_to_floor, ".2f"),
            num(r.cpu_ms_per_request, ".2f"),
            num(r.cpu_ratio_to_floor, ".2f"),
            "" if r.non_2xx is None else str(r.non_2xx),
            ", ".join(r.seq_scans or []),
        )
    console.print(table)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/run", description="Workmate load benchmark.")
    parser.add_argument("--scale", choices=("tiny", "S", "M"), default="S")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="tiny scale, 2 s per endpoint")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per endpoint")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--database-url",
        help="any database on the PostgreSQL server to use (a fresh wm_bench_<scale> is "
        "created beside it); default: a private embedded server in bench/.pg",
    )
    parser.add_argument("--tool", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument(
        "--server",
        choices=("uvicorn", "granian"),
        default="uvicorn",
        help="ASGI server for Workmate and the floor alike (granian: pip install granian)",
    )
    parser.add_argument("--only", help="run only endpoints whose name contains this text")
    parser.add_argument("--database-name", help="name of the fresh database (wm_bench_<scale>)")
    parser.add_argument("--results-dir", type=Path, default=RESULTS)
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure the database an earlier run loaded (migrated to head, not reloaded)",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.scale, args.duration = "tiny", 2.0
    tool = args.tool
    if tool == "auto":
        tool = "wrk" if shutil.which("wrk") else "python"

    from workmate.migrate import upgrade

    server = server_url(args.database_url)
    name = args.database_name or f"wm_bench_{args.scale.lower()}"
    if args.reuse:
        url = with_database(server, name)
        console.print(f"reusing database {name}, migrating")
        upgrade(url)
        loaded = asyncio.run(reuse(url, args.scale))
    else:
        url = asyncio.run(recreate(server, name))
        console.print(f"fresh database {name}, migrating and loading")
        upgrade(url)
        loaded = asyncio.run(load(url, args.scale, seed=args.seed, console=console))
    run = Run(
        scale=args.scale,
        workers=args.workers,
        connections=args.connections,
        seconds=args.duration,
        tool=tool,
        started_at=datetime.now(UTC).isoformat(timespec="seconds"),
        server=args.server,
        machine=machine(url),
        load_rows=loaded.rows,
        load_seconds={k: round(v, 3) for k, v in loaded.seconds.items()},
    )
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    explain_dir = args.results_dir / f"explain-{args.scale}-{stamp}"
    explain_dir.mkdir(parents=True, exist_ok=True)
    env = {
        "BENCH_EXPLAIN_DIR": str(explain_dir),
        "WORKMATE_DATABASE_URL": url,
        "BENCH_DATABASE_URL": url,
        # Periodic jobs write (overdue marking); keep them out of the measurement.
        "WORKMATE_JOBS_IN_PROCESS": "false",
    }
    floor_port, app_port = free_port(), free_port()
    procs = [
        start_uvicorn(
            "bench.floor:app", floor_port, args.workers, env, factory=False, server=args.server
        ),
    ]
    try:
        procs.append(
            start_uvicorn(
                "bench.counted_app:create_app",
                app_port,
                args.workers,
                env,
                factory=True,
                server=args.server,
            )
        )
        app_base = f"http://127.0.0.1:{app_port}"
        spec = httpx.get(f"{app_base}/openapi.json", timeout=30).json()
        api_paths = {p: set(methods) for p, methods in spec.get("paths", {}).items()}
        tokens = [t for _, t in loaded.tokens]
        widget_ids = list_widgets(app_base, tokens[0])
        cursor = keyset_cursor(app_base, tokens[0], deep_offset(args.scale))
        floor_rps: float | None = None
        floor_cpu: float | None = None
        until = asyncio.run(data_until(url))
        for endpoint in endpoints(loaded, api_paths, date.today(), widget_ids, cursor, until):
            if args.only and not (endpoint.floor or args.only in endpoint.name):
                continue
            missing = [
                f"{m.upper()} {p}" for m, p in endpoint.needs if m not in api_paths.get(p, set())
            ]
            if missing or not endpoint.requests:
                run.results.append(Result(endpoint.name, "missing", note=", ".join(missing)))
                console.print(f"[yellow]missing[/]  {endpoint.name}")
                continue
            base = f"http://127.0.0.1:{floor_port}" if endpoint.floor else app_base
            server = procs[0] if endpoint.floor else procs[1]
            error, queries = probe(base, endpoint, tokens[0])
            # Reads only: EXPLAIN ANALYZE runs the statement, so a POST's would write twice.
            explain_name = None
            if not endpoint.floor and all(r.method == "GET" for r in endpoint.requests):
                explain_name = re.sub(r"[^A-Za-z0-9_.-]+", "_", endpoint.name)
                probe(base, endpoint, tokens[0], explain=explain_name)
            if error:
                run.results.append(Result(endpoint.name, "error", note=error))
                console.print(f"[red]error[/]    {endpoint.name}: {error}")
                continue
            connections = (
                min(args.connections, len(tokens)) if endpoint.per_employee else args.connections
            )
            console.print(f"running  {endpoint.name} ({args.duration:g} s)")
            # Only per-employee endpoints spread over employees; the rest act as the Admin,
            # who may do everything (a 403 would measure the permission check, not the work).
            mine = tokens if endpoint.per_employee else tokens[:1]
            cpu_before = group_cpu_seconds(server)
            if tool == "wrk":
                result = run_wrk(base, endpoint, mine, connections, args.duration)
            else:
                result = asyncio.run(run_python(base, endpoint, mine, connections, args.duration))
            result.queries_per_request = queries
            if result.requests:
                spent = group_cpu_seconds(server) - cpu_before
                result.cpu_ms_per_request = round(spent * 1000 / result.requests, 3)
            if endpoint.floor:
                floor_cpu = result.cpu_ms_per_request
            if floor_cpu and result.cpu_ms_per_request:
                result.cpu_ratio_to_floor = round(floor_cpu / result.cpu_ms_per_request, 3)
            plan_file = explain_dir / f"{explain_name}.txt" if explain_name else None
            if plan_file is not None and plan_file.exists():
                result.seq_scans = seq_scans(plan_file.read_text())
                result.explain_file = str(plan_file.relative_to(args.results_dir))
            if endpoint.floor:
                floor_rps = result.requests_per_s
            if floor_rps and result.requests_per_s is not None:
                result.ratio_to_floor = round(result.requests_per_s / floor_rps, 3)
            run.results.append(result)
    finally:
        for proc in procs:
            stop(proc)
    print_table(run)
    args.results_dir.mkdir(parents=True, exist_ok=True)
    out = args.results_dir / f"{args.scale}-{stamp}.json"
    out.write_text(json.dumps(asdict(run), indent=2, default=str) + "\n")
    console.print(f"results: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Profile one endpoint under load: py-spy samples a single uvicorn worker while wrk drives it.

    python -m bench.profile --database-url postgresql://.../wm_bench_tiny \
        [--path '/api/v1/customers/{customer}'] [--seconds 10] [--out bench/results/x.txt]

Uses a database that bench/run loaded (`{customer}` in the path becomes rotating customer ids,
`{invoice}` open invoice ids). Prints the functions by own time and by total time (inclusive),
grouped by top-level package, which is what the README's "where the CPU goes" is built from.
Needs `wrk` and `py-spy` (pip install py-spy); nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import asyncpg

from bench.generate import BENCH_DOMAIN, _tokens
from bench.harness import ROOT, free_port, start_uvicorn, stop


async def _setup(url: str) -> tuple[str, list[str], list[str]]:
    conn = await asyncpg.connect(url)
    try:
        admin = await conn.fetchval(
            "SELECT id FROM employees WHERE email = $1", f"admin@{BENCH_DOMAIN}"
        )
        ((_, token),) = await _tokens(conn, [admin])
        customers = [str(r[0]) for r in await conn.fetch("SELECT id FROM customers LIMIT 200")]
        invoices = [
            str(r[0])
            for r in await conn.fetch(
                "SELECT id FROM invoices WHERE status IN ('sent', 'overdue') LIMIT 200"
            )
        ]
        return token, customers, invoices
    finally:
        await conn.close()


LUA = """
local paths = {%s}
local i = 0
function request()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1], {["Authorization"] = "Bearer %s"})
end
"""


def _package(frame: str) -> str:
    """'handle (fastapi/routing.py:123)' -> 'fastapi'."""
    inner = frame.rpartition("(")[2]
    path = inner.split(":")[0]
    parts = Path(path).parts
    for marker in ("site-packages", "src", "lib"):
        if marker in parts:
            rest = parts[parts.index(marker) + 1 :]
            if rest and not rest[0].startswith("python3"):
                return rest[0].removesuffix(".py")
    return parts[0] if parts else "?"


def summarise(collapsed: Path, top: int = 25) -> str:
    own: collections.Counter[str] = collections.Counter()
    total: collections.Counter[str] = collections.Counter()
    packages: collections.Counter[str] = collections.Counter()
    samples = 0
    for line in collapsed.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        n = int(count)
        frames = stack.split(";")[1:]  # first is the process/thread
        if not frames:
            continue
        samples += n
        own[frames[-1]] += n
        packages[_package(frames[-1])] += n
        for f in set(frames):
            total[f] += n
    out = [f"{samples} samples"]
    out.append("\nown time by package:")
    out += [f"{n * 100 / samples:5.1f} %  {p}" for p, n in packages.most_common(12)]
    out.append("\nown time by function:")
    out += [f"{n * 100 / samples:5.1f} %  {f}" for f, n in own.most_common(top)]
    out.append("\ninclusive time by function:")
    out += [f"{n * 100 / samples:5.1f} %  {f}" for f, n in total.most_common(top * 2)]
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench.profile")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--path", default="/api/v1/customers/{customer}")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--server", choices=("uvicorn",), default="uvicorn")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    for tool in ("wrk", "py-spy"):
        if not shutil.which(tool) and not Path(sys.executable).with_name(tool).exists():
            raise SystemExit(f"bench.profile needs {tool}")
    token, customers, invoices = asyncio.run(_setup(args.database_url))
    paths = [
        args.path.replace("{customer}", c).replace("{invoice}", i)
        for c, i in zip(customers, invoices or customers, strict=False)
    ]
    env = {
        "WORKMATE_DATABASE_URL": args.database_url,
        "WORKMATE_JOBS_IN_PROCESS": "false",
    }
    port = free_port()
    server = start_uvicorn("workmate.app:create_app", port, 1, env, factory=True)
    pyspy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    try:
        # uvicorn with --workers 1 still forks one worker below its supervisor; sample that.
        children = subprocess.run(
            ["pgrep", "-P", str(server.pid)], capture_output=True, text=True, check=False
        ).stdout.split()
        target = children[-1] if children else str(server.pid)
        with tempfile.TemporaryDirectory() as tmp:
            script = Path(tmp) / "load.lua"
            script.write_text(LUA % (", ".join(f'"{p}"' for p in paths), token))
            collapsed = Path(tmp) / "stacks.txt"
            spy = subprocess.Popen(
                [pyspy, "record", "--pid", target, "--format", "raw", "--rate", "250",
                 "--duration", str(args.seconds + 1), "--output", str(collapsed), "--nonblocking"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            wrk = subprocess.run(
                ["wrk", "-t", "2", "-c", str(args.connections), "-d", f"{args.seconds}s",
                 "-s", str(script), f"http://127.0.0.1:{port}"],
                capture_output=True, text=True, check=False,
            )  # fmt: skip
            spy.wait(60)
            report = wrk.stdout.strip() + "\n\n" + summarise(collapsed)
    finally:
        stop(server)
    print(report)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(report + "\n")
    return 0


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main())

"""E-invoice checks: time per file in the worker pool, and how free the event loop stays.

    .venv/bin/python -m bench.einvoice [--rounds 3]

Checks every official example (tests/fixtures/einvoice) through workmate.purchases.pool, the
way an upload does, while a ticker on the event loop measures how late its 10 ms sleeps wake
up. Prints the time per check (median, max) and the loop lag as a ratio to the tick: near 1
means the loop stayed free while Saxon worked in the other process.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from pathlib import Path

from workmate.config import get_settings
from workmate.purchases import examine, pool

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "einvoice"
TICK = 0.01


async def main(rounds: int) -> None:
    files = sorted(p for p in FIXTURES.rglob("*") if p.suffix.lower() in (".xml", ".pdf"))
    limit = get_settings().einvoice_max_xml_bytes
    started = time.perf_counter()
    await pool.run(examine.examine, files[0].read_bytes(), limit)  # compile once
    print(f"first check (worker start, stylesheets): {time.perf_counter() - started:.2f} s")
    lags: list[float] = []
    running = True

    async def ticker() -> None:
        while running:
            t = time.perf_counter()
            await asyncio.sleep(TICK)
            lags.append((time.perf_counter() - t) / TICK)

    tick = asyncio.create_task(ticker())
    times: list[float] = []
    for _ in range(rounds):
        for path in files:
            t = time.perf_counter()
            await pool.run(examine.examine, path.read_bytes(), limit)
            times.append(time.perf_counter() - t)
    running = False
    await tick
    pool.shutdown()
    print(
        f"{len(times)} checks: median {statistics.median(times) * 1000:.0f} ms, "
        f"max {max(times) * 1000:.0f} ms per file (incl. transfer to the worker)"
    )
    print(
        f"event loop: sleep({TICK * 1000:.0f} ms) woke after x{statistics.median(lags):.2f} "
        f"(median), x{max(lags):.2f} (max) of its time"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    asyncio.run(main(parser.parse_args().rounds))

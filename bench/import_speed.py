"""Customer CSV import speed (issue 10 target: >= 10,000 rows/s).

    python -m bench.import_speed --rows 50000
    python -m bench.import_speed --rows 50000 --database-url postgresql://postgres@127.0.0.1:5432/postgres

Creates a scratch database next to the given one, migrates it, generates a deterministic
CSV (one contact per customer, every second row with its own EU VAT ID and a phone number,
cp1252-safe text with umlauts), imports it through `import_csv` in one transaction (as the
CLI and the endpoint do), prints rows/s (wall and process CPU), then drops the database.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time

import asyncpg
from stdnum.iso7064 import mod_11_10

from workmate.db import session_scope
from workmate.migrate import upgrade

SCRATCH = "wm_bench_import"
HEADER = (
    "number;name;type;email;phone;tax_id;street;postal_code;city;country;"
    "contact_firstname;contact_lastname;contact_email;contact_phone;contact_is_primary"
)


def vat_id(i: int) -> str:
    """A distinct, valid German VAT ID per row (ISO 7064 Mod 11,10 check digit)."""
    base = str(10_000_000 + i)
    return f"DE{base}{mod_11_10.calc_check_digit(base)}"


def make_csv(rows: int) -> bytes:
    """`rows` data rows, the same bytes on every run."""
    lines = [HEADER]
    for i in range(rows):
        vat = vat_id(i) if i % 2 else ""
        phone = f"+49 30 {100000 + i}" if i % 2 else ""
        lines.append(
            f"A{i};Müller & Söhne {i} GmbH;{'B2B' if i % 3 else 'B2C'};info{i}@firma{i % 97}.de;"
            f"{phone};{vat};Hauptstraße {i % 200};{10000 + i % 89999};Köln;DE;"
            f"Jörg{i};Schäfer{i};j{i}@firma{i % 97}.de;0221 {200000 + i};ja"
        )
    return "\r\n".join(lines).encode("cp1252")


def _with_database(url: str, name: str) -> str:
    base, _, _ = url.rpartition("/")
    return f"{base}/{name}"


async def _admin(url: str, *statements: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


async def _import(url: str, data: bytes) -> tuple[int, int, float, float]:
    from sqlalchemy.ext.asyncio import create_async_engine  # noqa: F401 (engine warm-up)

    from workmate.customers.csv_io import import_csv
    from workmate.db import make_engine

    engine = make_engine(url, pool_size=1)
    try:
        wall, cpu = time.perf_counter(), time.process_time()
        async with session_scope(engine) as db:
            result = await import_csv(db, None, data)
        return (
            result.customers,
            result.contacts,
            time.perf_counter() - wall,
            time.process_time() - cpu,
        )
    finally:
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "WORKMATE_BENCH_SERVER", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
        help="any database on the server; a scratch database is created next to it",
    )
    args = parser.parse_args()
    url = _with_database(args.database_url, SCRATCH)
    drop = f'DROP DATABASE IF EXISTS "{SCRATCH}" WITH (FORCE)'
    asyncio.run(_admin(args.database_url, drop, f'CREATE DATABASE "{SCRATCH}"'))
    try:
        upgrade(url)
        data = make_csv(args.rows)
        customers, contacts, wall, cpu = asyncio.run(_import(url, data))
        print(
            f"{args.rows:,} rows ({customers:,} customers, {contacts:,} contacts) in {wall:.2f} s: "
            f"{args.rows / wall:,.0f} rows/s wall, {args.rows / cpu:,.0f} rows/s CPU"
        )
    finally:
        asyncio.run(_admin(args.database_url, drop))


if __name__ == "__main__":
    main()

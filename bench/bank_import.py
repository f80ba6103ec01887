"""Bank statement import and matching at the scale of a busy account (issue 18).

    python -m bench.bank_import                      # 50,000 transactions, 5,000 invoices
    python -m bench.bank_import --transactions 5000 --invoices 500 --database-url URL

Creates a scratch database (on a private embedded server unless --database-url names one),
migrates it, loads customers and issued invoices, generates a year of daily camt.053 files
in one ZIP (`workmate.demo.banking.generate`: every invoice paid the ways customers pay, the
rest card payments, rent, salaries...), then imports the ZIP through the import service in
one transaction, as the endpoint does: parse and schema-validate, store, check balances,
insert (COPY), match (one bulk candidate load), book the exact matches through the payment
service. Prints times, rates and SQL statements per transaction; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import random
import time
import uuid
import zipfile
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import asyncpg
from sqlalchemy import event, text

from bench.harness import recreate, server_url
from workmate.auth.permissions import everything
from workmate.auth.principal import Principal
from workmate.banking.formats.read import read
from workmate.demo.banking import Invoice as DemoInvoice
from workmate.demo.banking import generate, measure
from workmate.migrate import upgrade

SCRATCH = "wm_bench_bank"
IBAN = "DE89370400440532013000"


async def _load(url: str, invoices: int, today: date) -> tuple[list[DemoInvoice], Principal]:
    """Customers and issued invoices over the last year, and an operator to book as."""
    rng = random.Random(18)
    conn = await asyncpg.connect(url)
    try:
        role = await conn.fetchrow("SELECT id, name FROM roles WHERE name = 'Admin'")
        employee = uuid.uuid4()
        await conn.execute(
            "INSERT INTO employees (id, firstname, lastname, email, role_id, password_hash) "
            "VALUES ($1, 'Bench', 'Operator', 'bench@bank.example', $2, 'x')",
            employee,
            role["id"],
        )
        customers = [
            (uuid.uuid4(), f"B-{i:06d}", f"Kunde {i} Handels GmbH")
            for i in range(max(1, invoices // 5))
        ]
        await conn.copy_records_to_table(
            "customers", records=customers, columns=("id", "number", "name")
        )
        rows = []
        out = []
        for i in range(invoices):
            cid, cnumber, cname = customers[i % len(customers)]
            issued = today - timedelta(days=rng.randint(10, 360))
            total = Decimal(rng.randint(5000, 900000)) / 100
            number = f"RE-{issued.year}-{i + 1:05d}"
            invoice_id = uuid.uuid4()
            rows.append((invoice_id, cid, total, total, Decimal(0)))
            out.append(
                DemoInvoice(invoice_id, number, "invoice", cid, cnumber, cname, total, issued)
            )
        await conn.copy_records_to_table(
            "invoices",
            records=rows,
            columns=("id", "customer_id", "total", "net_total", "tax_total"),
        )
        await conn.executemany(
            "UPDATE invoices SET status = 'sent', number = $2, issued_date = $3::date, "
            "due_date = $3::date + 14, buyer_name = $4 WHERE id = $1",
            [(i.id, i.number, i.issued, i.customer_name) for i in out],
        )
        principal = Principal(
            employee, "bench@bank.example", role["id"], "Admin", everything(), "cli"
        )
        return out, principal
    finally:
        await conn.close()


def _cpu(pid: int) -> float:
    """CPU seconds of a local process (the database backend serving the import): with the
    process's own, a figure a busy machine does not inflate the way it does wall time."""
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()  # noqa: SIM115
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


async def _import(url: str, data: bytes, who: Principal) -> tuple[Any, float, int]:
    from workmate.banking.imports import Options, statement_import_service
    from workmate.db import make_engine, session_scope
    from workmate.documents.storage import get_storage
    from workmate.models import BankAccount

    engine = make_engine(url, pool_size=1)
    statements = 0

    def count(*_: Any) -> None:
        nonlocal statements
        statements += 1

    try:
        async with session_scope(engine) as db:
            account = BankAccount(name="Geschäftskonto", iban=IBAN)
            db.add(account)
            await db.flush()
            account_id = account.id
        async with session_scope(engine) as db:
            backend = int(await db.scalar(text("SELECT pg_backend_pid()")) or 0)
            event.listen(engine.sync_engine, "before_cursor_execute", count)
            wall, cpu, server = time.perf_counter(), time.process_time(), _cpu(backend)
            outcome = await statement_import_service.import_bytes(
                db, who, get_storage(), data, Options(account_id=account_id, filename="year.zip")
            )
            await db.flush()
        elapsed = time.perf_counter() - wall
        spent = time.process_time() - cpu + (_cpu(backend) - server)
        async with session_scope(engine) as db:
            rows = await db.execute(
                text(
                    "SELECT t.bank_reference, m.invoice_id, m.amount FROM bank_matches m "
                    "JOIN bank_transactions t ON t.id = m.transaction_id WHERE m.auto"
                )
            )
            booked: dict[str, list[tuple[uuid.UUID, Decimal]]] = {}
            for ref, invoice_id, amount in rows:
                booked.setdefault(ref, []).append((invoice_id, amount))
        return (outcome.result, booked, spent), elapsed, statements
    finally:
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transactions", type=int, default=50_000)
    parser.add_argument("--invoices", type=int, default=5_000)
    parser.add_argument("--database-url", default=None, help="a server (default: private embedded)")
    args = parser.parse_args()
    server = server_url(args.database_url)
    url = asyncio.run(recreate(server, SCRATCH))
    upgrade(url)
    today = date.today()
    invoices, who = asyncio.run(_load(url, args.invoices, today))
    paying = len(invoices) + len(invoices) // 8
    started = time.perf_counter()
    generated = generate(18, IBAN, invoices, today=today, noise=max(0, args.transactions - paying))
    data = _zip(generated.camt_zip("bench"))
    made = time.perf_counter() - started
    count = len(generated.truth)
    started = time.perf_counter()
    cpu = time.process_time()
    parsed = read(data)
    parse_s = time.perf_counter() - started
    parse_cpu = time.process_time() - cpu
    (result, booked, import_cpu), import_s, sql = asyncio.run(_import(url, data, who))
    m = measure(generated.truth, booked)
    print(
        f"{count:,} transactions in {len(parsed.statements)} daily camt.053 files, "
        f"ZIP {len(data) / 1e6:.1f} MB (made in {made:.1f} s)"
    )
    print(
        f"  read + schema-validate only: {parse_s:.2f} s wall, {parse_cpu:.2f} s CPU "
        f"({count / parse_s:,.0f} transactions/s)"
    )
    print(
        f"  import + match + book: {import_s:.2f} s wall, {import_cpu:.2f} s CPU (this process "
        f"and its database backend; {count / import_cpu:,.0f} transactions per CPU second), "
        f"{result.transactions_added:,} added"
    )
    print(
        f"  matching: {result.matching.booked_automatically:,} booked automatically, "
        f"{result.matching.in_review:,} for review, {result.matching.unmatched:,} unmatched; "
        f"precision {m.precision:.1%}, recall {m.recall:.1%}"
    )
    print(
        f"  SQL statements: {sql:,} ({sql / count:.2f} per transaction, "
        f"{sql / max(1, m.booked):.1f} per automatic booking)"
    )
    print(f"  load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()

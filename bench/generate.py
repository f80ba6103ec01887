"""Deterministic bulk loader for benchmarks: a company at scale tiny / S / M, written with COPY.

    python -m bench.generate --scale S --database-url postgresql://postgres@127.0.0.1/wm_bench

The target must be migrated and hold no customers. Rows are streamed from generators into
asyncpg's binary COPY, so memory stays flat at any scale. Triggers (and with them foreign-key
checks) are switched off for the session with `session_replication_role = replica`, which
needs a superuser: the generator builds consistent data itself (lines before totals, payments
matching the status), and running the payment and immutability triggers row by row would
measure the triggers, not the load. Unique and exclusion constraints still apply.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)

from workmate.auth.passwords import hash_password
from workmate.auth.tokens import digest, new_token
from workmate.demo import names
from workmate.demo.money import cents, line_net, totals

BERLIN = ZoneInfo("Europe/Berlin")
BENCH_DOMAIN = "bench.workmate.de"
BENCH_PASSWORD = "workmate-bench"  # noqa: S105 (throwaway benchmark database)
# Employees that get an API token: one per load-generator connection that needs its own
# employee (timers are per employee).
TOKENS = 16


@dataclass(frozen=True)
class Scale:
    customers: int
    employees: int
    projects: int
    time_entries: int
    invoices: int

    @property
    def entries_per_employee(self) -> int:
        return self.time_entries // self.employees


SCALES = {
    "tiny": Scale(customers=200, employees=20, projects=40, time_entries=4_000, invoices=400),
    "S": Scale(customers=1_000, employees=40, projects=300, time_entries=100_000, invoices=10_000),
    "M": Scale(
        customers=100_000,
        employees=4_000,
        projects=30_000,
        time_entries=10_000_000,
        invoices=1_000_000,
    ),
}


@dataclass
class Loaded:
    """What the harness needs to drive the endpoints."""

    scale: str
    rows: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    # (employee id, bearer token); the first is the Admin.
    tokens: list[tuple[uuid.UUID, str]] = field(default_factory=list)
    customer_ids: list[uuid.UUID] = field(default_factory=list)
    project_ids: list[uuid.UUID] = field(default_factory=list)
    open_invoice_ids: list[uuid.UUID] = field(default_factory=list)
    customer_names: list[str] = field(default_factory=list)


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _workdays_back(today: date, count: int) -> list[date]:
    days: list[date] = []
    day = today - timedelta(days=1)
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day -= timedelta(days=1)
    days.reverse()
    return days


class Generator:
    """Row streams for one scale and seed; each table's stream is reproducible on its own."""

    def __init__(self, scale: Scale, seed: int, today: date, roles: dict[str, uuid.UUID]) -> None:
        self.scale = scale
        self.seed = seed
        self.today = today
        self.roles = roles
        rng = random.Random(seed)
        self.employee_ids = [_uuid(rng) for _ in range(scale.employees)]
        self.customer_ids = [_uuid(rng) for _ in range(scale.customers)]
        self.project_ids = [_uuid(rng) for _ in range(scale.projects)]
        self.project_customer = [rng.randrange(scale.customers) for _ in range(scale.projects)]
        self.project_rate = [Decimal(rng.choice((85, 95, 110, 120, 135))) for _ in self.project_ids]
        # Two and a half entries per workday: the history spans as many days as that needs.
        self.days = _workdays_back(today, max(20, scale.entries_per_employee // 2 + 1))
        self.open_invoice_ids: list[uuid.UUID] = []
        self.names: list[str] = []
        self.invoice_counters: dict[int, int] = {}

    def rng(self, table: str) -> random.Random:
        return random.Random(f"{self.seed}:{table}")

    # ---- master data --------------------------------------------------------------------

    def employees(self, password_hash: str) -> Iterator[tuple[Any, ...]]:
        rng = self.rng("employees")
        for k, emp_id in enumerate(self.employee_ids):
            first, last = rng.choice(names.FIRST_NAMES), rng.choice(names.LAST_NAMES)
            role = "Admin" if k == 0 else "Manager" if k % 10 == 1 else "Employee"
            email = f"{names.slug(first)}.{names.slug(last)}.{k}@{BENCH_DOMAIN}"
            if k == 0:
                email = f"admin@{BENCH_DOMAIN}"
            yield (emp_id, first, last, email, self.roles[role], password_hash, True, "de")

    def customers(self) -> Iterator[tuple[Any, ...]]:
        rng = self.rng("customers")
        for k, cust_id in enumerate(self.customer_ids):
            city, postal_code, area = rng.choice(names.CITIES)
            street = f"{rng.choice(names.STREETS)} {rng.randint(1, 150)}"
            first, last = rng.choice(names.FIRST_NAMES), rng.choice(names.LAST_NAMES)
            if rng.random() < 0.65:
                kind = "B2B"
                name = (
                    f"{last} {rng.choice(names.TRADES)} {rng.choice(names.LEGAL_FORMS)}"
                    if rng.random() < 0.7
                    else f"{rng.choice(names.BRANDS)} {rng.choice(names.TRADES)} AG"
                )
                email = f"info@{names.slug(name)[:40]}.de"
            else:
                kind = "B2C"
                name = f"{first} {last}"
                email = (
                    f"{names.slug(first)}.{names.slug(last)}{k}@{rng.choice(names.MAIL_PROVIDERS)}"
                )
            self.names.append(name)
            yield (
                cust_id,
                f"K-{k + 1:05d}",
                name,
                kind,
                email,
                f"+49 {area[1:]} {rng.randint(100000, 9999999)}",
                f"{street}\n{postal_code} {city}",
                street,
                postal_code,
                city,
                "DE",
            )

    def contacts(self) -> Iterator[tuple[Any, ...]]:
        rng = self.rng("contacts")
        for cust_id in self.customer_ids:
            first, last = rng.choice(names.FIRST_NAMES), rng.choice(names.LAST_NAMES)
            yield (
                _uuid(rng),
                cust_id,
                first,
                last,
                f"{names.slug(first)}.{names.slug(last)}@example.de",
                True,
            )

    def projects(self) -> Iterator[tuple[Any, ...]]:
        rng = self.rng("projects")
        statuses = ("in_progress",) * 5 + ("completed",) * 3 + ("planned", "cancelled")
        first_day = self.days[0]
        span = (self.today - first_day).days
        for k, proj_id in enumerate(self.project_ids):
            start = first_day + timedelta(days=rng.randrange(max(1, span)))
            yield (
                proj_id,
                self.customer_ids[self.project_customer[k]],
                f"{rng.choice(names.PROJECT_TITLES)} {k + 1}",
                rng.choice(statuses),
                start,
                self.project_rate[k],
            )

    # ---- time ---------------------------------------------------------------------------

    def time_entries(self) -> Iterator[tuple[Any, ...]]:
        per_employee = self.scale.entries_per_employee
        for k, emp_id in enumerate(self.employee_ids):
            rng = self.rng(f"time:{k}")
            mine = [rng.randrange(len(self.project_ids)) for _ in range(5)]
            made = 0
            for day in self.days:
                if made >= per_employee:
                    break
                t = datetime(day.year, day.month, day.day, 8, tzinfo=BERLIN) + timedelta(
                    minutes=15 * rng.randint(0, 4)
                )
                for _ in range(rng.choice((2, 2, 3, 3, 3))):
                    if made >= per_employee:
                        break
                    length = timedelta(minutes=15 * rng.randint(4, 12))
                    yield (
                        _uuid(rng),
                        emp_id,
                        self.project_ids[rng.choice(mine)],
                        t,
                        t + length,
                        rng.choice(names.WORK_NOTES),
                        rng.random() < 0.9,
                    )
                    made += 1
                    t += length + timedelta(minutes=30)

    # ---- money --------------------------------------------------------------------------

    def invoices(
        self, lines_out: list[tuple[Any, ...]], payments_out: list[tuple[Any, ...]]
    ) -> Iterator[tuple[Any, ...]]:
        """Invoices in issue order (numbers gapless per year); fills the given lists with
        each invoice's lines and payments (the caller drains them between invoices)."""
        rng = self.rng("invoices")
        n = self.scale.invoices
        first_day = self.days[0]
        span = (self.today - first_day).days
        counters: dict[int, int] = {}
        for k in range(n):
            inv_id = _uuid(rng)
            issued = first_day + timedelta(days=span * k // n)
            age = (self.today - issued).days
            pick = rng.random()
            # Drafts are among the newest invoices, but not all of them: the newest issued
            # ones must stay `sent` (not yet due), or "list invoices status=sent" is empty.
            status = "draft" if age <= 14 and pick >= 0.8 else None
            project = rng.randrange(len(self.project_ids))
            customer = self.project_customer[project]
            lines = []
            for position in range(1, rng.randint(1, 4) + 1):
                qty = Decimal(rng.randint(4, 160)) / 4
                price = (
                    self.project_rate[project] if position == 1 else Decimal(rng.randint(20, 400))
                )
                rate = Decimal(19) if position < 3 else Decimal(rng.choice((7, 19)))
                net = line_net(qty, price, Decimal(0))
                lines.append(
                    (_uuid(rng), inv_id, position, "Leistung", qty, "HUR", price, rate, net, rate)
                )
            sums = totals([(line[8], line[7]) for line in lines])
            lines_out.extend(lines)
            due = issued + timedelta(days=14)
            paid = Decimal(0)
            if status is None:
                if age <= 14:
                    status = "sent"
                    paid = cents(sums.gross / 2) if pick < 0.1 else Decimal(0)
                elif pick < 0.85:
                    status, paid = "paid", sums.gross
                else:
                    status = "overdue"
                    paid = cents(sums.gross / 2) if pick < 0.9 else Decimal(0)
            number = None
            if status != "draft":
                seq = counters.get(issued.year, 0) + 1
                counters[issued.year] = seq
                number = f"RE-{issued.year}-{seq:05d}"
                if status in ("sent", "overdue") and len(self.open_invoice_ids) < 5000:
                    self.open_invoice_ids.append(inv_id)
            if paid > 0:
                payments_out.append(
                    (
                        _uuid(rng),
                        inv_id,
                        paid,
                        min(issued + timedelta(days=10), self.today),
                        "bank_transfer",
                    )
                )
            cust_id = self.customer_ids[customer]
            yield (
                inv_id,
                cust_id,
                self.project_ids[project],
                sums.gross,
                sums.net,
                sums.tax,
                status,
                None if status == "draft" else due,
                None if status == "draft" else issued,
                number,
                "invoice",
                14,
                None if status == "draft" else self.names[customer],
            )
        self.invoice_counters = counters

    def expenses(self) -> Iterator[tuple[Any, ...]]:
        rng = self.rng("expenses")
        categories = tuple(names.EXPENSE_NOTES)
        span = (self.today - self.days[0]).days
        for _ in range(self.scale.invoices // 5):
            category = rng.choice(categories)
            yield (
                _uuid(rng),
                rng.choice(self.project_ids) if rng.random() < 0.5 else None,
                category,
                Decimal(rng.randint(500, 200000)) / 100,
                rng.choice(names.EXPENSE_NOTES[category]),
                self.today - timedelta(days=rng.randrange(max(1, span))),
            )

    def reminders(self) -> Iterator[tuple[Any, ...]]:
        rng = self.rng("reminders")
        for emp_id in self.employee_ids:
            for _ in range(5):
                yield (
                    _uuid(rng),
                    rng.choice(names.REMINDER_TITLES),
                    self.today + timedelta(days=rng.randint(-30, 30)),
                    rng.choice(("low", "medium", "high")),
                    emp_id,
                    rng.random() < 0.3,
                )


COLUMNS = {
    "employees": (
        "id", "firstname", "lastname", "email", "role_id", "password_hash", "is_active", "locale",
    ),
    "customers": (
        "id", "number", "name", "type", "email", "phone", "address", "street", "postal_code",
        "city", "country",
    ),
    "contacts": ("id", "customer_id", "firstname", "lastname", "email", "is_primary"),
    "projects": ("id", "customer_id", "title", "status", "start_date", "hourly_rate"),
    "time_entries": (
        "id", "employee_id", "project_id", "start_time", "end_time", "note", "billable",
    ),
    "invoices": (
        "id", "customer_id", "project_id", "total", "net_total", "tax_total", "status",
        "due_date", "issued_date", "number", "kind", "payment_terms_days", "buyer_name",
    ),
    "invoice_lines": (
        "id", "invoice_id", "position", "description", "quantity", "unit", "unit_price",
        "vat_rate", "net_amount", "chosen_vat_rate",
    ),
    "payments": ("id", "invoice_id", "amount", "payment_date", "method"),
    "expenses": ("id", "project_id", "category", "amount", "note", "expense_date"),
    "reminders": ("id", "title", "due_date", "priority", "owner_id", "is_done"),
}  # fmt: skip

BATCH = 20_000


def _batches(rows: Iterable[tuple[Any, ...]], size: int = BATCH) -> Iterator[list[tuple[Any, ...]]]:
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class RowRate(TextColumn):
    """rows/s of a task (rich's speed column speaks bytes)."""

    def __init__(self) -> None:
        super().__init__("")

    def render(self, task: Any) -> Any:
        from rich.text import Text

        speed = task.finished_speed or task.speed
        return Text(f"{speed:>10,.0f} rows/s" if speed else " " * 17)


async def load(
    url: str,
    scale_name: str,
    *,
    seed: int = 1,
    console: Console | None = None,
    defer_indexes: bool = True,
) -> Loaded:
    """Fill the (migrated, empty) database at `url`; return ids and tokens for the harness."""
    scale = SCALES[scale_name]
    console = console or Console(stderr=True)
    conn = await asyncpg.connect(url)
    result = Loaded(scale=scale_name)
    try:
        if not await conn.fetchval("SELECT rolsuper FROM pg_roles WHERE rolname = current_user"):
            raise SystemExit("the bench loader needs a superuser (session_replication_role)")
        if await conn.fetchval("SELECT count(*) FROM customers"):
            raise SystemExit("the target database has customers; give the loader a fresh one")
        roles = {r["name"]: r["id"] for r in await conn.fetch("SELECT id, name FROM roles")}
        gen = Generator(scale, seed, datetime.now(UTC).date(), roles)
        password_hash = hash_password(BENCH_PASSWORD)
        await conn.execute("SET session_replication_role = replica")
        started = time.monotonic()
        restore = await _drop_indexes(conn, LOADED_TABLES) if defer_indexes else []
        with Progress(
            TextColumn("{task.description:<14}"),
            BarColumn(),
            MofNCompleteColumn(),
            TaskProgressColumn(),
            RowRate(),
            TimeElapsedColumn(),
            console=console,
        ) as bar:
            copy = Copier(conn, bar, result)
            await copy("employees", gen.employees(password_hash), scale.employees)
            await copy("customers", gen.customers(), scale.customers)
            await copy("contacts", gen.contacts(), scale.customers)
            await copy("projects", gen.projects(), scale.projects)
            await copy("time_entries", gen.time_entries(), scale.time_entries)
            await _copy_invoices(copy, gen, scale)
            await copy("expenses", gen.expenses(), scale.invoices // 5)
            await copy("reminders", gen.reminders(), scale.employees * 5)
            copy.finish()
            if restore:
                task = bar.add_task("indexes", total=len(restore))
                t0 = time.monotonic()
                for ddl in restore:
                    await conn.execute(ddl)
                    bar.update(task, advance=1)
                result.seconds["(indexes)"] = time.monotonic() - t0
        total_rows = sum(result.rows.values())
        elapsed = time.monotonic() - started
        if "(indexes)" in result.seconds:
            console.print(
                f"  rebuilt {len(restore)} indexes in {result.seconds['(indexes)']:.1f} s"
            )
        for table, count in result.rows.items():
            seconds = result.seconds[table]
            console.print(
                f"  {table:<14} {count:>12,} rows {seconds:>8.1f} s "
                f"{count / max(seconds, 1e-6):>12,.0f} rows/s"
            )
        console.print(
            f"loaded {total_rows:,} rows in {elapsed:.1f} s ({total_rows / elapsed:,.0f} rows/s)"
        )
        await conn.execute("SET session_replication_role = DEFAULT")
        await _counters(conn, gen)
        result.tokens = await _tokens(conn, gen.employee_ids[:TOKENS])
        t0 = time.monotonic()
        # VACUUM as well as ANALYZE: a loaded table's visibility map is empty until the first
        # vacuum, and without it no index-only scan is chosen; on a live server autovacuum
        # has long since run, so measuring before it would measure a state that never lasts.
        await conn.execute("VACUUM (ANALYZE)")
        console.print(f"VACUUM (ANALYZE) in {time.monotonic() - t0:.1f} s")
        result.customer_ids = gen.customer_ids[:1000]
        result.project_ids = gen.project_ids
        result.open_invoice_ids = gen.open_invoice_ids
        result.customer_names = gen.names[:2000]
    finally:
        await conn.close()
    return result


LOADED_TABLES = (
    "customers", "contacts", "projects", "time_entries", "invoices", "invoice_lines",
    "payments", "expenses", "reminders",
)  # fmt: skip


async def _drop_indexes(conn: asyncpg.Connection, tables: Iterable[str]) -> list[str]:
    """Drop secondary indexes and unique/exclusion constraints of `tables`; return the DDL
    that recreates them. Building an index once over loaded rows is much cheaper than
    maintaining it row by row (above all the GiST behind the time-entry overlap rule), and
    recreating a unique or exclusion constraint re-checks every loaded row."""
    names = list(tables)
    constraints = await conn.fetch(
        "SELECT c.conrelid::regclass::text AS tbl, c.conname, pg_get_constraintdef(c.oid) AS def "
        "FROM pg_constraint c WHERE c.contype IN ('u', 'x') "
        "AND c.conrelid::regclass::text = ANY($1::text[])",
        names,
    )
    indexes = await conn.fetch(
        "SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def "
        "FROM pg_index i WHERE i.indrelid::regclass::text = ANY($1::text[]) "
        "AND NOT i.indisprimary "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
        names,
    )
    restore: list[str] = []
    for c in constraints:
        await conn.execute(f'ALTER TABLE {c["tbl"]} DROP CONSTRAINT "{c["conname"]}"')
        restore.append(f'ALTER TABLE {c["tbl"]} ADD CONSTRAINT "{c["conname"]}" {c["def"]}')
    for i in indexes:
        await conn.execute(f"DROP INDEX {i['name']}")
        restore.append(i["def"])
    return restore


class Copier:
    """COPY a row stream into a table in batches, one progress bar (and rows/s) per table."""

    def __init__(self, conn: asyncpg.Connection, bar: Progress, result: Loaded) -> None:
        self.conn = conn
        self.bar = bar
        self.result = result
        self.tasks: dict[str, Any] = {}

    async def __call__(self, table: str, rows: Iterable[tuple[Any, ...]], expected: int) -> None:
        task = self.tasks.get(table)
        if task is None:
            task = self.tasks[table] = self.bar.add_task(table, total=expected)
        t0 = time.monotonic()
        async with self.conn.transaction():
            for batch in _batches(rows):
                await self.conn.copy_records_to_table(
                    table, records=batch, columns=list(COLUMNS[table])
                )
                self.bar.update(task, advance=len(batch))
                self.result.rows[table] = self.result.rows.get(table, 0) + len(batch)
        self.result.seconds[table] = self.result.seconds.get(table, 0.0) + time.monotonic() - t0

    def finish(self) -> None:
        # Estimates (lines, payments) become the real counts, so every bar ends at 100 %.
        for table, task in self.tasks.items():
            done = self.result.rows.get(table, 0)
            self.bar.update(task, total=done, completed=done)


async def _copy_invoices(copy: Copier, gen: Generator, scale: Scale) -> None:
    """Invoices in chunks; each chunk's lines and payments follow it, so memory stays flat."""
    lines: list[tuple[Any, ...]] = []
    payments: list[tuple[Any, ...]] = []
    stream = gen.invoices(lines, payments)
    chunk = 50_000
    while True:
        batch = [row for _, row in zip(range(chunk), stream, strict=False)]
        if not batch:
            break
        await copy("invoices", batch, scale.invoices)
        await copy("invoice_lines", list(lines), scale.invoices * 5 // 2)
        await copy("payments", list(payments), scale.invoices * 9 // 10)
        lines.clear()
        payments.clear()


async def _counters(conn: asyncpg.Connection, gen: Generator) -> None:
    rows = [("customer", 0, gen.scale.customers + 1)]
    rows += [("invoice", year, seq + 1) for year, seq in gen.invoice_counters.items()]
    await conn.executemany(
        "INSERT INTO number_counters (scope, year, next_value) VALUES ($1, $2, $3) "
        "ON CONFLICT (scope, year) DO UPDATE SET next_value = excluded.next_value",
        rows,
    )


async def _tokens(
    conn: asyncpg.Connection, employee_ids: list[uuid.UUID]
) -> list[tuple[uuid.UUID, str]]:
    tokens = [(emp_id, new_token()) for emp_id in employee_ids]
    await conn.executemany(
        "INSERT INTO api_tokens (id, employee_id, name, prefix, token_hash) "
        "VALUES (gen_random_uuid(), $1, 'bench', $2, $3)",
        [(emp_id, token[:8], digest(token)) for emp_id, token in tokens],
    )
    return tokens


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--scale", choices=sorted(SCALES), default="tiny")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", required=True, help="a migrated, empty database")
    parser.add_argument(
        "--defer-indexes",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="drop secondary indexes during COPY and rebuild them after (default: yes)",
    )
    args = parser.parse_args()
    loaded = asyncio.run(
        load(args.database_url, args.scale, seed=args.seed, defer_indexes=args.defer_indexes)
    )
    print(f"admin token: {loaded.tokens[0][1]}")


if __name__ == "__main__":
    main()

"""One clock: no other "today" in the code, and the database's is the same (workmate.clock)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from workmate import clock

SRC = Path(__file__).resolve().parents[1] / "src" / "workmate"
# Every way the code once had of saying "today" or "now" besides the clock. Migrations are
# history (never edited); the migrated database is checked below instead.
FORBIDDEN = re.compile(
    r"date\.today\(|datetime\.(now|utcnow|today)\(|current_date|CURRENT_DATE|"
    r"LOCALTIMESTAMP|localtimestamp|time\.localtime\(|ZoneInfo\(\"Europe/Berlin\"\)"
)


def test_no_code_asks_anything_but_the_clock_for_the_time() -> None:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(SRC)
        if relative.parts[0] == "migrations" or relative == Path("clock.py"):
            continue
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if FORBIDDEN.search(line):
                found.append(f"{relative}:{number}: {line.strip()}")
    assert found == []


def test_the_check_finds_a_forbidden_call() -> None:
    assert FORBIDDEN.search("    today = date.today()")
    assert FORBIDDEN.search("WHEN i.due_date < current_date THEN")
    assert not FORBIDDEN.search("    today = clock.today()")


async def test_no_database_function_or_default_uses_the_server_date(db: AsyncSession) -> None:
    functions = (
        await db.execute(
            text(
                "SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                "WHERE n.nspname = 'public' AND (p.prosrc ILIKE '%current_date%' "
                "OR p.prosrc ILIKE '%localtimestamp%' OR p.prosrc ILIKE '%now()::date%')"
            )
        )
    ).scalars()
    assert list(functions) == []
    defaults = (
        await db.execute(
            text(
                "SELECT c.relname || '.' || a.attname FROM pg_attrdef d "
                "JOIN pg_class c ON c.oid = d.adrelid JOIN pg_attribute a "
                "ON a.attrelid = d.adrelid AND a.attnum = d.adnum "
                "WHERE pg_get_expr(d.adbin, d.adrelid) ILIKE '%current_date%'"
            )
        )
    ).scalars()
    assert list(defaults) == []
    # The payment trigger hands the status to the one definition (migration 0020).
    status = await db.scalar(
        text("SELECT prosrc FROM pg_proc WHERE proname = 'wm_invoice_refresh_status'")
    )
    assert status is not None
    assert "wm_today()" in status


@pytest.mark.parametrize(
    "instant",
    [
        datetime(2026, 3, 1, 22, 59, tzinfo=UTC),  # 23:59 in Berlin
        datetime(2026, 3, 1, 23, 30, tzinfo=UTC),  # 00:30 in Berlin, still the 1st in UTC
        datetime(2026, 3, 28, 23, 30, tzinfo=UTC),  # the night summer time starts
        datetime(2026, 7, 14, 22, 15, tzinfo=UTC),  # 00:15 in summer (UTC+2)
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),  # the night summer time ends
        datetime(2026, 12, 31, 23, 0, tzinfo=UTC),  # new year in Berlin
    ],
)
async def test_database_and_python_agree_on_the_business_day(
    db: AsyncSession, instant: datetime
) -> None:
    in_sql = await db.scalar(text("SELECT wm_business_day(:at)"), {"at": instant})
    assert in_sql == clock.day_of(instant)


async def test_database_today_is_the_clocks(db: AsyncSession) -> None:
    before = clock.today()
    in_sql = await db.scalar(text("SELECT wm_today()"))
    assert in_sql in (before, clock.today())
    default = await db.scalar(
        text(
            "SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d JOIN pg_attribute a "
            "ON a.attrelid = d.adrelid AND a.attnum = d.adnum "
            "WHERE d.adrelid = 'expenses'::regclass AND a.attname = 'expense_date'"
        )
    )
    assert default == "wm_today()"

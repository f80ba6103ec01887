"""The benchmark loader at tiny scale on a fresh copy of the migrated template, and the
harness's pure parts (wrk script and output parsing, missing endpoints)."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from bench.generate import SCALES, Loaded, load
from bench.harness import Endpoint, Request, _ms, endpoints, lua_script, main
from rich.console import Console

from tests.conftest import TEMPLATE, _recreate, run_scoped, worker_name


def fetch(url: str, sql: str) -> list[asyncpg.Record]:
    async def go() -> list[asyncpg.Record]:
        conn = await asyncpg.connect(url)
        try:
            return list(await conn.fetch(sql))
        finally:
            await conn.close()

    return asyncio.run(go())


def scalar(url: str, sql: str) -> Any:
    return fetch(url, sql)[0][0]


def fresh(request: pytest.FixtureRequest, server_url: str, suffix: str) -> str:
    return _recreate(server_url, f"wm_test_{worker_name(request.config)}_bench_{suffix}", TEMPLATE)


@pytest.fixture(scope="module")
def tiny(request: pytest.FixtureRequest, server_url: str) -> tuple[str, Loaded]:
    url = fresh(request, server_url, "a")
    loaded = asyncio.run(load(url, "tiny", seed=3, console=Console(quiet=True)))
    return url, loaded


class TestLoader:
    def test_row_counts_match_the_scale(self, tiny: tuple[str, Loaded]) -> None:
        url, loaded = tiny
        scale = SCALES["tiny"]
        expected = {
            "employees": scale.employees,
            "customers": scale.customers,
            "contacts": scale.customers,
            "projects": scale.projects,
            "time_entries": scale.time_entries,
            "invoices": scale.invoices,
        }
        for table, count in expected.items():
            assert scalar(url, f"SELECT count(*) FROM {table}") == count, table
            assert loaded.rows[table] == count, table
        for table in ("invoice_lines", "payments", "expenses", "reminders"):
            assert scalar(url, f"SELECT count(*) FROM {table}") == loaded.rows[table] > 0

    def test_money_is_consistent_without_the_triggers(self, tiny: tuple[str, Loaded]) -> None:
        url, _ = tiny
        mismatched = scalar(
            url,
            "SELECT count(*) FROM invoices i WHERE (status = 'paid') <> "
            "((SELECT COALESCE(sum(amount), 0) FROM payments WHERE invoice_id = i.id) = i.total)",
        )
        assert mismatched == 0
        wrong_net = scalar(
            url,
            "SELECT count(*) FROM invoices i WHERE net_total <> "
            "(SELECT sum(net_amount) FROM invoice_lines WHERE invoice_id = i.id)",
        )
        assert wrong_net == 0
        overdue_wrong = scalar(
            url,
            "SELECT count(*) FROM invoices WHERE (status = 'overdue') <> "
            "(status IN ('sent', 'overdue') AND due_date < current_date)",
        )
        assert overdue_wrong == 0

    def test_invoice_numbers_are_gapless_and_counted(self, tiny: tuple[str, Loaded]) -> None:
        url, _ = tiny
        rows = fetch(
            url,
            "SELECT extract(year FROM issued_date)::int AS y, count(*) AS n, "
            "max(substring(number FROM '(\\d+)$')::int) AS top FROM invoices "
            "WHERE number IS NOT NULL GROUP BY 1",
        )
        counters = {
            r["year"]: r["next_value"]
            for r in fetch(
                url, "SELECT year, next_value FROM number_counters WHERE scope = 'invoice'"
            )
        }
        for row in rows:
            assert row["n"] == row["top"]
            assert counters[row["y"]] == row["n"] + 1
        assert scalar(url, "SELECT next_value FROM number_counters WHERE scope = 'customer'") == 201

    def test_tokens_authenticate_employees(self, tiny: tuple[str, Loaded]) -> None:
        url, loaded = tiny
        assert len(loaded.tokens) == 16
        admin = loaded.tokens[0][0]
        role = scalar(
            url,
            "SELECT r.name FROM employees e JOIN roles r ON r.id = e.role_id "
            f"WHERE e.id = '{admin}'",
        )
        assert role == "Admin"
        assert scalar(url, "SELECT count(*) FROM api_tokens") == 16

    def test_indexes_and_constraints_are_rebuilt(
        self, request: pytest.FixtureRequest, server_url: str, tiny: tuple[str, Loaded]
    ) -> None:
        url, _ = tiny
        template = fresh(request, server_url, "c")
        sql = (
            "SELECT indexrelid::regclass::text AS name FROM pg_index "
            "WHERE indrelid::regclass::text IN ('customers', 'time_entries', 'invoices') "
            "ORDER BY 1"
        )
        assert fetch(url, sql) == fetch(template, sql)
        assert "ex_time_entries_no_overlap" in {r["name"] for r in fetch(url, sql)}

    def test_a_second_load_is_refused(self, tiny: tuple[str, Loaded]) -> None:
        url, _ = tiny
        with pytest.raises(SystemExit, match="fresh"):
            asyncio.run(load(url, "tiny", console=Console(quiet=True)))

    def test_same_seed_gives_the_same_data(
        self, request: pytest.FixtureRequest, server_url: str, tiny: tuple[str, Loaded]
    ) -> None:
        url, _ = tiny
        other = fresh(request, server_url, "b")
        asyncio.run(load(other, "tiny", seed=3, console=Console(quiet=True)))
        for sql in (
            "SELECT id, number, name FROM customers ORDER BY number",
            "SELECT id, number, total, status FROM invoices ORDER BY id",
            "SELECT id, start_time, end_time FROM time_entries ORDER BY id",
        ):
            assert fetch(url, sql) == fetch(other, sql)


class TestHarness:
    def test_wrk_latencies_in_milliseconds(self) -> None:
        assert _ms("850.00us") == pytest.approx(0.85)
        assert _ms("1.50ms") == 1.5
        assert _ms("2.00s") == 2000

    def test_lua_script_escapes_bodies(self) -> None:
        endpoint = Endpoint("x", [], [Request("POST", "/a", '{"note": "say \\"hi\\""}')])
        script = lua_script(endpoint, ["wm_token"])
        assert '{"POST", "/a", "{\\"note\\": \\"say \\\\\\"hi\\\\\\"\\"}"}' in script
        assert '"wm_token"' in script

    def test_endpoints_the_api_lacks_are_marked(self) -> None:
        loaded = Loaded(
            scale="tiny",
            customer_ids=[],
            project_ids=[uuid.uuid4()],
            customer_names=["Müller Bau GmbH"],
        )
        found = endpoints(loaded, {"/api/v1/customers": {"get"}}, date(2026, 3, 15), ["crm-stats"])
        missing = [
            e.name
            for e in found
            if any(m not in {"/api/v1/customers": {"get"}}.get(p, set()) for m, p in e.needs)
        ]
        assert "timer start + stop" in missing
        assert "dashboard widgets" in missing
        assert "list customers page 1" not in missing


class TestSmokeRun:
    def test_quick_run_measures_the_floor_and_an_endpoint(
        self, request: pytest.FixtureRequest, server_url: str, tmp_path: Path
    ) -> None:
        """The harness end to end, kept short: the floor and one endpoint for a second each."""
        code = main(
            [
                "--quick",
                "--duration", "1",
                "--only", "GET customer by id",
                "--database-url", server_url,
                "--database-name",
                run_scoped(f"wm_test_{worker_name(request.config)}_bench_run"),
                "--results-dir", str(tmp_path),
            ]
        )  # fmt: skip
        assert code == 0
        (saved,) = tmp_path.glob("tiny-*.json")
        results = {r["name"]: r for r in json.loads(saved.read_text())["results"]}
        floor = results["floor: customer by id (asyncpg)"]
        assert floor["status"] == "ok"
        assert floor["requests"] > 0
        assert floor["non_2xx"] == 0
        endpoint = results["GET customer by id"]
        assert endpoint["status"] == "ok"
        assert endpoint["non_2xx"] == 0
        assert endpoint["queries_per_request"] >= 1
        assert endpoint["ratio_to_floor"] > 0

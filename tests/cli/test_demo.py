"""`workmate demo` on fresh copies of the migrated template: what it creates, the invoice
rules it must respect, determinism, and its refusal to touch a database with data."""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import asyncpg
import pytest
from click.testing import Result
from schwifty import IBAN
from stdnum.de import vat
from typer.testing import CliRunner

from tests.conftest import TEMPLATE, _recreate, worker_name
from workmate.auth.passwords import verify_password
from workmate.cli.main import app
from workmate.config import get_settings
from workmate.demo.generate import DEMO_PASSWORD


def fetch(url: str, sql: str, *args: Any) -> list[asyncpg.Record]:
    async def go() -> list[asyncpg.Record]:
        conn = await asyncpg.connect(url)
        try:
            return list(await conn.fetch(sql, *args))
        finally:
            await conn.close()

    return asyncio.run(go())


def run_demo(url: str, *args: str) -> Result:
    # Settings are cached per process; the command must see this test's database URL.
    get_settings.cache_clear()
    try:
        return CliRunner().invoke(app, ["demo", *args], env={"WORKMATE_DATABASE_URL": url})
    finally:
        get_settings.cache_clear()


@pytest.fixture(scope="module")
def demo_dbs(request: pytest.FixtureRequest, server_url: str) -> tuple[str, str]:
    """Two fresh databases, each filled with `workmate demo --seed 7`."""
    urls = []
    for suffix in ("a", "b"):
        url = _recreate(
            server_url, f"wm_test_{worker_name(request.config)}_demo_{suffix}", TEMPLATE
        )
        result = run_demo(url, "--seed", "7")
        assert result.exit_code == 0, result.output
        urls.append(url)
    return urls[0], urls[1]


@pytest.fixture(scope="module")
def url(demo_dbs: tuple[str, str]) -> str:
    return demo_dbs[0]


def scalar(url: str, sql: str) -> Any:
    return fetch(url, sql)[0][0]


class TestContent:
    def test_the_sales_cycle_is_shown(self, url: str) -> None:
        quotes = {r[0] for r in fetch(url, "SELECT status FROM quotes")}
        assert {"draft", "sent", "accepted"} <= quotes
        billing = {r[0] for r in fetch(url, "SELECT billing FROM invoices")}
        assert billing == {"standard", "down_payment", "final"}
        runs = scalar(url, "SELECT count(invoice_id) FROM recurring_runs")
        assert runs >= 3
        assert scalar(url, "SELECT count(*) FROM dunning_letters") >= 1
        queued = scalar(url, "SELECT count(*) FROM outbox_messages WHERE state = 'queued'")
        assert queued >= 3

    def test_counts(self, url: str) -> None:
        # 200 customers and the company itself, for non-project work (demo/worktime.py),
        # and three suppliers (demo/purchases.py).
        assert scalar(url, "SELECT count(*) FROM customers WHERE is_customer") == 201
        assert scalar(url, "SELECT count(*) FROM customers WHERE NOT is_customer") == 3
        assert scalar(url, "SELECT count(*) FROM employees") >= 10
        assert scalar(url, "SELECT count(*) FROM time_entries") >= 2000
        assert scalar(url, "SELECT count(*) FROM invoices") >= 100
        assert scalar(url, "SELECT count(*) FROM expenses") >= 50
        assert scalar(url, "SELECT count(*) FROM reminders") >= 20
        assert scalar(url, "SELECT count(*) FROM chat_messages") >= 50
        assert scalar(url, "SELECT count(*) FROM dashboards") == scalar(
            url, "SELECT count(*) FROM employees"
        )

    def test_every_role_and_department_is_staffed_and_managed(self, url: str) -> None:
        roles = {
            r[0]
            for r in fetch(
                url, "SELECT DISTINCT r.name FROM employees e JOIN roles r ON r.id = e.role_id"
            )
        }
        assert roles == {"Admin", "Manager", "Employee"}
        assert scalar(url, "SELECT count(*) FROM departments WHERE manager_id IS NULL") == 0

    def test_demo_logins_use_the_documented_password(self, url: str) -> None:
        rows = fetch(
            url, "SELECT password_hash FROM employees WHERE email = 'admin@demo.workmate.de'"
        )
        assert verify_password(rows[0][0], DEMO_PASSWORD)

    def test_customers_are_numbered_and_the_counter_continues(self, url: str) -> None:
        numbers = [r[0] for r in fetch(url, "SELECT number FROM customers ORDER BY number")]
        # K-00201 is the company itself, for non-project work (demo/worktime.py); the three
        # suppliers (demo/purchases.py) follow through the service's counter.
        assert numbers == [f"K-{n:05d}" for n in range(1, 205)]
        assert scalar(url, "SELECT next_value FROM number_counters WHERE scope = 'customer'") == 205

    def test_one_primary_contact_per_customer(self, url: str) -> None:
        assert scalar(url, "SELECT count(*) FROM contacts WHERE is_primary") == 200

    def test_vat_ids_and_bank_details_are_valid(self, url: str) -> None:
        ids = [r[0] for r in fetch(url, "SELECT tax_id FROM customers WHERE tax_id IS NOT NULL")]
        assert ids
        assert all(vat.is_valid(i) for i in ids)
        seller = fetch(url, "SELECT * FROM company_settings WHERE id = 1")[0]
        assert vat.is_valid(seller["vat_id"])
        assert IBAN(seller["iban"]).bic == seller["bic"]
        for key in ("name", "street", "postal_code", "city", "tax_number", "contact_email"):
            assert seller[key], key

    def test_every_status_is_present(self, url: str) -> None:
        projects = {r[0] for r in fetch(url, "SELECT DISTINCT status FROM projects")}
        assert projects == {"planned", "in_progress", "completed", "cancelled"}
        invoices = {r[0] for r in fetch(url, "SELECT DISTINCT status FROM invoices")}
        assert invoices == {"draft", "sent", "overdue", "paid", "cancelled"}
        categories = {r[0] for r in fetch(url, "SELECT DISTINCT category FROM expenses")}
        assert categories == {"material", "personnel", "service", "other"}

    def test_time_entries_are_on_workdays_with_one_or_two_running_timers(self, url: str) -> None:
        running = scalar(url, "SELECT count(*) FROM time_entries WHERE end_time IS NULL")
        assert 1 <= running <= 2
        weekend = scalar(
            url,
            "SELECT count(*) FROM time_entries WHERE end_time IS NOT NULL AND "
            "extract(isodow FROM start_time AT TIME ZONE 'Europe/Berlin') > 5",
        )
        assert weekend == 0
        oldest = scalar(url, "SELECT min(start_time) FROM time_entries")
        assert (datetime.now(UTC) - oldest).days <= 190

    def test_dashboards_pass_the_layout_rules_of_their_role(self, url: str) -> None:
        from workmate.dashboards.widgets import validate_layout

        rows = fetch(
            url,
            "SELECT d.layout_json, r.permissions FROM dashboards d "
            "JOIN employees e ON e.id = d.user_id JOIN roles r ON r.id = e.role_id",
        )
        for layout, permissions in rows:
            perms = json.loads(permissions)
            layout = json.loads(layout)

            def can(module: str, action: str, perms: dict[str, list[str]] = perms) -> bool:
                return action in perms.get(module, [])

            assert validate_layout(layout, can) == layout

    def test_reminders_include_overdue_and_linked_ones(self, url: str) -> None:
        assert (
            scalar(
                url, "SELECT count(*) FROM reminders WHERE due_date < current_date AND NOT is_done"
            )
            > 0
        )
        linked = {r[0] for r in fetch(url, "SELECT DISTINCT linked_to FROM reminders")}
        assert {"customer", "invoice"} <= linked


def half_up(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@pytest.fixture(scope="module")
def invoices(url: str) -> list[Any]:
    return fetch(
        url,
        "SELECT i.*, (SELECT COALESCE(sum(amount), 0) FROM payments p "
        "WHERE p.invoice_id = i.id) AS paid FROM invoices i",
    )


class TestInvoices:
    def test_paid_exactly_when_payments_sum_to_the_total(self, invoices: list[Any]) -> None:
        for inv in invoices:
            assert (inv["status"] == "paid") == (inv["paid"] == inv["total"] and inv["paid"] > 0), (
                inv["number"]
            )
            assert inv["paid"] <= inv["total"]

    def test_partly_paid_and_overdue_invoices_exist(self, invoices: list[Any]) -> None:
        partly = [i for i in invoices if 0 < i["paid"] < i["total"]]
        assert {i["status"] for i in partly} == {"sent", "overdue"}
        today = datetime.now(UTC).date()
        for inv in invoices:
            if inv["status"] == "overdue":
                assert inv["due_date"] < today
            if inv["status"] == "sent" and inv["kind"] == "invoice":
                assert inv["due_date"] >= today

    def test_totals_follow_the_lines(self, url: str, invoices: list[Any]) -> None:
        lines = fetch(url, "SELECT * FROM invoice_lines")
        per_invoice: dict[Any, list[Any]] = defaultdict(list)
        for line in lines:
            per_invoice[line["invoice_id"]].append(line)
            # EN 16931: allowance = round(gross x percent), net = gross - allowance.
            gross = half_up(line["quantity"] * line["unit_price"])
            expected = gross - half_up(gross * line["discount_percent"] / 100)
            assert line["net_amount"] == expected
            assert line["vat_rate"] in (0, 7, 19)
        assert {line["vat_rate"] for line in lines} == {0, 7, 19}
        for inv in invoices:
            mine = per_invoice[inv["id"]]
            assert mine, inv["id"]
            by_rate: dict[Decimal, Decimal] = defaultdict(Decimal)
            for line in mine:
                by_rate[line["vat_rate"]] += line["net_amount"]
            assert inv["net_total"] == sum(by_rate.values())
            assert inv["tax_total"] == sum(half_up(n * r / 100) for r, n in by_rate.items())
            # A final invoice is due less the down payments it deducts (migration 0017b).
            assert inv["total"] == inv["net_total"] + inv["tax_total"] - inv["prepaid_total"]

    def test_numbers_are_gapless_per_kind_and_year_and_counters_continue(
        self, url: str, invoices: list[Any]
    ) -> None:
        counters = {
            (r["scope"], r["year"]): r["next_value"]
            for r in fetch(url, "SELECT * FROM number_counters")
        }
        seqs: dict[tuple[str, int], list[int]] = defaultdict(list)
        for inv in invoices:
            if inv["status"] == "draft":
                assert inv["number"] is None
                assert inv["issued_date"] is None
                continue
            prefix = "RE" if inv["kind"] == "invoice" else "GS"
            year = inv["issued_date"].year
            assert inv["number"].startswith(f"{prefix}-{year}-")
            for key in ("buyer_name", "buyer_street", "buyer_postal_code", "buyer_city"):
                assert inv[key], (inv["number"], key)
            seqs[(inv["kind"], year)].append(int(inv["number"].rsplit("-", 1)[1]))
        for (kind, year), numbers in seqs.items():
            assert sorted(numbers) == list(range(1, len(numbers) + 1))
            assert counters[(kind, year)] == len(numbers) + 1

    def test_numbers_follow_issue_dates(self, invoices: list[Any]) -> None:
        issued = sorted(
            (i for i in invoices if i["kind"] == "invoice" and i["number"]),
            key=lambda i: i["number"],
        )
        dates = [i["issued_date"] for i in issued]
        assert dates == sorted(dates)

    def test_credit_notes_cancel_their_original_with_the_same_amounts(
        self, invoices: list[Any]
    ) -> None:
        by_id = {i["id"]: i for i in invoices}
        notes = [i for i in invoices if i["kind"] == "credit_note"]
        assert notes
        for note in notes:
            original = by_id[note["cancels_id"]]
            assert original["status"] == "cancelled"
            assert note["total"] == original["total"] > 0
            assert note["issued_date"] >= original["issued_date"]
        assert sum(i["status"] == "cancelled" for i in invoices) == len(notes)


class TestDeterminism:
    def test_same_seed_gives_the_same_company(self, demo_dbs: tuple[str, str]) -> None:
        queries = (
            # Suppliers come through the services at the time of the run (created_at).
            "SELECT number, name, type, email, phone, tax_id, address, created_at "
            "FROM customers WHERE is_customer "
            "ORDER BY number",
            "SELECT number, status, total, net_total, issued_date, due_date FROM invoices "
            "ORDER BY number NULLS LAST, total",
            "SELECT e.email, t.start_time, t.end_time, t.note FROM time_entries t "
            "JOIN employees e ON e.id = t.employee_id WHERE t.end_time IS NOT NULL "
            "ORDER BY 1, 2",
            "SELECT amount, payment_date, method FROM payments ORDER BY 2, 1",
        )
        a, b = demo_dbs
        for sql in queries:
            assert [tuple(r) for r in fetch(a, sql)] == [tuple(r) for r in fetch(b, sql)], sql

    def test_another_seed_gives_another_company(
        self, server_url: str, request: pytest.FixtureRequest, url: str
    ) -> None:
        other = _recreate(server_url, f"wm_test_{worker_name(request.config)}_demo_c", TEMPLATE)
        assert run_demo(other, "--seed", "8").exit_code == 0
        sql = "SELECT name FROM customers ORDER BY number"
        assert fetch(other, sql) != fetch(url, sql)


class TestRefusal:
    def test_refuses_a_database_with_data(self, url: str) -> None:
        result = run_demo(url)
        assert result.exit_code == 1
        assert "--force" in result.output
        # 200 customers and the company itself, for non-project work (demo/worktime.py),
        # and three suppliers (demo/purchases.py).
        assert scalar(url, "SELECT count(*) FROM customers WHERE is_customer") == 201
        assert scalar(url, "SELECT count(*) FROM customers WHERE NOT is_customer") == 3

    def test_if_empty_does_nothing_quietly(self, url: str) -> None:
        result = run_demo(url, "--if-empty")
        assert result.exit_code == 0
        assert result.output == ""
        # 200 customers and the company itself, for non-project work (demo/worktime.py),
        # and three suppliers (demo/purchases.py).
        assert scalar(url, "SELECT count(*) FROM customers WHERE is_customer") == 201
        assert scalar(url, "SELECT count(*) FROM customers WHERE NOT is_customer") == 3

    def test_force_adds_a_second_company_beside_the_first(
        self, server_url: str, request: pytest.FixtureRequest
    ) -> None:
        url = _recreate(server_url, f"wm_test_{worker_name(request.config)}_demo_d", TEMPLATE)
        assert run_demo(url, "--seed", "1").exit_code == 0
        result = run_demo(url, "--seed", "1", "--force")
        assert result.exit_code == 0, result.output
        assert scalar(url, "SELECT count(*) FROM customers WHERE is_customer") == 402
        # The first company's three suppliers took K-00202 to K-00204.
        assert scalar(url, "SELECT max(number) FROM customers") == "K-00405"
        assert (
            scalar(url, "SELECT count(*) FROM employees WHERE email = 'admin@demo.workmate.de'")
            == 1
        )
        paid = fetch(
            url,
            "SELECT count(*) FROM invoices i WHERE (status = 'paid') <> "
            "((SELECT COALESCE(sum(amount), 0) FROM payments WHERE invoice_id = i.id) = i.total)",
        )
        assert paid[0][0] == 0

    def test_refuses_an_unmigrated_database(
        self, server_url: str, request: pytest.FixtureRequest
    ) -> None:
        url = _recreate(server_url, f"wm_test_{worker_name(request.config)}_demo_e")
        result = run_demo(url)
        assert result.exit_code == 1
        assert "workmate db upgrade" in result.output


def test_chat_authors_are_on_their_projects(url: str) -> None:
    """Issue 13, item 7: chat access is explicit; the demo puts its teams on their projects."""
    outsiders = fetch(
        url,
        """SELECT m.id FROM chat_messages m
             JOIN employees e ON e.id = m.author_id
             JOIN projects p ON p.id = m.project_id
            WHERE NOT EXISTS (SELECT 1 FROM project_members pm
                               WHERE pm.project_id = p.id AND pm.employee_id = e.id)
              AND e.department_id IS DISTINCT FROM p.department_id""",
    )
    assert outsiders == []

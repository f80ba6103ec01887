"""The spec's lessons-from-the-original.md, line by line: "each one below is a test we should
have".

One class per lesson line; its docstring quotes the lesson. Where another test file already
holds the rule, the class names it in REFERENCES (file::Class::test; a test here fails when a
reference no longer exists) and adds only what was missing. Everything goes through the real
HTTP API (the app/client/as_* fixtures) or the database.
"""

from __future__ import annotations

import ast
import inspect
import os
import re
import tomllib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest
import pytest_asyncio
from fastapi.routing import APIRoute
from sqlalchemy import event, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from tests.factories.crm import new_reminder
from tests.factories.documents import PDF, make_document
from tests.factories.identity import make_employee, session_client, token_client
from tests.factories.invoicing import draft_body, make_company_settings, make_issued_invoice
from tests.factories.records import (
    at,
    make_customer,
    make_invoice,
    make_project,
    make_time_entry,
)
from tests.test_route_permissions import app_routes, route_permissions
from workmate import reads
from workmate.app import create_app
from workmate.config import Settings, get_settings
from workmate.invoices.overdue import today
from workmate.invoices.service import invoice_service
from workmate.models import Employee, Expense, Invoice, Payment, TimeEntry

ROOT = Path(__file__).resolve().parents[1]
API = "/api/v1"
INVOICES = f"{API}/invoices"


# ---- helpers ----


def defined(reference: str) -> bool:
    """Whether `path::Class::test` names a class/function that exists in that file."""
    path, *names = reference.split("::")
    file = ROOT / path
    if not file.is_file():
        return False
    scope: list[ast.stmt] = ast.parse(file.read_text(encoding="utf-8")).body
    for name in names:
        found = next(
            (
                node
                for node in scope
                if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
                and node.name == name
            ),
            None,
        )
        if found is None:
            return False
        scope = found.body
    return True


class Lesson:
    """Base of the lesson classes: the tests a lesson relies on elsewhere must exist."""

    REFERENCES: ClassVar[tuple[str, ...]] = ()

    def test_referenced_tests_exist(self) -> None:
        missing = [ref for ref in self.REFERENCES if not defined(ref)]
        assert missing == [], f"referenced tests are gone: {missing}"


def concrete(path: str) -> str:
    """The route path with a fresh random UUID for every parameter."""
    return re.sub(r"\{[^}]+\}", lambda _: str(uuid.uuid4()), path)


def is_public(perms: list[tuple[str, str]]) -> bool:
    return bool(perms) and all(p == ("*", "public") for p in perms)


@contextmanager
def count_statements(engine: AsyncEngine) -> Iterator[list[str]]:
    """Every SQL statement sent through `engine` while the block runs."""
    seen: list[str] = []

    def on_execute(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", on_execute)
    # The read path (workmate.reads) runs its SELECTs on asyncpg directly, past that hook.
    previous, reads.on_statement = reads.on_statement, seen.append
    try:
        yield seen
    finally:
        reads.on_statement = previous
        event.remove(engine.sync_engine, "before_cursor_execute", on_execute)


def application_statements(statements: list[str]) -> list[str]:
    """Without the savepoints the test fixtures wrap around each request."""
    return [s for s in statements if not re.match(r"\s*(RELEASE )?SAVEPOINT|\s*ROLLBACK", s)]


@pytest.fixture
def files_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Uploaded files of this test go to its own temporary data folder."""
    settings = get_settings()
    monkeypatch.setattr(settings, "data_dir", tmp_path / "data")
    return settings


async def issue_draft(client: httpx.AsyncClient, db: AsyncSession) -> dict[str, Any]:
    """A draft for a new customer issued through the API (company settings must exist)."""
    customer = await make_customer(db)
    created = await client.post(INVOICES, json=draft_body(customer.id))
    assert created.status_code == 201, created.text
    issued = await client.post(f"{INVOICES}/{created.json()['id']}/issue")
    assert issued.status_code == 200, issued.text
    body: dict[str, Any] = issued.json()
    return body


# ---- 1 ----


FORGED_HEADERS = (
    "X-User-Id",
    "X-Employee-Id",
    "X-User",
    "X-Role",
    "X-Test-User",
    "X-Test-Auth",
    "X-Auth-User",
    "X-Remote-User",
    "Remote-User",
    "X-Forwarded-User",
    "X-Forwarded-Email",
    "X-Impersonate",
    "X-Debug-User",
    "X-Api-User",
)

# Names a test-only or proxy login would read: as header strings, or as FastAPI Header()
# parameters (x_user_id becomes the X-User-Id header).
IDENTITY_HEADER = re.compile(
    r"(?i)\bx[-_](user|employee|role|test|auth|remote|impersonat|debug|forwarded[-_](user|email))"
    r"|\bremote[-_]user\b"
)


def forged(admin: Employee) -> dict[str, str]:
    """Every header a test-only login might have listened to, naming a real administrator."""
    values = {
        "X-Role": "Admin",
        "X-Test-Auth": "true",
        "X-Forwarded-Email": admin.email,
        "X-Auth-User": admin.email,
        "X-Remote-User": admin.email,
        "Remote-User": admin.email,
        "X-Forwarded-User": admin.email,
    }
    return {name: values.get(name, str(admin.id)) for name in FORGED_HEADERS}


class TestNoTestOnlyAuthentication(Lesson):
    """Lesson: "A request header let any client act as any user with every permission, in
    production code." -> "No test-only authentication path exists in the application at all;
    tests log in or mint sessions through fixtures."

    Anonymous 401 per route, and roles per route: tests/test_route_matrix.py; WebSocket:
    tests/chat/test_live.py. Added: the same anonymous requests carrying identity headers
    that name a real administrator are still 401 everywhere, a logged-in Employee does not
    become someone else with them, and the source reads no such header.
    """

    REFERENCES = (
        "tests/test_route_matrix.py::test_route_answers_as_declared",
        "tests/test_route_permissions.py::test_every_route_declares_a_permission",
        "tests/chat/test_live.py::test_socket_without_valid_credentials_is_refused",
        "tests/auth/test_login.py::TestLogoutAndCsrf::test_anonymous_is_401",
    )

    async def test_identity_headers_give_401_on_every_protected_route(
        self, client: httpx.AsyncClient, admin: Employee
    ) -> None:
        headers = forged(admin)
        wrong: list[str] = []
        checked = 0
        for path, route, inherited in app_routes():
            if not isinstance(route, APIRoute):
                continue  # WebSocket: see REFERENCES
            if is_public(route_permissions(route, inherited)):
                continue
            for method in sorted((route.methods or set()) - {"HEAD"}):
                r = await client.request(
                    method,
                    concrete(path),
                    headers=headers,
                    json={} if method in ("POST", "PUT", "PATCH") else None,
                    follow_redirects=False,
                )
                checked += 1
                # Web pages may send the anonymous visitor to the login instead.
                expected = {401} if path.startswith(API) else {401, 302, 303, 307}
                if r.status_code not in expected:
                    wrong.append(f"{method} {path}: {r.status_code}")
        assert checked > 50
        assert wrong == []

    async def test_identity_headers_do_not_change_who_a_user_is(
        self, app: Any, db: AsyncSession, admin: Employee
    ) -> None:
        plain = await make_employee(db, "Employee")
        async with await token_client(app, db, plain) as client:
            client.headers.update(forged(admin))
            me = await client.get(f"{API}/auth/me")
            assert me.status_code == 200, me.text
            assert me.json()["id"] == str(plain.id)
            assert (await client.get(f"{API}/audit-log")).status_code == 403
            assert (await client.get(INVOICES)).status_code == 403

    def test_source_reads_no_identity_header(self) -> None:
        """No header named like a user, role or test switch appears in the application."""
        found = [
            f"{file.relative_to(ROOT)}:{number}: {match.group(0)}"
            for file in sorted((ROOT / "src" / "workmate").rglob("*.py"))
            for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1)
            for match in IDENTITY_HEADER.finditer(line)
        ]
        assert found == []


# ---- 2 ----


class TestMigrations(Lesson):
    """Lesson: "Migrations could not build an empty database (5 revisions failed; one dropped
    `time_entries` for good); model and database drifted (a NOT NULL column missing from the
    model made creating a customer a 500)." -> "A test runs upgrade from empty -> downgrade ->
    upgrade and `alembic check` on every CI run."

    Covered by tests/test_migrations.py (upgrade from empty, downgrade to base, upgrade again,
    `alembic check`); the test database of every run is built by the migrations
    (tests/conftest.py), and creating a customer through the API is tested in
    tests/customers/test_endpoints.py.
    """

    REFERENCES = (
        "tests/test_migrations.py::test_upgrade_downgrade_upgrade_and_no_drift",
        "tests/test_migrations.py::test_seed_rows_exist_once_after_repeated_seeding",
        "tests/customers/test_endpoints.py::TestCreate::test_numbers_count_up_and_are_audited",
    )


# ---- 3 ----


SYNC_IO = re.compile(
    r"^\s*(?:import|from)\s+(psycopg2|psycopg|requests|pymysql|sqlite3|urllib\.request)\b"
    r"|^\s*from\s+sqlalchemy\s+import\s+.*\bcreate_engine\b"
    r"|\btime\.sleep\(",
    re.MULTILINE,
)


class TestAsyncAllTheWay(Lesson):
    """Lesson: "Async-looking endpoints called synchronous database code, blocking the event
    loop: 8 clients were no faster than 1, one slow report froze every other request for
    seconds." -> "Async all the way (async driver, no sync I/O in handlers); slow work (PDF,
    mail) in jobs or thread pools."

    Load and latency are measured by bench/ (no timing thresholds in tests). Added: static
    checks that every API handler is a coroutine, the engine drives asyncpg, and no
    synchronous database/HTTP client or sleep appears in the application code.
    """

    def test_every_api_handler_is_a_coroutine(self) -> None:
        sync = [
            f"{sorted(route.methods or [])} {path}"
            for path, route, _ in app_routes()
            if isinstance(route, APIRoute)
            and path.startswith(API)
            and not inspect.iscoroutinefunction(route.endpoint)
        ]
        assert sync == []

    def test_the_engine_uses_the_async_driver(self, engine: AsyncEngine) -> None:
        assert engine.dialect.driver == "asyncpg"
        assert engine.dialect.is_async

    def test_no_synchronous_io_in_the_application(self) -> None:
        found = [
            f"{file.relative_to(ROOT)}: {match.group(0).strip()}"
            for file in sorted((ROOT / "src" / "workmate").rglob("*.py"))
            if "migrations" not in file.parts and "cli" not in file.parts
            for match in SYNC_IO.finditer(file.read_text(encoding="utf-8"))
        ]
        assert found == []


# ---- 4 ----


def _deref(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _is_datetime(schema: dict[str, Any], components: dict[str, Any]) -> bool:
    schema = _deref(schema, components)
    if schema.get("format") == "date-time":
        return True
    return any(
        _is_datetime(s, components)
        for key in ("anyOf", "oneOf", "allOf")
        for s in schema.get(key, [])
    )


def _datetime_properties(
    schema: dict[str, Any], components: dict[str, Any], prefix: str, seen: frozenset[str]
) -> list[str]:
    """Dotted paths of date-time fields in a request body schema (nested ones included)."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return []
        return _datetime_properties(components[name], components, prefix, seen | {name})
    found: list[str] = []
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(key, []):
            found += _datetime_properties(sub, components, prefix, seen)
    for name, sub in schema.get("properties", {}).items():
        path = f"{prefix}.{name}" if prefix else name
        if _is_datetime(sub, components):
            found.append(path)
        else:
            found += _datetime_properties(sub, components, path, seen)
    if "items" in schema:
        found += _datetime_properties(schema["items"], components, f"{prefix}[]", seen)
    return found


def datetime_inputs() -> list[tuple[str, str, str, str]]:
    """(method, path, 'query'|'body', field) for every datetime the API accepts."""
    spec = create_app(check=False).openapi()
    components = spec.get("components", {}).get("schemas", {})
    found: set[tuple[str, str, str, str]] = set()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if _is_datetime(parameter.get("schema", {}), components):
                    found.add((method.upper(), path, parameter["in"], parameter["name"]))
            for content in operation.get("requestBody", {}).get("content", {}).values():
                for field in _datetime_properties(
                    content.get("schema", {}), components, "", frozenset()
                ):
                    found.add((method.upper(), path, "body", field))
    return sorted(found)


def date_queries() -> dict[str, list[str]]:
    """GET path -> its query parameters that take a calendar date (from-like ones first)."""
    spec = create_app(check=False).openapi()
    components = spec.get("components", {}).get("schemas", {})

    def is_date(schema: dict[str, Any]) -> bool:
        schema = _deref(schema, components)
        return schema.get("format") == "date" or any(is_date(s) for s in schema.get("anyOf", []))

    found: dict[str, list[str]] = {}
    for path, operations in spec["paths"].items():
        names = [
            p["name"]
            for p in operations.get("get", {}).get("parameters", [])
            if p["in"] == "query" and is_date(p.get("schema", {}))
        ]
        if names:
            found[path] = sorted(names, key=lambda n: not re.search("from|start|since", n))
    return found


DATETIME_INPUTS = datetime_inputs()
DATE_QUERIES = date_queries()
PLUS_TWO = timezone(timedelta(hours=2))


def stamp(instant: datetime, kind: str) -> str:
    """The instant as a client would send it: with Z, with +02:00, or naive."""
    utc = instant.astimezone(UTC)
    if kind == "Z":
        return utc.replace(tzinfo=None).isoformat() + "Z"
    if kind == "offset":
        return instant.astimezone(PLUS_TWO).isoformat()
    if kind == "beyond":  # aware, but past year 9999 once turned into UTC
        return "9999-12-31T23:59:59-01:00"
    return utc.replace(tzinfo=None).isoformat()


@dataclass
class Ctx:
    client: httpx.AsyncClient  # an Admin: every permission
    db: AsyncSession
    who: Employee


# (response, the instant sent, the instant the answer shows or None when it shows none)
Outcome = tuple[httpx.Response, datetime | None, datetime | None]
Case = Callable[[Ctx, str, str], Awaitable[Outcome]]


def echoed(response: httpx.Response, field: str) -> datetime | None:
    if response.status_code >= 300:
        return None
    value = response.json().get(field)
    return datetime.fromisoformat(value) if isinstance(value, str) else None


async def token_case(ctx: Ctx, field: str, kind: str) -> Outcome:
    instant = datetime(2099, 1, 1, 12, tzinfo=UTC)
    r = await ctx.client.post(
        f"{API}/auth/tokens", json={"name": "lesson", field: stamp(instant, kind)}
    )
    return r, instant, echoed(r, field)


async def audit_case(ctx: Ctx, field: str, kind: str) -> Outcome:
    instant = datetime(2026, 1, 1, 10, tzinfo=UTC)
    r = await ctx.client.get(f"{API}/audit-log", params={field: stamp(instant, kind)})
    return r, None, None


DAY_OF = {"Z": 20, "offset": 21, "naive": 22, "beyond": 23}


async def entry_create_case(ctx: Ctx, field: str, kind: str) -> Outcome:
    project = await make_project(ctx.db)
    # A different day per kind, so the entries never overlap.
    start, end = at(DAY_OF[kind], 8), at(DAY_OF[kind], 9)
    body = {"project_id": str(project.id), "start_time": stamp(start, "Z")}
    body["end_time"] = stamp(end, "Z")
    sent = start if field == "start_time" else end
    body[field] = stamp(sent, kind)
    r = await ctx.client.post(f"{API}/time-entries", json=body)
    return r, sent, echoed(r, field)


async def entry_update_case(ctx: Ctx, field: str, kind: str) -> Outcome:
    project = await make_project(ctx.db)
    entry = await make_time_entry(
        ctx.db, ctx.who.id, project, start_time=at(30, 8), end_time=at(30, 12)
    )
    sent = at(30, 7) if field == "start_time" else at(30, 13)
    r = await ctx.client.patch(f"{API}/time-entries/{entry.id}", json={field: stamp(sent, kind)})
    return r, sent, echoed(r, field)


async def break_case(ctx: Ctx, field: str, kind: str) -> Outcome:
    # A recorded break (working time) on a day of its own per kind, between no entries.
    start, end = at(DAY_OF[kind] + 20, 12), at(DAY_OF[kind] + 20, 12, 30)
    body = {"start_time": stamp(start, "Z"), "end_time": stamp(end, "Z")}
    sent = start if field == "start_time" else end
    body[field] = stamp(sent, kind)
    r = await ctx.client.post(f"{API}/worktime/breaks", json=body)
    return r, sent, echoed(r, field)


# A case per datetime input: a minimal valid request with the value under test.
CASES: dict[tuple[str, str, str, str], Case] = {
    ("POST", f"{API}/auth/tokens", "body", "expires_at"): token_case,
    ("GET", f"{API}/audit-log", "query", "from"): audit_case,
    ("GET", f"{API}/audit-log", "query", "to"): audit_case,
    ("POST", f"{API}/time-entries", "body", "start_time"): entry_create_case,
    ("POST", f"{API}/time-entries", "body", "end_time"): entry_create_case,
    ("PATCH", f"{API}/time-entries/{{entry_id}}", "body", "start_time"): entry_update_case,
    ("PATCH", f"{API}/time-entries/{{entry_id}}", "body", "end_time"): entry_update_case,
    ("POST", f"{API}/worktime/breaks", "body", "start_time"): break_case,
    ("POST", f"{API}/worktime/breaks", "body", "end_time"): break_case,
}


def _id(value: tuple[str, str, str, str]) -> str:
    return f"{value[0]} {value[1]} {value[2]}:{value[3]}"


@pytest_asyncio.fixture
async def ctx(app: Any, db: AsyncSession, admin: Employee) -> AsyncIterator[Ctx]:
    # A password login (web session): API tokens can only be created so.
    async with await session_client(app, db, admin) as client:
        yield Ctx(client, db, admin)


class TestAwareTimestamps(Lesson):
    """Lesson: "Naive timestamps: a client sending `...Z` got a 500." -> "`timestamptz`
    everywhere, aware datetimes only, a test per endpoint with `Z` and with an offset."

    The OpenAPI schema is walked for every datetime in a request body or query parameter;
    each must accept `...Z` and `+02:00` as the same instant and refuse a naive value with
    422 naming the field (never 500). A new datetime input fails
    test_every_datetime_input_has_a_case until it gets one here. Time entries alone:
    tests/time_entries/test_endpoints.py::TestManualEntries; timestamptz columns:
    test_every_timestamp_column_is_timestamptz below.
    """

    REFERENCES = (
        "tests/time_entries/test_endpoints.py::TestManualEntries::test_z_timestamp_is_accepted",
        "tests/time_entries/test_endpoints.py::TestManualEntries::"
        "test_offset_timestamp_is_the_same_instant",
        "tests/time_entries/test_endpoints.py::TestManualEntries::"
        "test_naive_timestamp_is_422_naming_the_field",
        "tests/auth/test_tokens_and_profile.py::TestTokens::test_expiry_must_be_aware_and_ahead",
    )

    def test_the_walk_finds_the_known_inputs(self) -> None:
        assert ("POST", f"{API}/time-entries", "body", "start_time") in DATETIME_INPUTS
        assert ("GET", f"{API}/audit-log", "query", "from") in DATETIME_INPUTS

    def test_every_datetime_input_has_a_case(self) -> None:
        missing = [_id(i) for i in DATETIME_INPUTS if i not in CASES]
        assert missing == [], "add a case for these datetime inputs"

    @pytest.mark.parametrize("target", DATETIME_INPUTS, ids=_id)
    async def test_naive_value_is_422_naming_the_field(
        self, ctx: Ctx, target: tuple[str, str, str, str]
    ) -> None:
        method, path, where, field = target
        case = CASES.get(target)
        if case is not None:
            r, _, _ = await case(ctx, field, "naive")
            assert r.status_code == 422, r.text
            assert r.json()["field"] == field
            return
        # No case yet: at least the value alone must be refused by validation, not by a 500.
        naive = stamp(datetime(2026, 3, 2, 8, tzinfo=UTC), "naive")
        r = await ctx.client.request(
            method,
            concrete(path),
            params={field: naive} if where == "query" else None,
            json={field: naive} if where == "body" and "." not in field else None,
        )
        assert r.status_code == 422, r.text
        assert field in {e["field"] for e in r.json()["errors"]}

    @pytest.mark.parametrize("target", [i for i in DATETIME_INPUTS if i in CASES], ids=_id)
    @pytest.mark.parametrize("kind", ["Z", "offset"])
    async def test_z_and_offset_are_accepted_as_the_same_instant(
        self, ctx: Ctx, target: tuple[str, str, str, str], kind: str
    ) -> None:
        r, sent, shown = await CASES[target](ctx, target[3], kind)
        assert r.status_code < 300, r.text
        if sent is not None and shown is not None:
            assert shown == sent

    @pytest.mark.parametrize(
        "target",
        [i for i in DATETIME_INPUTS if i in CASES],
        ids=_id,
    )
    async def test_offset_beyond_the_utc_range_is_422_not_500(
        self, ctx: Ctx, target: tuple[str, str, str, str]
    ) -> None:
        r, _, _ = await CASES[target](ctx, target[3], "beyond")
        assert r.status_code == 422, r.text
        assert r.json()["field"] == target[3]

    @pytest.mark.parametrize("path", sorted(DATE_QUERIES), ids=str)
    @pytest.mark.parametrize(
        "values",
        [("0001-01-01", "0001-01-01"), ("9999-12-31", "9999-12-31"), ("0001-01-01", "9999-12-31")],
    )
    async def test_extreme_dates_in_queries_are_never_a_500(
        self, ctx: Ctx, path: str, values: tuple[str, str]
    ) -> None:
        """Dates are no timestamps, but turned into period bounds they overflowed alike."""
        names = DATE_QUERIES[path]
        params = {name: values[0] if i == 0 else values[1] for i, name in enumerate(names)}
        r = await ctx.client.get(concrete(path), params=params)
        assert r.status_code < 500, r.text

    @pytest.mark.parametrize("week", ["0001-W01", "9999-W52", "2025-W53", "2026-W00"])
    async def test_extreme_weeks_are_never_a_500(self, ctx: Ctx, week: str) -> None:
        r = await ctx.client.get(f"{API}/time-entries/timesheet", params={"week": week})
        assert r.status_code == 422, r.text
        assert r.json()["field"] == "week"

    async def test_every_timestamp_column_is_timestamptz(self, db: AsyncSession) -> None:
        naive = (
            await db.execute(
                text(
                    "SELECT table_name || '.' || column_name FROM information_schema.columns"
                    " WHERE table_schema = 'public'"
                    " AND data_type = 'timestamp without time zone'"
                )
            )
        ).scalars()
        assert list(naive) == []


# ---- 5 ----


class TestTimersAndOwnTime(Lesson):
    """Lesson: "Two running timers per employee possible; end before start accepted (duration
    clamped to 0); any user could book time for another by putting their id in the body." ->
    "Database constraints (partial unique, CHECK, EXCLUDE); the employee comes from the login,
    not the body."

    Constraints and the API's 403 for a foreign employee_id on POST are in REFERENCES. Added:
    the other ways to name someone else in a body (starting a timer, moving an own entry)
    are refused for a plain Employee and leave the other employee untouched.
    """

    REFERENCES = (
        "tests/models/test_database_rules.py::TestTimeEntries::test_second_running_timer_is_refused",
        "tests/models/test_database_rules.py::TestTimeEntries::test_end_before_start_is_refused",
        "tests/models/test_database_rules.py::TestTimeEntries::test_overlapping_entries_are_refused",
        "tests/time_entries/test_concurrency.py::test_twenty_parallel_starts_leave_one_running_timer",
        "tests/time_entries/test_endpoints.py::TestTimer::test_second_start_is_409_naming_the_running_timer",
        "tests/time_entries/test_endpoints.py::TestManualEntries::test_end_before_start_is_422",
        "tests/time_entries/test_endpoints.py::TestOwnership::test_employee_cannot_book_for_someone_else",
        "tests/time_entries/test_endpoints.py::TestOwnership::test_others_entries_are_404_without_manage",
    )

    async def test_timer_cannot_be_started_for_someone_else(
        self, as_employee: httpx.AsyncClient, employee: Employee, db: AsyncSession
    ) -> None:
        other_id, own_id = (await make_employee(db)).id, employee.id
        project = await make_project(db)
        r = await as_employee.post(
            f"{API}/time-entries/timer/start",
            json={"project_id": str(project.id), "employee_id": str(other_id)},
        )
        assert r.status_code in (403, 422), r.text
        assert r.json()["field"] == "employee_id"
        running = await db.scalar(
            select(TimeEntry.employee_id).where(
                TimeEntry.employee_id.in_([other_id, own_id]), TimeEntry.end_time.is_(None)
            )
        )
        assert running is None

    async def test_own_entry_cannot_be_handed_to_someone_else(
        self, as_employee: httpx.AsyncClient, employee: Employee, db: AsyncSession
    ) -> None:
        other_id, own_id = (await make_employee(db)).id, employee.id
        entry_id = (await make_time_entry(db, own_id, await make_project(db))).id
        r = await as_employee.patch(
            f"{API}/time-entries/{entry_id}", json={"employee_id": str(other_id)}
        )
        assert r.status_code in (403, 422), r.text
        assert r.json()["field"] == "employee_id"
        owner = await db.scalar(select(TimeEntry.employee_id).where(TimeEntry.id == entry_id))
        assert owner == own_id

    async def test_an_entry_booked_without_an_id_is_the_callers(
        self, as_employee: httpx.AsyncClient, employee: Employee, db: AsyncSession
    ) -> None:
        project = await make_project(db)
        r = await as_employee.post(
            f"{API}/time-entries",
            json={
                "project_id": str(project.id),
                "start_time": "2026-04-01T08:00:00Z",
                "end_time": "2026-04-01T09:00:00Z",
                "employee_id": str(employee.id),
            },
        )
        assert r.status_code == 201, r.text
        assert r.json()["employee_id"] == str(employee.id)


# ---- 6 ----


def _status_properties(schema: dict[str, Any], components: dict[str, Any]) -> list[Any]:
    """Every schema a request body offers under a property called 'status'."""
    schema = _deref(schema, components)
    found: list[Any] = []
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(key, []):
            found += _status_properties(sub, components)
    for name, sub in schema.get("properties", {}).items():
        if name == "status":
            found.append(_deref(sub, components))
    return found


class TestPaidComesFromPayments(Lesson):
    """Lesson: "Payment check without a row lock: parallel payments could overpay. Deleting
    the only payment left the invoice `paid`. Status could be PATCHed from draft to paid with
    no payment." -> "Lock the invoice row; derive status from payments in one place; no
    endpoint sets `paid` by hand."

    Row lock, overpayment, deletion reopening (API and raw SQL) and the trigger refusing a
    hand-set 'paid' are in REFERENCES. Added at the API: PATCH with status 'paid' is refused
    for a draft and for an issued invoice, and no request body anywhere offers 'paid'.
    """

    REFERENCES = (
        "tests/payments/test_concurrency.py::test_fifty_parallel_full_payments_book_exactly_one",
        "tests/payments/test_payments.py::test_overpayment_is_409_stating_the_open_amount",
        "tests/payments/test_payments.py::test_deleting_a_payment_reopens",
        "tests/payments/test_payments.py::test_deleting_a_payment_of_a_past_due_invoice_makes_it_overdue",
        "tests/models/test_database_rules.py::TestPayments::test_deleting_a_payment_reopens_the_invoice",
        "tests/models/test_database_rules.py::TestPayments::test_overpayment_is_refused",
        "tests/models/test_database_rules.py::TestInvoices::test_status_paid_cannot_be_set_by_hand",
    )

    async def test_draft_cannot_be_patched_to_paid(
        self, as_admin: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        customer = await make_customer(db)
        draft = (await as_admin.post(INVOICES, json=draft_body(customer.id))).json()
        r = await as_admin.patch(f"{INVOICES}/{draft['id']}", json={"status": "paid"})
        assert r.status_code == 422, r.text
        assert r.json()["field"] == "status"
        assert (await as_admin.get(f"{INVOICES}/{draft['id']}")).json()["status"] == "draft"
        stored = await db.scalar(select(Invoice.status).where(Invoice.id == draft["id"]))
        assert stored == "draft"

    async def test_issued_invoice_cannot_be_patched_to_paid(
        self, as_admin: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        await make_company_settings(db)
        issued = await issue_draft(as_admin, db)
        r = await as_admin.patch(f"{INVOICES}/{issued['id']}", json={"status": "paid"})
        assert r.status_code in (409, 422), r.text
        assert (await as_admin.get(f"{INVOICES}/{issued['id']}")).json()["status"] == "sent"

    def test_no_request_body_offers_status_paid(self) -> None:
        spec = create_app(check=False).openapi()
        components = spec.get("components", {}).get("schemas", {})
        offering: list[str] = []
        for path, operations in spec["paths"].items():
            for method, operation in operations.items():
                for content in operation.get("requestBody", {}).get("content", {}).values():
                    for prop in _status_properties(content.get("schema", {}), components):
                        values = [
                            v for s in (prop, *prop.get("anyOf", [])) for v in s.get("enum", [])
                        ]
                        if "paid" in values or not values:
                            offering.append(f"{method.upper()} {path}")
        assert offering == []


# ---- 7 ----


async def _aged(db: AsyncSession, due_in_days: int, **overrides: Any) -> Invoice:
    """An issued (stored 'sent') invoice of 119.00 due `due_in_days` from today."""
    due = today() + timedelta(days=due_in_days)
    invoice: Invoice = await make_issued_invoice(
        db, issued_date=due - timedelta(days=14), due_date=due, **overrides
    )
    return invoice


async def _pay(db: AsyncSession, invoice: Invoice, amount: str) -> None:
    db.add(
        Payment(invoice_id=invoice.id, amount=Decimal(amount), payment_date=today(), method="cash")
    )
    await db.flush()


@dataclass
class Receivables:
    open_count: int
    open_amount: Decimal
    overdue_count: int
    overdue_amount: Decimal


async def _everywhere(client: httpx.AsyncClient) -> dict[str, Receivables]:
    """Open and overdue as statistics, the list filters and the dashboard widget see them."""
    stats = (await client.get(f"{INVOICES}/statistics")).json()
    listed = {}
    for status in ("open", "overdue"):
        page = (await client.get(INVOICES, params={"status": status, "limit": 200})).json()
        assert page["total"] == len(page["items"])
        listed[status] = (
            page["total"],
            sum((Decimal(i["open_amount"]) for i in page["items"]), Decimal(0)),
        )
    widget = (await client.get(f"{API}/dashboards/widgets/receivables")).json()["data"]
    return {
        "statistics": Receivables(
            stats["open_count"],
            Decimal(stats["open_receivables"]),
            stats["overdue_count"],
            Decimal(stats["overdue_receivables"]),
        ),
        "list": Receivables(listed["open"][0], listed["open"][1], *listed["overdue"]),
        "dashboard": Receivables(
            widget["open_count"],
            Decimal(widget["open_amount"]),
            widget["overdue_count"],
            Decimal(widget["overdue_amount"]),
        ),
    }


class TestOneOverdue(Lesson):
    """Lesson: ""Overdue" computed in three ways: the statistics said 59, the filter found 1.
    List totals ignored the filters the items used." -> "One definition of overdue, one query
    builder for items and their count."

    Single views are in REFERENCES. Added: one constructed set (past due but still stored
    'sent', stored 'overdue', partly paid past due, due today, due later, paid past due,
    draft) gives the same open/overdue counts and amounts in the statistics, the list filter
    and the dashboard receivables widget, before and after the overdue job stores the status;
    and every list filter's total equals its items.
    """

    REFERENCES = (
        "tests/invoices/test_overdue.py::test_past_due_is_overdue_in_lists_and_statistics_before_any_job",
        "tests/invoices/test_statistics.py::test_statistics",
        "tests/dashboards/test_widgets.py::TestMoney::test_receivables_equal_sql",
        "tests/invoices/test_drafts.py::test_list_filters_and_counts_alike",
        "tests/employees/test_endpoints.py::TestEmployees::"
        "test_list_filters_sorts_pages_and_counts_with_the_same_filters",
    )

    async def test_statistics_filter_and_dashboard_agree(
        self, as_manager: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        await make_company_settings(db)
        late_sent = await _aged(db, -5)  # past due, the job has not run: stored 'sent'
        stored = await _aged(db, -30)
        await db.execute(
            text("UPDATE invoices SET status = 'overdue' WHERE id = :id"), {"id": stored.id}
        )
        partly = await _aged(db, -3)
        await _pay(db, partly, "19.00")
        await _aged(db, 0)  # due today: open, not overdue
        await _aged(db, 10)
        paid = await _aged(db, -10)
        await _pay(db, paid, "119.00")
        await make_invoice(db)  # a draft
        expected = Receivables(5, Decimal("576.00"), 3, Decimal("338.00"))

        before = await _everywhere(as_manager)
        assert before == dict.fromkeys(before, expected)
        shown = (await as_manager.get(f"{INVOICES}/{late_sent.id}")).json()["status"]
        assert shown == "overdue"

        await invoice_service.mark_overdue(db, today())
        after = await _everywhere(as_manager)
        assert after == before

    @pytest.mark.parametrize(
        "filters",
        [
            {"status": "draft"},
            {"status": "sent"},
            {"status": "open"},
            {"status": "overdue"},
            {"status": "paid"},
            {"kind": "invoice"},
            {"customer": True},
            {"customer": True, "status": "overdue"},
            {"issued_from": "past"},
            {"issued_to": "past"},
            {"number": "RE-T-"},
        ],
        ids=lambda f: ",".join(f"{k}={v}" for k, v in f.items()),
    )
    async def test_list_total_follows_the_filters(
        self, as_manager: httpx.AsyncClient, db: AsyncSession, filters: dict[str, Any]
    ) -> None:
        customer = await make_customer(db)
        await _aged(db, -5, customer=customer)
        await _aged(db, -5)
        await _aged(db, 5, customer=customer)
        paid = await _aged(db, -40)
        await _pay(db, paid, "119.00")
        await make_invoice(db, customer)
        await make_invoice(db)
        params: dict[str, Any] = {k: v for k, v in filters.items() if k != "customer"}
        if filters.get("customer"):
            params["customer_id"] = str(customer.id)
        for key in ("issued_from", "issued_to"):
            if key in params:
                params[key] = (today() - timedelta(days=30)).isoformat()
        everything = (await as_manager.get(INVOICES, params={**params, "limit": 200})).json()
        assert everything["total"] == len(everything["items"])
        assert everything["total"] > 0
        one = (await as_manager.get(INVOICES, params={**params, "limit": 1})).json()
        assert one["total"] == everything["total"]
        assert len(one["items"]) == 1
        unfiltered = (await as_manager.get(INVOICES, params={"limit": 200})).json()["total"]
        if filters != {"kind": "invoice"}:
            assert everything["total"] < unfiltered


# ---- 8 ----


class TestInvoiceFromTimeEntries(Lesson):
    """Lesson: "Invoice-from-time-entries committed the invoice, then marked the entries in a
    second commit: double billing possible." -> "One transaction, entries locked."

    Covered: two parallel requests bill each entry once, a second invoicing waits for the
    first's lock and then finds nothing, deleting the draft releases the entries.
    """

    REFERENCES = (
        "tests/invoices/test_from_time_entries.py::test_two_parallel_requests_bill_each_entry_once",
        "tests/invoices/test_from_time_entries.py::test_deleting_the_draft_releases_the_entries",
        "tests/time_entries/test_billable.py::"
        "test_a_second_invoicing_waits_for_the_first_and_then_gets_nothing",
    )


# ---- 9 ----


async def _set_counter(db: AsyncSession, scope: str, year: int, next_value: int) -> None:
    await db.execute(
        text(
            "INSERT INTO number_counters (scope, year, next_value) VALUES (:s, :y, :n) "
            "ON CONFLICT (scope, year) DO UPDATE SET next_value = :n"
        ),
        {"s": scope, "y": year, "n": next_value},
    )


class TestNumbersPastFiveDigits(Lesson):
    """Lesson: "Ticket numbers made with MAX() over strings: after `TKT-99999` every insert
    collided." -> "Counter rows updated in the same transaction (`UPDATE ... RETURNING`)."

    Gapless and parallel numbering are in REFERENCES. Added: with the counters set just below
    the five-digit limit, invoice, credit-note and customer numbers go on past 99999 without
    a collision.
    """

    REFERENCES = (
        "tests/invoices/test_concurrency.py::test_twenty_parallel_issues_get_contiguous_numbers",
        "tests/invoices/test_issue.py::test_numbers_are_consecutive",
        "tests/invoices/test_issue.py::test_a_failed_issue_gives_its_number_back",
        "tests/customers/test_numbers.py::test_parallel_creates_get_distinct_consecutive_numbers",
    )

    async def test_invoice_and_credit_note_numbers_after_99999(
        self, as_manager: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        await make_company_settings(db)
        year = today().year
        await _set_counter(db, "invoice", year, 99_999)
        await _set_counter(db, "credit_note", year, 99_999)
        issued = [await issue_draft(as_manager, db) for _ in range(3)]
        assert [i["number"] for i in issued] == [
            f"RE-{year}-99999",
            f"RE-{year}-100000",
            f"RE-{year}-100001",
        ]
        notes = []
        for invoice in issued[:2]:
            r = await as_manager.post(f"{INVOICES}/{invoice['id']}/credit-note")
            assert r.status_code == 201, r.text
            notes.append(r.json()["number"])
        assert notes == [f"GS-{year}-99999", f"GS-{year}-100000"]

    async def test_customer_numbers_after_99999(
        self, as_manager: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        await _set_counter(db, "customer", 0, 99_999)
        numbers = []
        for name in ("Neunundneunzig GmbH", "Hunderttausend AG", "Und eins KG"):
            r = await as_manager.post(f"{API}/customers", json={"name": name})
            assert r.status_code == 201, r.text
            numbers.append(r.json()["number"])
        assert numbers == ["K-99999", "K-100000", "K-100001"]


# ---- 10 ----


async def _invoice_rows(db: AsyncSession, admin: Employee, i: int) -> None:
    if i % 3 == 0:
        await make_invoice(db)
        return
    invoice = await _aged(db, 10 - i)
    if i % 3 == 1:
        await _pay(db, invoice, "19.00")


async def _customer_rows(db: AsyncSession, admin: Employee, i: int) -> None:
    await make_customer(db)


async def _project_rows(db: AsyncSession, admin: Employee, i: int) -> None:
    await make_project(db)


async def _time_rows(db: AsyncSession, admin: Employee, i: int) -> None:
    project = await make_project(db)
    await make_time_entry(db, admin.id, project, start_time=at(i, 8), end_time=at(i, 9))


async def _reminder_rows(db: AsyncSession, admin: Employee, i: int) -> None:
    await new_reminder(db, admin.id)


async def _expense_rows(db: AsyncSession, admin: Employee, i: int) -> None:
    db.add(Expense(category="material", amount=Decimal("12.50") + i))
    await db.flush()


async def _document_rows(db: AsyncSession, admin: Employee, i: int) -> None:
    await make_document(db, admin.id, PDF + f"{uuid.uuid4()}".encode())


Rows = Callable[[AsyncSession, Employee, int], Awaitable[None]]
LISTS: dict[str, tuple[str, Rows]] = {
    "invoices": (f"{INVOICES}?limit=200", _invoice_rows),
    "customers": (f"{API}/customers?limit=200", _customer_rows),
    "projects": (f"{API}/projects?limit=200", _project_rows),
    "time-entries": (f"{API}/time-entries?limit=200", _time_rows),
    "reminders": (f"{API}/reminders?view=all&limit=200", _reminder_rows),
    "expenses": (f"{API}/expenses?limit=200", _expense_rows),
    "documents": (f"{API}/documents?limit=200", _document_rows),
    "crm-stats widget": (f"{API}/dashboards/widgets/crm-stats", _customer_rows),
    "receivables widget": (f"{API}/dashboards/widgets/receivables", _invoice_rows),
}


class TestFixedQueriesPerList(Lesson):
    """Lesson: "69 queries to list 62 invoices; 727 queries for CRM stats over 300
    customers." -> "`lazy="raise"`, explicit loading, aggregates in SQL; the benchmark counts
    queries per request."

    Demo-sized widgets and the customer detail are in REFERENCES. Added: listing 3 or 15 rows
    (invoices, and the other lists) costs the same number of SQL statements, counted with a
    before_cursor_execute listener on the engine; and no ORM relationship may lazy-load.
    """

    REFERENCES = (
        "tests/dashboards/test_demo_kpis.py::test_each_widget_costs_a_fixed_number_of_queries",
        "tests/customers/test_endpoints.py::count_queries",
    )

    @pytest.mark.parametrize("name", list(LISTS))
    async def test_statements_do_not_grow_with_the_rows(
        self,
        name: str,
        as_admin: httpx.AsyncClient,
        admin: Employee,
        db: AsyncSession,
        engine: AsyncEngine,
        files_settings: Settings,
    ) -> None:
        url, add = LISTS[name]
        for i in range(3):
            await add(db, admin, i)
        assert (await as_admin.get(url)).status_code == 200  # warm-up
        await db.commit()
        with count_statements(engine) as seen:
            small = await as_admin.get(url)
        few = application_statements(seen)
        for i in range(3, 15):
            await add(db, admin, i)
        await db.commit()
        with count_statements(engine) as seen:
            large = await as_admin.get(url)
        many = application_statements(seen)
        assert small.status_code == large.status_code == 200, large.text
        if "items" in large.json():
            assert len(large.json()["items"]) >= len(small.json()["items"]) + 12
        assert any(s.lstrip().upper().startswith("SELECT") for s in few), few
        assert len(many) == len(few), "\n".join(many)

    def test_no_relationship_loads_lazily(self) -> None:
        from workmate.models.base import Base

        lazy = [
            f"{mapper.class_.__name__}.{rel.key}: lazy={rel.lazy}"
            for mapper in Base.registry.mappers
            for rel in mapper.relationships
            if rel.lazy not in ("raise", "raise_on_sql", "noload")
        ]
        assert lazy == []


# ---- 11 ----


def _traversal(target: Path) -> str:
    return os.path.relpath(target, ROOT / "src" / "workmate" / "web" / "static")


class TestNoPublicUploads(Lesson):
    """Lesson: "Upload folder served publicly without authentication; an invoice number
    containing `../` wrote a file outside the storage folder." -> "Server-made storage paths,
    downloads only through authorised endpoints."

    Server-made keys and hostile names are in REFERENCES. Added: a stored file's bytes are
    never answered to an anonymous client, whatever path is guessed (/files, /uploads,
    /static with the key, the absolute path, or ../ up from the static folder), and the
    download endpoint is 401.
    """

    REFERENCES = (
        "tests/documents/test_storage.py::test_only_server_made_keys_are_accepted",
        "tests/documents/test_endpoints.py::TestUpload::test_hostile_names_never_leave_the_storage_folder",
        "tests/einvoice/test_documents.py::TestStorage::test_number_never_reaches_a_path",
    )

    async def test_stored_bytes_never_reach_an_anonymous_client(
        self,
        app: Any,
        client: httpx.AsyncClient,
        employee: Employee,
        db: AsyncSession,
        files_settings: Settings,
    ) -> None:
        marker = f"lesson-{uuid.uuid4().hex}".encode()
        document = await make_document(db, employee.id, PDF + marker)
        key = document.file_path
        stored = files_settings.files_dir / key
        assert marker in stored.read_bytes()
        up = _traversal(stored)
        encoded = up.replace("..", "%2e%2e").replace("/", "%2f")
        guesses = [
            f"/files/{key}",
            f"/uploads/{key}",
            f"/data/files/{key}",
            f"/storage/{key}",
            f"/media/{key}",
            f"/{key}",
            f"/static/{key}",
            f"/static/files/{key}",
            f"/static/{up}",
            f"/static/{encoded}",
            f"/static/{stored}",
            f"/static/%2f{str(stored).lstrip('/')}",
            f"/static/..%2f..%2f..%2f..%2f..%2f..%2f..%2f..%2f..%2f..%2f{str(stored).lstrip('/')}",
            f"{API}/documents/{document.id}/download",
            f"{API}/files/{key}",
        ]
        leaked = []
        for path in guesses:
            r = await client.get(path, follow_redirects=False)
            assert r.status_code < 500, (path, r.status_code)
            if marker in r.content:
                leaked.append(f"{path}: {r.status_code}")
        assert leaked == []
        download = f"{API}/documents/{document.id}/download"
        assert (await client.get(download)).status_code == 401
        # The check can see a leak: the owner's authorised download carries the marker.
        async with await token_client(app, db, employee) as owner:
            allowed = await owner.get(download)
        assert allowed.status_code == 200
        assert marker in allowed.content


# ---- 12 ----


class TestObjectLevelChecks(Lesson):
    """Lesson: "Confidential documents never enforced; any user could read any user's
    dashboard and reminders." -> "Object-level checks in the repository, tests per object
    type."

    Confidential documents (404 for a colleague and a Manager), reminders (404 for every
    action) and dashboards (refused without dashboards.manage) are in REFERENCES. Added: a
    colleague's confidential document stays hidden when listing by the linked object, a
    colleague cannot list someone's reminders by owner_id, and another's dashboard is
    refused alike whether the employee exists or not, leaving it unchanged.
    """

    REFERENCES = (
        "tests/documents/test_endpoints.py::TestConfidential::test_only_owner_and_confidential_roles_see_it",
        "tests/reminders/test_endpoints.py::TestOwnership::test_others_reminder_is_404_for_every_action",
        "tests/reminders/test_endpoints.py::TestOwnership::test_others_reminders_do_not_exist_for_an_employee",
        "tests/dashboards/test_layout.py::TestOthersDashboards::test_without_manage_another_dashboard_is_forbidden",
        "tests/dashboards/test_widgets.py::TestMine::test_my_reminders_equal_sql_and_are_mine_only",
        "tests/time_entries/test_reports.py::TestTimesheet::test_another_employees_sheet_is_404_without_manage",
    )

    async def test_confidential_document_is_404_and_unlisted_for_a_colleague(
        self,
        app: Any,
        as_employee: httpx.AsyncClient,
        employee: Employee,
        db: AsyncSession,
        files_settings: Settings,
    ) -> None:
        colleague = await make_employee(db, "Employee")
        project = await make_project(db)
        linked = {"linked_module": "project", "linked_id": str(project.id)}
        secret = await make_document(
            db, employee.id, PDF + b"secret", is_confidential=True, **linked
        )
        shared = await make_document(db, employee.id, PDF + b"shared", **linked)
        url = f"{API}/documents/{secret.id}"
        async with await token_client(app, db, colleague) as other:
            unknown = await other.get(f"{API}/documents/{uuid.uuid4()}")
            for path in (url, f"{url}/download"):
                r = await other.get(path)
                assert r.status_code == 404
                assert r.json() == unknown.json()
            listed = (await other.get(f"{API}/documents", params=linked)).json()
            ids = {d["id"] for d in listed["items"]}
            assert ids == {str(shared.id)}
            assert listed["total"] == 1
        own = (await as_employee.get(f"{API}/documents", params=linked)).json()
        assert own["total"] == 2

    async def test_reminders_of_another_owner_are_not_listed(
        self, as_employee: httpx.AsyncClient, employee: Employee, db: AsyncSession
    ) -> None:
        other = await make_employee(db)
        await new_reminder(db, other.id, title="fremd")
        mine = await new_reminder(db, employee.id, title="meins")
        r = await as_employee.get(
            f"{API}/reminders", params={"owner_id": str(other.id), "view": "all"}
        )
        if r.status_code == 200:  # ignored or intersected with the caller's own
            assert {i["id"] for i in r.json()["items"]} <= {str(mine.id)}
            assert r.json()["total"] == len(r.json()["items"])
        else:
            assert r.status_code in (403, 404, 422), r.text
            assert "fremd" not in r.text

    async def test_another_dashboard_is_refused_without_revealing_it(
        self, as_employee: httpx.AsyncClient, manager: Employee, db: AsyncSession
    ) -> None:
        manager_id = manager.id
        theirs = f"{API}/dashboards/{manager_id}"
        nobody = f"{API}/dashboards/{uuid.uuid4()}"
        for method, body in (("GET", None), ("PUT", {"theme": "dark"})):
            existing = await as_employee.request(method, theirs, json=body)
            missing = await as_employee.request(method, nobody, json=body)
            assert existing.status_code in (403, 404)
            assert (existing.status_code, existing.json()) == (
                missing.status_code,
                missing.json(),
            )
        saved = await db.scalar(
            text("SELECT theme FROM dashboards WHERE user_id = :u"), {"u": manager_id}
        )
        assert saved != "dark"


# ---- 13 ----


class TestIssuedInvoicesStay(Lesson):
    """Lesson: "Issued invoices could be deleted (against GoBD)." -> "Issued invoices are
    immutable in the database; corrections by credit note."

    API 409 for a sent invoice and the raw-SQL DELETE/UPDATE refusals are in REFERENCES.
    Added: paid, cancelled and credit-note documents are 409 through the API too; deleting
    their customer is refused; TRUNCATE is refused.
    """

    REFERENCES = (
        "tests/invoices/test_issue.py::test_issued_invoice_cannot_be_deleted",
        "tests/invoices/test_issue.py::test_issued_lines_cannot_change_even_with_raw_sql",
        "tests/models/test_database_rules.py::TestInvoices::test_issued_invoice_cannot_be_deleted",
        "tests/models/test_database_rules.py::TestInvoices::test_issued_invoice_cannot_change",
        "tests/invoices/test_issue.py::test_credit_note_cancels_with_own_number_and_same_lines",
    )

    async def test_no_issued_document_can_be_deleted_through_the_api(
        self, as_admin: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        await make_company_settings(db)
        paid = await issue_draft(as_admin, db)
        pay = await as_admin.post(
            f"{INVOICES}/{paid['id']}/payments", json={"amount": paid["total"]}
        )
        assert pay.status_code == 201, pay.text
        cancelled = await issue_draft(as_admin, db)
        note = (await as_admin.post(f"{INVOICES}/{cancelled['id']}/credit-note")).json()
        assert note["kind"] == "credit_note"
        for invoice_id in (paid["id"], cancelled["id"], note["id"]):
            before = (await as_admin.get(f"{INVOICES}/{invoice_id}")).json()
            r = await as_admin.delete(f"{INVOICES}/{invoice_id}")
            assert r.status_code == 409, r.text
            after = await as_admin.get(f"{INVOICES}/{invoice_id}")
            assert after.status_code == 200
            assert after.json()["status"] == before["status"]
        statuses = {paid["id"]: "paid", cancelled["id"]: "cancelled"}
        for invoice_id, status in statuses.items():
            assert (await as_admin.get(f"{INVOICES}/{invoice_id}")).json()["status"] == status

    async def test_customer_of_an_issued_invoice_cannot_be_deleted(
        self, as_admin: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        invoice = await make_invoice(db, issued=True)
        invoice_id, customer_id = invoice.id, invoice.customer_id
        r = await as_admin.delete(f"{API}/customers/{customer_id}")
        assert r.status_code in (409, 422), r.text
        with pytest.raises(IntegrityError):
            async with db.begin_nested():
                await db.execute(text("DELETE FROM customers WHERE id = :id"), {"id": customer_id})
        assert await db.scalar(select(Invoice.id).where(Invoice.id == invoice_id)) == invoice_id

    async def test_truncate_is_refused_while_issued_invoices_exist(self, db: AsyncSession) -> None:
        await make_invoice(db, issued=True)
        with pytest.raises(DBAPIError):
            async with db.begin_nested():
                await db.execute(text("TRUNCATE invoices CASCADE"))


# ---- 14 ----

SCANNED = ("src", "README.md", ".ci", "dev", "alembic.ini", "pyproject.toml", "bench")
TEXT_SUFFIXES = {
    "",
    ".py",
    ".md",
    ".ini",
    ".toml",
    ".cfg",
    ".txt",
    ".yml",
    ".yaml",
    ".json",
    ".sh",
    ".env",
    ".html",
    ".js",
    ".css",
    ".lua",
    ".mako",
    ".po",
}
SKIPPED_DIRS = {"__pycache__", ".mypy_cache", ".ruff_cache", "node_modules", ".pytest_cache"}
SECRET_PATTERNS = {
    "private key": re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----"),
    "GitHub token": re.compile(r"\b(gh[pousr]_[A-Za-z0-9]{30,}|github_pat_\w{20,})"),
    "Slack token": re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"),
    "AWS key": re.compile(r"\bAKIA[0-9A-Z]{16}\b"),
    "Stripe key": re.compile(r"\b[sr]k_(live|test)_[0-9A-Za-z]{16,}"),
    "Google key": re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"),
    "JWT": re.compile(r"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"),
    "password in a URL": re.compile(r"[a-z+]+://[^/\s:@'\"<>]+:([^/\s@'\"<>]+)@"),
    "hard-coded credential": re.compile(
        r"(?i)\b\w*(password|passwd|secret|api_?key|token|private_?key)\w*\s*[:=]\s*"
        r"[\"']([^\"'\s]{8,})[\"']"
    ),
}
# The one documented credential: the demo company's login (printed by `workmate demo`).
DEMO_PASSWORD = "workmate-demo"
# The benchmark's throwaway employees (bench/, a database made and dropped by the benchmark).
BENCH_PASSWORD = "workmate-bench"
# Values that name a header, cookie or field ("X-CSRF-Token", "csrf_token").
NAME_LIKE = re.compile(r"X-[A-Za-z-]+|[a-z]+(_[a-z]+)+")
# Placeholders in documentation, not secrets.
PLACEHOLDERS = {"pw", "password", "pass", "secret", "***", "...", "<password>", "PASSWORD"}


def scanned_files() -> Iterator[Path]:
    for name in SCANNED:
        top = ROOT / name
        files = [top] if top.is_file() else sorted(top.rglob("*"))
        for file in files:
            if not file.is_file() or SKIPPED_DIRS & set(file.parts):
                continue
            if file.suffix in TEXT_SUFFIXES:
                yield file


class TestNoDefaultSecrets(Lesson):
    """Lesson: "Default secrets in config; example private keys and a token committed." ->
    "No default secrets: the app generates and stores its own on first start, or refuses to
    start in production without them."

    Added: the repository (src, README, .ci, dev, bench, config files) holds no private-key
    block, no token of a known format, no password in a URL and no hard-coded credential
    other than the documented demo password; no setting has a secret default.
    """

    REFERENCES = (
        "tests/cli/test_demo.py::TestContent::test_demo_logins_use_the_documented_password",
    )

    def test_the_scan_finds_a_planted_secret(self) -> None:
        planted = 'API_TOKEN = "' + "9f8e7d6c5b4a" + '"\n-----BEGIN RSA ' + "PRIVATE KEY-----"
        assert SECRET_PATTERNS["hard-coded credential"].search(planted)
        assert SECRET_PATTERNS["private key"].search(planted)

    def test_no_secret_is_committed(self) -> None:
        found: list[str] = []
        scanned = 0
        for file in scanned_files():
            try:
                source = file.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue
            scanned += 1
            for number, line in enumerate(source.splitlines(), start=1):
                for label, pattern in SECRET_PATTERNS.items():
                    for match in pattern.finditer(line):
                        value = match.groups()[-1] if match.groups() else match.group(0)
                        if value in PLACEHOLDERS or value in (DEMO_PASSWORD, BENCH_PASSWORD):
                            continue
                        if NAME_LIKE.fullmatch(value):
                            continue  # a header, cookie or form-field name, not a secret
                        found.append(f"{file.relative_to(ROOT)}:{number}: {label}")
        assert scanned > 50
        assert found == []

    def test_demo_password_is_the_documented_one(self) -> None:
        from workmate.demo.generate import DEMO_PASSWORD as used

        assert used == DEMO_PASSWORD

    def test_no_setting_has_a_secret_default(self) -> None:
        risky = re.compile(r"(?i)secret|password|passwd|token|key")
        defaults = {
            name: field.get_default(call_default_factory=True)
            for name, field in Settings.model_fields.items()
            if risky.search(name)
        }
        assert {k: v for k, v in defaults.items() if v not in (None, "")} == {}


# ---- 15 ----


class TestEveryRuleRunsInCi(Lesson):
    """Lesson: "Two test files, neither run in CI." -> "Every rule above is a test, and CI runs
    all of them."

    Added: CI runs the whole suite through `./dev test` (pytest over testpaths = tests, no
    ignores), and no file under tests/ defines tests pytest would not collect.
    """

    def test_ci_runs_the_whole_suite(self) -> None:
        ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
        assert "./dev test" in ci
        assert "./dev lint" in ci
        dev = (ROOT / "dev").read_text(encoding="utf-8")
        test_command = dev.split("test)", 1)[1].split(";;", 1)[0]
        assert "pytest" in test_command
        assert "--ignore" not in test_command
        assert "-k " not in test_command
        config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
        options = config["tool"]["pytest"]["ini_options"]
        assert options["testpaths"] == ["tests"]
        assert "--ignore" not in options.get("addopts", "")
        assert "python_files" not in options
        conftest = (ROOT / "tests" / "conftest.py").read_text(encoding="utf-8")
        assert "collect_ignore" not in conftest

    def test_every_test_function_is_in_a_collected_file(self) -> None:
        def has_tests(file: Path) -> bool:
            tree = ast.parse(file.read_text(encoding="utf-8"))
            functions = (ast.FunctionDef, ast.AsyncFunctionDef)
            for node in tree.body:
                if isinstance(node, functions) and node.name.startswith("test_"):
                    return True
                if isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
                    return True
            return False

        stray = [
            str(file.relative_to(ROOT))
            for file in sorted((ROOT / "tests").rglob("*.py"))
            if not SKIPPED_DIRS & set(file.parts)
            and not file.name.startswith("test_")
            and has_tests(file)
        ]
        assert stray == []

"""Migrations build an empty database, tear it down and build it again, with no drift."""

from __future__ import annotations

import asyncio

import pytest
from alembic import command
from sqlalchemy import text

from tests.conftest import _recreate, worker_name
from workmate.db import make_engine
from workmate.migrate import alembic_config, downgrade, head_revision, upgrade

SPEC_TABLES = {
    "employees",
    "departments",
    "roles",
    "documents",
    "reminders",
    "dashboards",
    "customers",
    "contacts",
    "projects",
    "time_entries",
    "invoices",
    "payments",
    "expenses",
    "chat_messages",
}
SPEC_INDEXES = {
    "idx_employees_role_id",
    "idx_employees_department_id",
    "idx_contacts_customer_id",
    "idx_projects_customer_id",
    "idx_time_entries_employee_id",
    "idx_time_entries_project_id",
    "idx_invoices_customer_id",
    "idx_payments_invoice_id",
    "idx_documents_linked",
    "idx_invoices_status",
    "idx_projects_status",
    "idx_time_entries_start_time",
    "idx_invoices_due_date",
}


async def _names(url: str, sql: str) -> set[str]:
    engine = make_engine(url, pool_size=1)
    try:
        async with engine.connect() as conn:
            return {row[0] for row in await conn.execute(text(sql))}
    finally:
        await engine.dispose()


def tables(url: str) -> set[str]:
    return asyncio.run(_names(url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))


@pytest.fixture
def scratch_url(request: pytest.FixtureRequest, server_url: str) -> str:
    return _recreate(server_url, f"wm_test_{worker_name(request.config)}_migrations")


def test_upgrade_downgrade_upgrade_and_no_drift(scratch_url: str) -> None:
    upgrade(scratch_url)
    assert tables(scratch_url) >= SPEC_TABLES
    indexes = asyncio.run(_names(scratch_url, "SELECT indexname FROM pg_indexes"))
    assert indexes >= SPEC_INDEXES

    downgrade(scratch_url, "base")
    assert tables(scratch_url) == {"alembic_version"}

    upgrade(scratch_url)
    assert tables(scratch_url) >= SPEC_TABLES
    # `alembic check` raises if the models and the migrated database differ.
    command.check(alembic_config(scratch_url))
    version = asyncio.run(_names(scratch_url, "SELECT version_num FROM alembic_version"))
    assert version == {head_revision()}


def test_seed_rows_exist_once_after_repeated_seeding(scratch_url: str) -> None:
    from workmate.db import session_scope
    from workmate.employees.seed import ensure_seed

    upgrade(scratch_url)

    async def seed_twice() -> int:
        engine = make_engine(scratch_url, pool_size=1)
        try:
            added = 0
            for _ in range(2):
                async with session_scope(engine) as session:
                    added += await ensure_seed(session)
            return added
        finally:
            await engine.dispose()

    assert asyncio.run(seed_twice()) == 0
    roles = asyncio.run(_names(scratch_url, "SELECT name FROM roles"))
    assert roles == {"Admin", "Manager", "Employee"}
    counts = asyncio.run(
        _names(scratch_url, "SELECT count(*)::text FROM departments GROUP BY name")
    )
    assert counts == {"1"}

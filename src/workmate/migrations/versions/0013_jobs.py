"""Durable background jobs: procrastinate's schema, our job_failures, the `system` permission.

procrastinate's tables, types, functions and triggers are created from its own schema file for
the pinned version (3.10.0), kept verbatim beside the migrations
(migrations/procrastinate/schema-3.10.0.sql; a test compares it with the installed package).
A later procrastinate upgrade adds a migration that runs procrastinate's own migration files
between the two versions (procrastinate/sql/migrations/*.sql in its wheel), never by editing
this one.

Revision ID: 0013
Revises: 0009
"""

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PROCRASTINATE_VERSION = "3.10.0"
SCHEMA = (
    Path(__file__).resolve().parents[1] / "procrastinate" / f"schema-{PROCRASTINATE_VERSION}.sql"
)

DROP_PROCRASTINATE = """
DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT p.oid::regprocedure AS sig FROM pg_proc p
             JOIN pg_namespace n ON n.oid = p.pronamespace
             WHERE n.nspname = current_schema() AND p.proname LIKE 'procrastinate\\_%'
    LOOP
        EXECUTE 'DROP FUNCTION IF EXISTS ' || r.sig || ' CASCADE';
    END LOOP;
END $$;
DROP TABLE IF EXISTS procrastinate_events, procrastinate_periodic_defers, procrastinate_jobs,
    procrastinate_workers CASCADE;
DROP TYPE IF EXISTS procrastinate_job_to_defer_v1, procrastinate_job_event_type,
    procrastinate_job_status CASCADE;
"""


def run_script(sql: str) -> None:
    """Several statements in one go (asyncpg's simple query protocol, no parameters)."""
    from sqlalchemy.util import await_only

    driver: Any = op.get_bind().connection.driver_connection
    await_only(driver.execute(sql))


def upgrade() -> None:
    run_script(SCHEMA.read_text(encoding="utf-8"))
    op.create_table(
        "job_failures",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("job_id", sa.BigInteger(), nullable=True),
        sa.Column("task_name", sa.String(length=128), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("final", sa.Boolean(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("attempt >= 1", name=op.f("ck_job_failures_attempt_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_failures")),
    )
    op.create_index("ix_job_failures_job_id", "job_failures", ["job_id"])
    # The new `system` module (jobs page, backups, metrics): administrators only.
    op.execute(
        "UPDATE roles SET permissions = permissions || "
        """'{"system": ["read", "write"]}'::jsonb WHERE name = 'Admin'"""
    )


def downgrade() -> None:
    op.execute("UPDATE roles SET permissions = permissions - 'system'")
    op.drop_index("ix_job_failures_job_id", table_name="job_failures")
    op.drop_table("job_failures")
    run_script(DROP_PROCRASTINATE)

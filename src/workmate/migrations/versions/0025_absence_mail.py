"""working-time e-mails: a request or a handed-in month goes to whoever decides it, the
decision to the employee.

New message purpose `worktime`: absences and months (built-in texts, worktime/notices.py).

Revision ID: 0025
Revises: 0023
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0025"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MESSAGES = ("invoice", "quote", "dunning", "invitation", "other", "worktime")


def _check(table: str, values: Sequence[str]) -> None:
    name = f"ck_{table}_purpose"
    quoted = ", ".join(f"'{v}'" for v in values)
    op.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
    op.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} CHECK (purpose IN ({quoted}))")


def upgrade() -> None:
    _check("outbox_messages", MESSAGES)


def downgrade() -> None:
    op.execute("DELETE FROM outbox_messages WHERE purpose = 'worktime'")
    _check("outbox_messages", MESSAGES[:-1])

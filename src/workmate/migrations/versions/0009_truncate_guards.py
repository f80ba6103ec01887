"""TRUNCATE guards: issued invoices and their lines cannot be emptied in bulk either.

Row triggers (0001) do not fire on TRUNCATE, so `TRUNCATE invoices CASCADE` (or a cascade from
customers) would have removed issued invoices, which GoBD requires us to keep.

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GUARD = """
CREATE FUNCTION wm_invoice_truncate_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM invoices WHERE status <> 'draft') THEN
        RAISE EXCEPTION 'issued invoices exist and cannot be removed; cancel them with credit notes'
            USING ERRCODE = 'WM409';
    END IF;
    RETURN NULL;
END $$;
"""


def upgrade() -> None:
    op.execute(GUARD)
    for table in ("invoices", "invoice_lines"):
        op.execute(
            f"CREATE TRIGGER wm_truncate_guard BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION wm_invoice_truncate_guard()"
        )


def downgrade() -> None:
    op.execute("DROP FUNCTION wm_invoice_truncate_guard() CASCADE")

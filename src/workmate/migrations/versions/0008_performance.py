"""performance: indexes the benchmark's EXPLAIN (ANALYZE) plans asked for at scale M.

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The customer list's default order and its keyset cursor: (name, id) over the customers
    # that are not archived, so page 1,000 starts at the cursor instead of sorting 100k rows.
    op.create_index(
        "ix_customers_active_name_id",
        "customers",
        ["name", "id"],
        postgresql_where=sa.text("archived_at IS NULL"),
    )
    # Newest customers first (dashboard widget, list sorted by -created_at): a backward scan
    # that stops after the page instead of a sort over every customer.
    op.create_index(
        "ix_customers_active_created_at_id",
        "customers",
        ["created_at", "id"],
        postgresql_where=sa.text("archived_at IS NULL"),
    )
    # Open receivables: the open invoices with what the sum needs, read as an index-only scan
    # instead of visiting a quarter of the invoice table's pages.
    op.create_index(
        "ix_invoices_open",
        "invoices",
        ["id"],
        postgresql_include=["total", "status", "due_date"],
        postgresql_where=sa.text("kind = 'invoice' AND status IN ('sent', 'overdue')"),
    )
    # Paid sums per invoice (receivables, customer detail) without visiting the payments table.
    op.create_index(
        "ix_payments_invoice_id_amount",
        "payments",
        ["invoice_id"],
        postgresql_include=["amount"],
    )


def downgrade() -> None:
    op.drop_index("ix_payments_invoice_id_amount", table_name="payments")
    op.drop_index("ix_invoices_open", table_name="invoices")
    op.drop_index("ix_customers_active_created_at_id", table_name="customers")
    op.drop_index("ix_customers_active_name_id", table_name="customers")

"""A partial credit note's line names the invoice line it credits (credits_line_id), so all
partial credit notes together never credit a line beyond its quantity (checked under the
invoice's row lock), not only never beyond the invoice's total.

Revision ID: 0028
Revises: 0027
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0028"
down_revision: str | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "invoice_lines",
        sa.Column("credits_line_id", postgresql.UUID(as_uuid=True), nullable=True),
    )
    op.create_foreign_key(
        op.f("fk_invoice_lines_credits_line_id_invoice_lines"),
        "invoice_lines",
        "invoice_lines",
        ["credits_line_id"],
        ["id"],
        ondelete="RESTRICT",
    )
    op.create_index(
        "ix_invoice_lines_credits_line_id",
        "invoice_lines",
        ["credits_line_id"],
        postgresql_where=sa.text("credits_line_id IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_invoice_lines_credits_line_id", "invoice_lines")
    op.drop_constraint(
        op.f("fk_invoice_lines_credits_line_id_invoice_lines"), "invoice_lines", type_="foreignkey"
    )
    op.drop_column("invoice_lines", "credits_line_id")

"""recurring invoices: templates with lines, and one run row per template and period.

Revision ID: 0017c
Revises: 0017b
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017c"
down_revision: str | None = "0017b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "recurring_invoices",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("customer_id", sa.UUID(), nullable=False),
        sa.Column("project_id", sa.UUID(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("interval", sa.String(length=10), nullable=False),
        sa.Column("first_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("next_period_start", sa.Date(), nullable=False),
        sa.Column("mode", sa.String(length=20), server_default=sa.text("'draft'"), nullable=False),
        sa.Column(
            "status", sa.String(length=10), server_default=sa.text("'active'"), nullable=False
        ),
        sa.Column(
            "vat_treatment",
            sa.String(length=20),
            server_default=sa.text("'regular'"),
            nullable=False,
        ),
        sa.Column("payment_terms_days", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_by_id", sa.UUID(), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(
            "interval IN ('monthly', 'quarterly', 'yearly')",
            name=op.f("ck_recurring_invoices_interval"),
        ),
        sa.CheckConstraint(
            "mode IN ('draft', 'issue', 'issue_and_send')", name=op.f("ck_recurring_invoices_mode")
        ),
        sa.CheckConstraint(
            "status IN ('active', 'paused', 'ended')", name=op.f("ck_recurring_invoices_status")
        ),
        sa.CheckConstraint(
            "vat_treatment IN ('regular', 'reverse_charge', 'small_business')",
            name=op.f("ck_recurring_invoices_vat_treatment"),
        ),
        sa.CheckConstraint(
            "end_date IS NULL OR end_date >= first_date",
            name=op.f("ck_recurring_invoices_end_after_first"),
        ),
        sa.CheckConstraint(
            "next_period_start >= first_date", name=op.f("ck_recurring_invoices_next_after_first")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_recurring_invoices_customer_id_customers"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_recurring_invoices_project_id_projects"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["employees.id"],
            name=op.f("fk_recurring_invoices_created_by_id_employees"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recurring_invoices")),
    )
    op.create_index(
        "ix_recurring_invoices_due",
        "recurring_invoices",
        ["next_period_start"],
        postgresql_where=sa.text("status = 'active'"),
    )
    op.create_index("ix_recurring_invoices_customer_id", "recurring_invoices", ["customer_id"])
    op.create_table(
        "recurring_invoice_lines",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("template_id", sa.UUID(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("quantity", sa.Numeric(12, 3), nullable=False),
        sa.Column("unit", sa.String(length=10), server_default=sa.text("'C62'"), nullable=False),
        sa.Column("unit_price", sa.Numeric(12, 2), nullable=False),
        sa.Column("vat_rate", sa.Numeric(5, 2), nullable=False),
        sa.Column(
            "discount_percent", sa.Numeric(5, 2), server_default=sa.text("0"), nullable=False
        ),
        sa.CheckConstraint(
            "vat_rate IN (0, 7, 19)", name=op.f("ck_recurring_invoice_lines_vat_rate")
        ),
        sa.CheckConstraint(
            "discount_percent >= 0 AND discount_percent <= 100",
            name=op.f("ck_recurring_invoice_lines_discount"),
        ),
        sa.CheckConstraint("quantity <> 0", name=op.f("ck_recurring_invoice_lines_quantity")),
        sa.CheckConstraint("unit_price >= 0", name=op.f("ck_recurring_invoice_lines_unit_price")),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["recurring_invoices.id"],
            name=op.f("fk_recurring_invoice_lines_template_id_recurring_invoices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recurring_invoice_lines")),
    )
    op.create_index(
        op.f("ix_recurring_invoice_lines_template_id"), "recurring_invoice_lines", ["template_id"]
    )
    op.create_table(
        "recurring_runs",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("template_id", sa.UUID(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("invoice_id", sa.UUID(), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint("period_end >= period_start", name=op.f("ck_recurring_runs_period")),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["recurring_invoices.id"],
            name=op.f("fk_recurring_runs_template_id_recurring_invoices"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["invoices.id"],
            name=op.f("fk_recurring_runs_invoice_id_invoices"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recurring_runs")),
        sa.UniqueConstraint(
            "template_id", "period_start", name=op.f("uq_recurring_runs_template_id_period_start")
        ),
        sa.UniqueConstraint("invoice_id", name=op.f("uq_recurring_runs_invoice_id")),
    )
    op.execute(
        "CREATE TRIGGER wm_touch BEFORE UPDATE ON recurring_invoices "
        "FOR EACH ROW EXECUTE FUNCTION wm_touch()"
    )


def downgrade() -> None:
    op.drop_table("recurring_runs")
    op.drop_table("recurring_invoice_lines")
    op.drop_table("recurring_invoices")

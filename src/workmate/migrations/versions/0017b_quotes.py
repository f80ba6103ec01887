"""quotes: quotes and their lines (own gapless number series), invoices that bill a quote
(down-payment and final invoices, the down payments deducted as prepaid amount).

Revision ID: 0017b
Revises: 0017
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017b"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A quote's lines are fixed once it left draft: what the customer accepted is what is billed.
QUOTE_LINE_GUARD = """
CREATE FUNCTION wm_quote_line_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    frozen text;
BEGIN
    SELECT number INTO frozen FROM quotes
     WHERE id = COALESCE(NEW.quote_id, OLD.quote_id) AND status <> 'draft';
    IF FOUND THEN
        RAISE EXCEPTION 'quote % is issued and its lines cannot change', frozen
            USING ERRCODE = 'WM409';
    END IF;
    RETURN COALESCE(NEW, OLD);
END $$;
"""


def upgrade() -> None:
    op.create_table(
        "quotes",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=True),
        sa.Column("customer_id", sa.UUID(), nullable=False),
        sa.Column("project_id", sa.UUID(), nullable=True),
        sa.Column(
            "status", sa.String(length=20), server_default=sa.text("'draft'"), nullable=False
        ),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("issued_date", sa.Date(), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column(
            "vat_treatment",
            sa.String(length=20),
            server_default=sa.text("'regular'"),
            nullable=False,
        ),
        sa.Column("currency", sa.String(length=3), server_default=sa.text("'EUR'"), nullable=False),
        sa.Column("net_total", sa.Numeric(12, 2), server_default=sa.text("0"), nullable=False),
        sa.Column("tax_total", sa.Numeric(12, 2), server_default=sa.text("0"), nullable=False),
        sa.Column("total", sa.Numeric(12, 2), server_default=sa.text("0"), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("pdf_path", sa.Text(), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(
            "status IN ('draft', 'sent', 'accepted', 'declined', 'expired')",
            name=op.f("ck_quotes_status"),
        ),
        sa.CheckConstraint(
            "vat_treatment IN ('regular', 'reverse_charge', 'small_business')",
            name=op.f("ck_quotes_vat_treatment"),
        ),
        sa.CheckConstraint(
            "status = 'draft' OR number IS NOT NULL", name=op.f("ck_quotes_issued_has_number")
        ),
        sa.CheckConstraint(
            "status = 'draft' OR issued_date IS NOT NULL", name=op.f("ck_quotes_issued_has_date")
        ),
        sa.CheckConstraint(
            "valid_until IS NULL OR issued_date IS NULL OR valid_until >= issued_date",
            name=op.f("ck_quotes_valid_after_issue"),
        ),
        sa.CheckConstraint(
            "(status IN ('accepted', 'declined')) = (decided_at IS NOT NULL)",
            name=op.f("ck_quotes_decided"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_quotes_customer_id_customers"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_quotes_project_id_projects"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quotes")),
        sa.UniqueConstraint("number", name=op.f("uq_quotes_number")),
    )
    op.create_index("ix_quotes_customer_id", "quotes", ["customer_id"])
    op.create_index("ix_quotes_status_valid_until", "quotes", ["status", "valid_until"])
    op.create_table(
        "quote_lines",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("quote_id", sa.UUID(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("quantity", sa.Numeric(12, 3), nullable=False),
        sa.Column("unit", sa.String(length=10), server_default=sa.text("'C62'"), nullable=False),
        sa.Column("unit_price", sa.Numeric(12, 2), nullable=False),
        sa.Column("vat_rate", sa.Numeric(5, 2), nullable=False),
        sa.Column(
            "discount_percent", sa.Numeric(5, 2), server_default=sa.text("0"), nullable=False
        ),
        sa.Column("net_amount", sa.Numeric(12, 2), nullable=False),
        sa.CheckConstraint("vat_rate IN (0, 7, 19)", name=op.f("ck_quote_lines_vat_rate")),
        sa.CheckConstraint(
            "discount_percent >= 0 AND discount_percent <= 100",
            name=op.f("ck_quote_lines_discount"),
        ),
        sa.CheckConstraint("quantity <> 0", name=op.f("ck_quote_lines_quantity")),
        sa.ForeignKeyConstraint(
            ["quote_id"],
            ["quotes.id"],
            name=op.f("fk_quote_lines_quote_id_quotes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quote_lines")),
    )
    op.create_index(op.f("ix_quote_lines_quote_id"), "quote_lines", ["quote_id"])
    op.add_column("invoices", sa.Column("quote_id", sa.UUID(), nullable=True))
    op.add_column(
        "invoices",
        sa.Column(
            "billing", sa.String(length=20), server_default=sa.text("'standard'"), nullable=False
        ),
    )
    op.add_column(
        "invoices",
        sa.Column("prepaid_total", sa.Numeric(12, 2), server_default=sa.text("0"), nullable=False),
    )
    op.create_foreign_key(
        op.f("fk_invoices_quote_id_quotes"),
        "invoices",
        "quotes",
        ["quote_id"],
        ["id"],
        ondelete="RESTRICT",
    )
    op.create_index("ix_invoices_quote_id", "invoices", ["quote_id"])
    op.create_check_constraint(
        op.f("ck_invoices_billing"), "invoices", "billing IN ('standard', 'down_payment', 'final')"
    )
    op.create_check_constraint(
        op.f("ck_invoices_prepaid"),
        "invoices",
        "prepaid_total >= 0 AND (billing = 'final' OR prepaid_total = 0)",
    )
    op.create_check_constraint(
        op.f("ck_invoices_billing_quote"),
        "invoices",
        "billing = 'standard' OR quote_id IS NOT NULL",
    )
    op.execute(QUOTE_LINE_GUARD)
    op.execute(
        "CREATE TRIGGER wm_quote_line_guard BEFORE INSERT OR UPDATE OR DELETE ON quote_lines "
        "FOR EACH ROW EXECUTE FUNCTION wm_quote_line_guard()"
    )
    op.execute(
        "CREATE TRIGGER wm_touch BEFORE UPDATE ON quotes FOR EACH ROW EXECUTE FUNCTION wm_touch()"
    )


def downgrade() -> None:
    for name in ("ck_invoices_billing_quote", "ck_invoices_prepaid", "ck_invoices_billing"):
        op.drop_constraint(op.f(name), "invoices", type_="check")
    op.drop_index("ix_invoices_quote_id", table_name="invoices")
    op.drop_constraint(op.f("fk_invoices_quote_id_quotes"), "invoices", type_="foreignkey")
    for column in ("prepaid_total", "billing", "quote_id"):
        op.drop_column("invoices", column)
    op.drop_table("quote_lines")
    op.drop_table("quotes")
    op.execute("DROP FUNCTION IF EXISTS wm_quote_line_guard() CASCADE")

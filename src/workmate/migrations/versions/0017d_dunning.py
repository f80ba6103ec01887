"""dunning letters: letters with their claims (flat fee once per invoice), stop flags per
customer and invoice, and the base rate (Basiszinssatz) by the date it applies from.

Revision ID: 0017d
Revises: 0017c
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017d"
down_revision: str | None = "0017c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Deutsche Bundesbank, § 247 BGB; later rates are added in the settings.
BASE_RATES = (
    ("2023-01-01", "1.62"),
    ("2023-07-01", "3.12"),
    ("2024-01-01", "3.62"),
    ("2024-07-01", "3.37"),
    ("2025-01-01", "2.27"),
    ("2025-07-01", "1.27"),
)


def upgrade() -> None:
    op.create_table(
        "base_rates",
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("rate", sa.Numeric(5, 2), nullable=False),
        sa.CheckConstraint("rate BETWEEN -10 AND 20", name=op.f("ck_base_rates_rate")),
        sa.PrimaryKeyConstraint("valid_from", name=op.f("pk_base_rates")),
    )
    for day, rate in BASE_RATES:
        op.execute(
            f"INSERT INTO base_rates (valid_from, rate) VALUES ('{day}', {rate}) "
            "ON CONFLICT DO NOTHING"
        )
    op.create_table(
        "dunning_blocks",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("customer_id", sa.UUID(), nullable=True),
        sa.Column("invoice_id", sa.UUID(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(
            "num_nonnulls(customer_id, invoice_id) = 1", name=op.f("ck_dunning_blocks_one_target")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_dunning_blocks_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["invoices.id"],
            name=op.f("fk_dunning_blocks_invoice_id_invoices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dunning_blocks")),
        sa.UniqueConstraint("customer_id", name=op.f("uq_dunning_blocks_customer_id")),
        sa.UniqueConstraint("invoice_id", name=op.f("uq_dunning_blocks_invoice_id")),
    )
    op.create_table(
        "dunning_letters",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("invoice_id", sa.UUID(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("letter_date", sa.Date(), nullable=False),
        sa.Column("open_amount", sa.Numeric(12, 2), nullable=False),
        sa.Column("flat_fee", sa.Numeric(12, 2), server_default=sa.text("0"), nullable=False),
        sa.Column("level_fee", sa.Numeric(12, 2), server_default=sa.text("0"), nullable=False),
        sa.Column("interest_rate", sa.Numeric(5, 2), nullable=False),
        sa.Column("interest_days", sa.Integer(), nullable=False),
        sa.Column("interest", sa.Numeric(12, 2), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("pdf_path", sa.Text(), nullable=True),
        sa.Column("message_id", sa.UUID(), nullable=True),
        sa.Column("created_by_id", sa.UUID(), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint("level BETWEEN 1 AND 3", name=op.f("ck_dunning_letters_level")),
        sa.CheckConstraint(
            "channel IN ('email', 'print')", name=op.f("ck_dunning_letters_channel")
        ),
        sa.CheckConstraint("flat_fee IN (0, 40)", name=op.f("ck_dunning_letters_flat_fee")),
        sa.CheckConstraint(
            "open_amount > 0 AND level_fee >= 0 AND interest >= 0 AND interest_days >= 0",
            name=op.f("ck_dunning_letters_amounts"),
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["invoices.id"],
            name=op.f("fk_dunning_letters_invoice_id_invoices"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["outbox_messages.id"],
            name=op.f("fk_dunning_letters_message_id_outbox_messages"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["employees.id"],
            name=op.f("fk_dunning_letters_created_by_id_employees"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dunning_letters")),
        sa.UniqueConstraint(
            "invoice_id", "level", name=op.f("uq_dunning_letters_invoice_id_level")
        ),
    )
    op.create_index(
        "uq_dunning_letters_one_flat_fee",
        "dunning_letters",
        ["invoice_id"],
        unique=True,
        postgresql_where=sa.text("flat_fee > 0"),
    )


def downgrade() -> None:
    op.drop_table("dunning_letters")
    op.drop_table("dunning_blocks")
    op.drop_table("base_rates")

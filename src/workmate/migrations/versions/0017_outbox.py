"""outbox: e-mail messages and their attachments (delivered by the `mail.send` job), the
company's mail templates, invoice dispatches (sent = accepted by the mail server or sent by
post), and the customer's wish for the e-invoice XML as a file of its own.

Revision ID: 0017
Revises: 0014
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0017"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMPED = ("outbox_messages", "mail_templates")


def _timestamps() -> list[sa.Column[object]]:
    return [
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
    ]


def upgrade() -> None:
    op.add_column(
        "customers",
        sa.Column("send_xml", sa.Boolean(), server_default=sa.text("false"), nullable=False),
    )
    op.create_table(
        "outbox_messages",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("related_type", sa.String(length=20), nullable=True),
        sa.Column("related_id", sa.UUID(), nullable=True),
        sa.Column("to_addresses", postgresql.ARRAY(sa.String(length=254)), nullable=False),
        sa.Column(
            "cc_addresses",
            postgresql.ARRAY(sa.String(length=254)),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=2), server_default=sa.text("'de'"), nullable=False),
        sa.Column(
            "state", sa.String(length=10), server_default=sa.text("'queued'"), nullable=False
        ),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("smtp_message_id", sa.String(length=250), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.UUID(), nullable=True),
        *_timestamps(),
        sa.CheckConstraint(
            "state IN ('queued', 'sent', 'failed', 'cancelled')",
            name=op.f("ck_outbox_messages_state"),
        ),
        sa.CheckConstraint(
            "purpose IN ('invoice', 'quote', 'dunning', 'other')",
            name=op.f("ck_outbox_messages_purpose"),
        ),
        sa.CheckConstraint("language IN ('de', 'en')", name=op.f("ck_outbox_messages_language")),
        sa.CheckConstraint(
            "cardinality(to_addresses) BETWEEN 1 AND 20",
            name=op.f("ck_outbox_messages_recipients"),
        ),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_outbox_messages_attempts")),
        sa.CheckConstraint(
            "(state = 'sent') = (sent_at IS NOT NULL)", name=op.f("ck_outbox_messages_sent_at")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["employees.id"],
            name=op.f("fk_outbox_messages_created_by_id_employees"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_messages")),
        sa.UniqueConstraint("smtp_message_id", name=op.f("uq_outbox_messages_smtp_message_id")),
    )
    op.create_index(
        "uq_outbox_messages_one_queued",
        "outbox_messages",
        ["related_type", "related_id", "purpose"],
        unique=True,
        postgresql_where=sa.text("state = 'queued' AND related_id IS NOT NULL"),
    )
    op.create_index("ix_outbox_messages_related", "outbox_messages", ["related_type", "related_id"])
    op.create_index(
        "ix_outbox_messages_state_created_at", "outbox_messages", ["state", "created_at"]
    )
    op.create_table(
        "outbox_attachments",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("message_id", sa.UUID(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("storage_key", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["outbox_messages.id"],
            name=op.f("fk_outbox_attachments_message_id_outbox_messages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_attachments")),
        sa.UniqueConstraint(
            "message_id", "position", name=op.f("uq_outbox_attachments_message_id_position")
        ),
    )
    op.create_index(op.f("ix_outbox_attachments_message_id"), "outbox_attachments", ["message_id"])
    op.create_table(
        "invoice_dispatches",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("invoice_id", sa.UUID(), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("message_id", sa.UUID(), nullable=True),
        sa.Column(
            "dispatched_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.Column("created_by_id", sa.UUID(), nullable=True),
        sa.CheckConstraint(
            "channel IN ('email', 'post')", name=op.f("ck_invoice_dispatches_channel")
        ),
        sa.CheckConstraint(
            "(channel = 'email') = (message_id IS NOT NULL)",
            name=op.f("ck_invoice_dispatches_email_message"),
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["invoices.id"],
            name=op.f("fk_invoice_dispatches_invoice_id_invoices"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["outbox_messages.id"],
            name=op.f("fk_invoice_dispatches_message_id_outbox_messages"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["employees.id"],
            name=op.f("fk_invoice_dispatches_created_by_id_employees"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice_dispatches")),
        sa.UniqueConstraint("message_id", name=op.f("uq_invoice_dispatches_message_id")),
    )
    op.create_index(op.f("ix_invoice_dispatches_invoice_id"), "invoice_dispatches", ["invoice_id"])
    op.create_table(
        "mail_templates",
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        *_timestamps(),
        sa.CheckConstraint(
            "purpose IN ('invoice', 'quote', 'dunning')", name=op.f("ck_mail_templates_purpose")
        ),
        sa.CheckConstraint("language IN ('de', 'en')", name=op.f("ck_mail_templates_language")),
        sa.PrimaryKeyConstraint("purpose", "language", name=op.f("pk_mail_templates")),
    )
    for table in TIMESTAMPED:
        op.execute(
            f"CREATE TRIGGER wm_touch BEFORE UPDATE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION wm_touch()"
        )


def downgrade() -> None:
    op.drop_table("mail_templates")
    op.drop_table("invoice_dispatches")
    op.drop_table("outbox_attachments")
    op.drop_table("outbox_messages")
    op.drop_column("customers", "send_xml")

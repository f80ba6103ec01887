"""banking: bank accounts, statement files, statements, transactions, their matches to
invoices, customers' known IBANs; the rules that keep matches within a transaction's amount
and derive its state; permissions of the new module `banking`.

Revision ID: 0015
Revises: 0016
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0015"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# The seed roles' grants (auth/permissions.SEED_ROLES says the same for new databases).
GRANTS = {"Admin": ["read", "write", "delete"], "Manager": ["read", "write"]}

# A match books a share of one transaction on one invoice (payment) or credit note (refund):
# the shares never exceed the transaction, money in pays invoices, money out refunds credit
# notes, a payment share is exactly its payment, and an ignored transaction takes none.
MATCH_GUARD = """
CREATE FUNCTION wm_bank_match_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    tx bank_transactions%ROWTYPE;
    inv invoices%ROWTYPE;
    booked numeric;
BEGIN
    SELECT * INTO tx FROM bank_transactions WHERE id = NEW.transaction_id FOR UPDATE;
    SELECT * INTO inv FROM invoices WHERE id = NEW.invoice_id;
    IF tx.state = 'ignored' THEN
        RAISE EXCEPTION 'the bank transaction is marked as ignored; take it back first'
            USING ERRCODE = 'WM409';
    END IF;
    IF NEW.kind = 'payment' AND (tx.amount < 0 OR inv.kind <> 'invoice') THEN
        RAISE EXCEPTION 'only money received can pay an invoice' USING ERRCODE = 'WM409';
    END IF;
    IF NEW.kind = 'refund' AND (tx.amount > 0 OR inv.kind <> 'credit_note') THEN
        RAISE EXCEPTION 'only money paid out can refund a credit note' USING ERRCODE = 'WM409';
    END IF;
    IF NEW.kind = 'payment' AND NOT EXISTS (
        SELECT 1 FROM payments p
         WHERE p.id = NEW.payment_id AND p.invoice_id = NEW.invoice_id AND p.amount = NEW.amount
    ) THEN
        RAISE EXCEPTION 'a matched share must be exactly its payment' USING ERRCODE = 'WM409';
    END IF;
    SELECT COALESCE(sum(amount), 0) INTO booked FROM bank_matches
     WHERE transaction_id = NEW.transaction_id AND id <> NEW.id;
    IF booked + NEW.amount > abs(tx.amount) THEN
        RAISE EXCEPTION 'the matches exceed the transaction amount of % %', abs(tx.amount),
            tx.currency USING ERRCODE = 'WM409';
    END IF;
    IF NEW.kind = 'refund' THEN
        SELECT COALESCE(sum(amount), 0) INTO booked FROM bank_matches
         WHERE invoice_id = NEW.invoice_id AND id <> NEW.id;
        IF booked + NEW.amount > inv.total THEN
            RAISE EXCEPTION 'refunds exceed the credit note total of % EUR', inv.total
                USING ERRCODE = 'WM409';
        END IF;
    END IF;
    RETURN NEW;
END $$;
"""

# The transaction's state follows its matches: matched while any exists, back in the review
# queue when the last one goes (an undo, or the payment deleted through the payments API).
MATCH_STATE = """
CREATE FUNCTION wm_bank_match_state() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    target uuid := CASE WHEN TG_OP = 'DELETE' THEN OLD.transaction_id ELSE NEW.transaction_id END;
BEGIN
    IF EXISTS (SELECT 1 FROM bank_matches WHERE transaction_id = target) THEN
        UPDATE bank_transactions SET state = 'matched', matched_at = COALESCE(matched_at, now())
         WHERE id = target AND state <> 'matched';
    ELSE
        UPDATE bank_transactions SET state = 'review', matched_at = NULL
         WHERE id = target AND state = 'matched';
    END IF;
    RETURN NULL;
END $$;
"""

# What the bank said is kept as it said it; only the matching columns change. `matched` is
# the matches' word alone.
TRANSACTION_GUARD = """
CREATE FUNCTION wm_bank_transaction_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    mutable text[] := ARRAY['state', 'proposals', 'matched_at', 'updated_at'];
    has_matches boolean;
BEGIN
    IF (to_jsonb(NEW) - mutable) IS DISTINCT FROM (to_jsonb(OLD) - mutable) THEN
        RAISE EXCEPTION 'a bank transaction is kept as the bank reported it'
            USING ERRCODE = 'WM409';
    END IF;
    has_matches := EXISTS (SELECT 1 FROM bank_matches WHERE transaction_id = NEW.id);
    IF (NEW.state = 'matched') <> has_matches THEN
        RAISE EXCEPTION 'a bank transaction is matched exactly while it has matches'
            USING ERRCODE = 'WM409';
    END IF;
    RETURN NEW;
END $$;
"""

TRIGGERS = (
    "CREATE TRIGGER wm_bank_match_guard BEFORE INSERT OR UPDATE ON bank_matches "
    "FOR EACH ROW EXECUTE FUNCTION wm_bank_match_guard()",
    "CREATE TRIGGER wm_bank_match_state AFTER INSERT OR UPDATE OR DELETE ON bank_matches "
    "FOR EACH ROW EXECUTE FUNCTION wm_bank_match_state()",
    "CREATE TRIGGER wm_bank_transaction_guard BEFORE UPDATE ON bank_transactions "
    "FOR EACH ROW EXECUTE FUNCTION wm_bank_transaction_guard()",
    *(
        f"CREATE TRIGGER wm_touch BEFORE UPDATE ON {table} FOR EACH ROW EXECUTE FUNCTION wm_touch()"
        for table in ("bank_accounts", "bank_transactions", "customer_ibans")
    ),
)
FUNCTIONS = ("wm_bank_match_guard()", "wm_bank_match_state()", "wm_bank_transaction_guard()")


def upgrade() -> None:
    op.create_table(
        "bank_accounts",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("iban", sa.String(length=34), nullable=False),
        sa.Column("bic", sa.String(length=11), nullable=True),
        sa.Column("bank_name", sa.String(length=100), nullable=True),
        sa.Column("currency", sa.String(length=3), server_default=sa.text("'EUR'"), nullable=False),
        sa.Column("csv_mapping", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "bic IS NULL OR bic ~ '^[A-Z0-9]{8}([A-Z0-9]{3})?$'",
            name=op.f("ck_bank_accounts_bic_shape"),
        ),
        sa.CheckConstraint("currency ~ '^[A-Z]{3}$'", name=op.f("ck_bank_accounts_currency")),
        sa.CheckConstraint(
            "iban ~ '^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$'", name=op.f("ck_bank_accounts_iban_shape")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_accounts")),
        sa.UniqueConstraint("iban", name=op.f("uq_bank_accounts_iban")),
    )
    op.create_table(
        "bank_files",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("account_id", sa.UUID(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("storage_key", sa.Text(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("format", sa.String(length=10), nullable=False),
        sa.Column("imported_by", sa.UUID(), nullable=True),
        sa.Column("statements", sa.Integer(), nullable=False),
        sa.Column("transactions_added", sa.Integer(), nullable=False),
        sa.Column("transactions_skipped", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "format IN ('camt053', 'mt940', 'csv', 'zip')", name=op.f("ck_bank_files_format")
        ),
        sa.CheckConstraint("sha256 ~ '^[0-9a-f]{64}$'", name=op.f("ck_bank_files_sha256")),
        sa.CheckConstraint("size_bytes > 0", name=op.f("ck_bank_files_size_positive")),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["bank_accounts.id"],
            name=op.f("fk_bank_files_account_id_bank_accounts"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["imported_by"],
            ["employees.id"],
            name=op.f("fk_bank_files_imported_by_employees"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_files")),
    )
    op.create_index(
        "uq_bank_files_account_sha256", "bank_files", ["account_id", "sha256"], unique=True
    )
    op.create_index(op.f("ix_bank_files_storage_key"), "bank_files", ["storage_key"], unique=False)
    op.create_table(
        "customer_ibans",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("customer_id", sa.UUID(), nullable=False),
        sa.Column("iban", sa.String(length=34), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("created_by", sa.UUID(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "iban ~ '^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$'", name=op.f("ck_customer_ibans_iban_shape")
        ),
        sa.CheckConstraint(
            "source IN ('learned', 'manual')", name=op.f("ck_customer_ibans_source")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["employees.id"],
            name=op.f("fk_customer_ibans_created_by_employees"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_ibans_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_ibans")),
    )
    op.create_index("ix_customer_ibans_iban", "customer_ibans", ["iban"], unique=False)
    op.create_index(
        "uq_customer_ibans_customer_iban", "customer_ibans", ["customer_id", "iban"], unique=True
    )
    op.create_table(
        "bank_statements",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("account_id", sa.UUID(), nullable=False),
        sa.Column("file_id", sa.UUID(), nullable=False),
        sa.Column("format", sa.String(length=10), nullable=False),
        sa.Column("external_id", sa.String(length=140), nullable=True),
        sa.Column("sequence", sa.String(length=40), nullable=True),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("opening_balance", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("closing_balance", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("entries_sum", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("entry_count", sa.Integer(), nullable=False),
        sa.Column(
            "balance_difference",
            sa.Numeric(precision=14, scale=2),
            sa.Computed("closing_balance - (opening_balance + entries_sum)", persisted=True),
            nullable=True,
        ),
        sa.Column("transactions_added", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "transactions_skipped", sa.Integer(), server_default=sa.text("0"), nullable=False
        ),
        sa.Column(
            "notes",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "fingerprint ~ '^[0-9a-f]{64}$'", name=op.f("ck_bank_statements_fingerprint")
        ),
        sa.CheckConstraint(
            "format IN ('camt053', 'mt940', 'csv')", name=op.f("ck_bank_statements_format")
        ),
        sa.CheckConstraint("entry_count >= 0", name=op.f("ck_bank_statements_entry_count")),
        sa.CheckConstraint("period_end >= period_start", name=op.f("ck_bank_statements_period")),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["bank_accounts.id"],
            name=op.f("fk_bank_statements_account_id_bank_accounts"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["file_id"],
            ["bank_files.id"],
            name=op.f("fk_bank_statements_file_id_bank_files"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_statements")),
    )
    op.create_index(
        "ix_bank_statements_account_period",
        "bank_statements",
        ["account_id", "period_start", "period_end"],
        unique=False,
    )
    op.create_index(
        op.f("ix_bank_statements_file_id"), "bank_statements", ["file_id"], unique=False
    )
    op.create_index(
        "uq_bank_statements_account_fingerprint",
        "bank_statements",
        ["account_id", "fingerprint"],
        unique=True,
    )
    op.create_table(
        "bank_transactions",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("account_id", sa.UUID(), nullable=False),
        sa.Column("statement_id", sa.UUID(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("booking_date", sa.Date(), nullable=False),
        sa.Column("value_date", sa.Date(), nullable=True),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("counterparty_name", sa.String(length=200), nullable=True),
        sa.Column("counterparty_iban", sa.String(length=34), nullable=True),
        sa.Column("counterparty_bic", sa.String(length=11), nullable=True),
        sa.Column("purpose", sa.Text(), nullable=True),
        sa.Column("booking_text", sa.String(length=200), nullable=True),
        sa.Column("booking_code", sa.String(length=40), nullable=True),
        sa.Column("bank_reference", sa.String(length=140), nullable=True),
        sa.Column("end_to_end_id", sa.String(length=140), nullable=True),
        sa.Column("mandate_id", sa.String(length=140), nullable=True),
        sa.Column("creditor_id", sa.String(length=140), nullable=True),
        sa.Column("state", sa.String(length=10), server_default=sa.text("'open'"), nullable=False),
        sa.Column(
            "proposals",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column("matched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("currency ~ '^[A-Z]{3}$'", name=op.f("ck_bank_transactions_currency")),
        sa.CheckConstraint(
            "state IN ('open', 'review', 'matched', 'ignored')",
            name=op.f("ck_bank_transactions_state"),
        ),
        sa.CheckConstraint("amount <> 0", name=op.f("ck_bank_transactions_amount_nonzero")),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["bank_accounts.id"],
            name=op.f("fk_bank_transactions_account_id_bank_accounts"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["bank_statements.id"],
            name=op.f("fk_bank_transactions_statement_id_bank_statements"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_transactions")),
    )
    op.create_index(
        "ix_bank_transactions_account_date",
        "bank_transactions",
        ["account_id", "booking_date"],
        unique=False,
    )
    op.create_index(
        "ix_bank_transactions_counterparty_iban",
        "bank_transactions",
        ["counterparty_iban"],
        unique=False,
    )
    op.create_index(
        "ix_bank_transactions_queue",
        "bank_transactions",
        ["booking_date"],
        unique=False,
        postgresql_where=sa.text("state IN ('open', 'review')"),
    )
    op.create_index(
        "ix_bank_transactions_statement_id", "bank_transactions", ["statement_id"], unique=False
    )
    op.create_index(
        "uq_bank_transactions_account_key", "bank_transactions", ["account_id", "key"], unique=True
    )
    op.create_table(
        "bank_matches",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("transaction_id", sa.UUID(), nullable=False),
        sa.Column("invoice_id", sa.UUID(), nullable=False),
        sa.Column("payment_id", sa.UUID(), nullable=True),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("auto", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("created_by", sa.UUID(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "(kind = 'payment') = (payment_id IS NOT NULL)",
            name=op.f("ck_bank_matches_payment_link"),
        ),
        sa.CheckConstraint("kind IN ('payment', 'refund')", name=op.f("ck_bank_matches_kind")),
        sa.CheckConstraint("amount > 0", name=op.f("ck_bank_matches_amount_positive")),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["employees.id"],
            name=op.f("fk_bank_matches_created_by_employees"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["invoices.id"],
            name=op.f("fk_bank_matches_invoice_id_invoices"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["payments.id"],
            name=op.f("fk_bank_matches_payment_id_payments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["transaction_id"],
            ["bank_transactions.id"],
            name=op.f("fk_bank_matches_transaction_id_bank_transactions"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_matches")),
        sa.UniqueConstraint("payment_id", name=op.f("uq_bank_matches_payment_id")),
    )
    op.create_index("ix_bank_matches_invoice_id", "bank_matches", ["invoice_id"], unique=False)
    op.create_index(
        "uq_bank_matches_transaction_invoice",
        "bank_matches",
        ["transaction_id", "invoice_id"],
        unique=True,
    )
    for ddl in (MATCH_GUARD, MATCH_STATE, TRANSACTION_GUARD, *TRIGGERS):
        op.execute(ddl)
    for role, actions in GRANTS.items():
        op.execute(
            sa.text(
                "UPDATE roles SET permissions = permissions || jsonb_build_object('banking', "
                "CAST(:actions AS jsonb)) WHERE name = :role AND NOT permissions ? 'banking'"
            ).bindparams(role=role, actions=json.dumps(actions))
        )


def downgrade() -> None:
    op.execute("UPDATE roles SET permissions = permissions - 'banking'")
    for function in FUNCTIONS:
        op.execute(f"DROP FUNCTION {function} CASCADE")
    op.drop_index("uq_bank_matches_transaction_invoice", table_name="bank_matches")
    op.drop_index("ix_bank_matches_invoice_id", table_name="bank_matches")
    op.drop_table("bank_matches")
    op.drop_index("uq_bank_transactions_account_key", table_name="bank_transactions")
    op.drop_index("ix_bank_transactions_statement_id", table_name="bank_transactions")
    op.drop_index(
        "ix_bank_transactions_queue",
        table_name="bank_transactions",
        postgresql_where=sa.text("state IN ('open', 'review')"),
    )
    op.drop_index("ix_bank_transactions_counterparty_iban", table_name="bank_transactions")
    op.drop_index("ix_bank_transactions_account_date", table_name="bank_transactions")
    op.drop_table("bank_transactions")
    op.drop_index("uq_bank_statements_account_fingerprint", table_name="bank_statements")
    op.drop_index(op.f("ix_bank_statements_file_id"), table_name="bank_statements")
    op.drop_index("ix_bank_statements_account_period", table_name="bank_statements")
    op.drop_table("bank_statements")
    op.drop_index("uq_customer_ibans_customer_iban", table_name="customer_ibans")
    op.drop_index("ix_customer_ibans_iban", table_name="customer_ibans")
    op.drop_table("customer_ibans")
    op.drop_index(op.f("ix_bank_files_storage_key"), table_name="bank_files")
    op.drop_index("uq_bank_files_account_sha256", table_name="bank_files")
    op.drop_table("bank_files")
    op.drop_table("bank_accounts")

"""banking: outgoing debits matched to supplier bills. A match now books a share either on an
invoice or credit note (as before) or on a supplier bill, as a supplier payment
(kind `bill`); the guard keeps money out on bills and each share exactly its payment.

Revision ID: 0027
Revises: 0026
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Exactly one target: an invoice (payment, refund) or a supplier bill with its payment.
TARGET = (
    "CASE WHEN kind = 'bill' "
    "THEN invoice_id IS NULL AND bill_id IS NOT NULL AND supplier_payment_id IS NOT NULL "
    "ELSE invoice_id IS NOT NULL AND bill_id IS NULL AND supplier_payment_id IS NULL END"
)

# As 0015, and: a bill share is money out on a supplier bill (not a supplier's credit note),
# exactly its supplier payment.
MATCH_GUARD = """
CREATE OR REPLACE FUNCTION wm_bank_match_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    tx bank_transactions%ROWTYPE;
    inv invoices%ROWTYPE;
    booked numeric;
BEGIN
    SELECT * INTO tx FROM bank_transactions WHERE id = NEW.transaction_id FOR UPDATE;
    IF tx.state = 'ignored' THEN
        RAISE EXCEPTION 'the bank transaction is marked as ignored; take it back first'
            USING ERRCODE = 'WM409';
    END IF;
    IF NEW.kind = 'bill' THEN
        IF tx.amount > 0 OR NOT EXISTS (
            SELECT 1 FROM supplier_bills b WHERE b.id = NEW.bill_id AND b.kind = 'invoice'
        ) THEN
            RAISE EXCEPTION 'only money paid out can pay a supplier bill' USING ERRCODE = 'WM409';
        END IF;
        IF NOT EXISTS (
            SELECT 1 FROM supplier_payments p
             WHERE p.id = NEW.supplier_payment_id AND p.bill_id = NEW.bill_id
               AND p.amount = NEW.amount
        ) THEN
            RAISE EXCEPTION 'a matched share must be exactly its payment' USING ERRCODE = 'WM409';
        END IF;
    ELSE
        SELECT * INTO inv FROM invoices WHERE id = NEW.invoice_id;
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

OLD_GUARD = """
CREATE OR REPLACE FUNCTION wm_bank_match_guard() RETURNS trigger LANGUAGE plpgsql AS $$
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


def upgrade() -> None:
    op.alter_column("bank_matches", "invoice_id", existing_type=sa.UUID(), nullable=True)
    op.add_column("bank_matches", sa.Column("bill_id", sa.UUID(), nullable=True))
    op.add_column("bank_matches", sa.Column("supplier_payment_id", sa.UUID(), nullable=True))
    op.create_foreign_key(
        op.f("fk_bank_matches_bill_id_supplier_bills"),
        "bank_matches",
        "supplier_bills",
        ["bill_id"],
        ["id"],
        ondelete="RESTRICT",
    )
    op.create_foreign_key(
        op.f("fk_bank_matches_supplier_payment_id_supplier_payments"),
        "bank_matches",
        "supplier_payments",
        ["supplier_payment_id"],
        ["id"],
        ondelete="CASCADE",
    )
    op.create_unique_constraint(
        op.f("uq_bank_matches_supplier_payment_id"), "bank_matches", ["supplier_payment_id"]
    )
    op.create_index("ix_bank_matches_bill_id", "bank_matches", ["bill_id"])
    op.create_index(
        "uq_bank_matches_transaction_bill",
        "bank_matches",
        ["transaction_id", "bill_id"],
        unique=True,
    )
    op.drop_constraint(op.f("ck_bank_matches_kind"), "bank_matches", type_="check")
    op.create_check_constraint(
        op.f("ck_bank_matches_kind"),
        "bank_matches",
        "kind IN ('payment', 'refund', 'bill')",
    )
    op.create_check_constraint(op.f("ck_bank_matches_target"), "bank_matches", TARGET)
    op.execute(MATCH_GUARD)


def downgrade() -> None:
    op.execute(OLD_GUARD)
    op.execute("DELETE FROM bank_matches WHERE kind = 'bill'")
    op.drop_constraint(op.f("ck_bank_matches_target"), "bank_matches", type_="check")
    op.drop_constraint(op.f("ck_bank_matches_kind"), "bank_matches", type_="check")
    op.create_check_constraint(
        op.f("ck_bank_matches_kind"), "bank_matches", "kind IN ('payment', 'refund')"
    )
    op.drop_index("uq_bank_matches_transaction_bill", table_name="bank_matches")
    op.drop_index("ix_bank_matches_bill_id", table_name="bank_matches")
    op.drop_constraint(op.f("uq_bank_matches_supplier_payment_id"), "bank_matches", type_="unique")
    op.drop_column("bank_matches", "supplier_payment_id")
    op.drop_column("bank_matches", "bill_id")
    op.alter_column("bank_matches", "invoice_id", existing_type=sa.UUID(), nullable=False)

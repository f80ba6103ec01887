"""Partial credit notes: several credit notes correcting single lines or amounts of an issued
invoice, their sum never above its total; the invoice is paid when payments + credits cover it.

Revision ID: 0020
Revises: 0011c
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from workmate.migrations import rules_0001

revision: str = "0020"
down_revision: str | None = "0011c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The amount credited on an invoice by its issued partial credit notes (gross).
CREDITED = """
CREATE FUNCTION wm_invoice_credited(target uuid) RETURNS numeric LANGUAGE sql STABLE AS $$
    SELECT COALESCE(sum(total), 0) FROM invoices
     WHERE cancels_id = target AND partial AND status <> 'draft'
$$;
"""

# The one definition of an issued invoice's payment status: paid when payments + credits
# cover the total, else overdue past the due date (the business day, 0010b), else sent.
REFRESH = """
CREATE FUNCTION wm_invoice_refresh_status(target uuid) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    inv invoices%ROWTYPE;
    settled numeric;
    wanted text;
BEGIN
    SELECT * INTO inv FROM invoices WHERE id = target;
    IF NOT FOUND OR inv.status NOT IN ('sent', 'overdue', 'paid') THEN
        RETURN;
    END IF;
    SELECT COALESCE(sum(amount), 0) INTO settled FROM payments WHERE invoice_id = target;
    settled := settled + wm_invoice_credited(target);
    wanted := CASE WHEN settled >= inv.total THEN 'paid'
                   WHEN inv.due_date < wm_today() THEN 'overdue'
                   ELSE 'sent' END;
    IF wanted <> inv.status THEN
        UPDATE invoices SET status = wanted WHERE id = target;
    END IF;
END $$;
"""

PAYMENT_STATUS = """
CREATE OR REPLACE FUNCTION wm_payment_status() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM wm_invoice_refresh_status(OLD.invoice_id);
    END IF;
    IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR NEW.invoice_id <> OLD.invoice_id) THEN
        PERFORM wm_invoice_refresh_status(NEW.invoice_id);
    END IF;
    RETURN NULL;
END $$;
"""

PAYMENT_GUARD = """
CREATE OR REPLACE FUNCTION wm_payment_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    inv invoices%ROWTYPE;
    paid numeric;
    credited numeric;
BEGIN
    SELECT * INTO inv FROM invoices WHERE id = NEW.invoice_id FOR UPDATE;
    IF inv.status NOT IN ('sent', 'overdue', 'paid') THEN
        RAISE EXCEPTION 'invoice is %, payments can only be booked on issued, open invoices',
            inv.status USING ERRCODE = 'WM409';
    END IF;
    SELECT COALESCE(sum(amount), 0) INTO paid FROM payments
     WHERE invoice_id = NEW.invoice_id AND id <> NEW.id;
    credited := wm_invoice_credited(inv.id);
    IF paid + credited + NEW.amount > inv.total THEN
        RAISE EXCEPTION 'payment exceeds the open amount of % EUR',
            greatest(inv.total - paid - credited, 0) USING ERRCODE = 'WM409';
    END IF;
    RETURN NEW;
END $$;
"""

# Credit notes: the original row is locked, so concurrent credit notes queue; partial ones
# together never exceed the original's total; a full cancellation is refused once partial
# ones exist (credit the remainder with a partial credit note instead).
CREDIT_GUARD = """
CREATE FUNCTION wm_credit_note_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    inv invoices%ROWTYPE;
    credited numeric;
BEGIN
    IF NEW.status = 'draft' OR (TG_OP = 'UPDATE' AND OLD.status <> 'draft') THEN
        RETURN NEW;
    END IF;
    SELECT * INTO inv FROM invoices WHERE id = NEW.cancels_id FOR UPDATE;
    credited := wm_invoice_credited(inv.id);
    IF NOT NEW.partial THEN
        IF credited > 0 THEN
            RAISE EXCEPTION 'invoice % has partial credit notes; credit the remaining % EUR '
                'with a partial credit note', inv.number, inv.total - credited
                USING ERRCODE = 'WM409';
        END IF;
        RETURN NEW;
    END IF;
    IF inv.kind <> 'invoice' OR inv.status NOT IN ('sent', 'overdue', 'paid') THEN
        RAISE EXCEPTION 'invoice % is %; only issued invoices take partial credit notes',
            inv.number, inv.status USING ERRCODE = 'WM409';
    END IF;
    IF NEW.total <= 0 THEN
        RAISE EXCEPTION 'a partial credit note credits a positive amount'
            USING ERRCODE = 'WM422';
    END IF;
    IF credited + NEW.total > inv.total THEN
        RAISE EXCEPTION 'credit notes on invoice % would exceed its total: % EUR can still be '
            'credited', inv.number, inv.total - credited USING ERRCODE = 'WM409';
    END IF;
    RETURN NEW;
END $$;
---
CREATE TRIGGER wm_credit_note_guard BEFORE INSERT OR UPDATE OF status ON invoices
    FOR EACH ROW WHEN (NEW.kind = 'credit_note')
    EXECUTE FUNCTION wm_credit_note_guard();
---
CREATE FUNCTION wm_credit_note_status() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM wm_invoice_refresh_status(NEW.cancels_id);
    RETURN NULL;
END $$;
---
CREATE TRIGGER wm_credit_note_status AFTER INSERT OR UPDATE OF status ON invoices
    FOR EACH ROW WHEN (NEW.kind = 'credit_note' AND NEW.partial AND NEW.status <> 'draft')
    EXECUTE FUNCTION wm_credit_note_status();
"""

OLD_PAID_CHECK = "IF paid <> NEW.total THEN"
NEW_PAID_CHECK = "IF paid + wm_invoice_credited(NEW.id) < NEW.total THEN"


def _invoice_guard(old: str, new: str) -> str:
    assert old in rules_0001.INVOICE_GUARD
    return rules_0001.INVOICE_GUARD.replace(
        "CREATE FUNCTION", "CREATE OR REPLACE FUNCTION"
    ).replace(old, new)


def _run(*scripts: str) -> None:
    for script in scripts:
        for statement in script.split("---"):
            op.execute(statement)


def upgrade() -> None:
    op.add_column(
        "invoices",
        sa.Column("partial", sa.Boolean(), server_default=sa.text("false"), nullable=False),
    )
    op.create_check_constraint(
        op.f("ck_invoices_partial_credit_note"), "invoices", "NOT partial OR kind = 'credit_note'"
    )
    op.drop_constraint(op.f("uq_invoices_cancels_id"), "invoices", type_="unique")
    # At most one full cancellation per invoice; partial credit notes are limited by amount.
    op.create_index(
        "uq_invoices_cancels_id",
        "invoices",
        ["cancels_id"],
        unique=True,
        postgresql_where=sa.text("NOT partial"),
    )
    # wm_invoice_credited looks credit notes up by the invoice they refer to, once per listed
    # invoice: an index on all of cancels_id (the unique one above covers full ones only).
    op.create_index("ix_invoices_cancels_id", "invoices", ["cancels_id"])
    _run(CREDITED, REFRESH, PAYMENT_STATUS, PAYMENT_GUARD, CREDIT_GUARD)
    _run(_invoice_guard(OLD_PAID_CHECK, NEW_PAID_CHECK))


def downgrade() -> None:
    op.execute("DROP TRIGGER wm_credit_note_status ON invoices")
    op.execute("DROP FUNCTION wm_credit_note_status()")
    op.execute("DROP TRIGGER wm_credit_note_guard ON invoices")
    op.execute("DROP FUNCTION wm_credit_note_guard()")
    _run(
        rules_0001.PAYMENT_GUARD.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION"),
        rules_0001.PAYMENT_STATUS.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION").replace(
            "current_date", "wm_today()"
        ),
        _invoice_guard(OLD_PAID_CHECK, OLD_PAID_CHECK),
    )
    op.execute("DROP FUNCTION wm_invoice_refresh_status(uuid)")
    op.execute("DROP FUNCTION wm_invoice_credited(uuid)")
    op.drop_index("ix_invoices_cancels_id", table_name="invoices")
    op.drop_index("uq_invoices_cancels_id", table_name="invoices")
    op.create_unique_constraint(op.f("uq_invoices_cancels_id"), "invoices", ["cancels_id"])
    op.drop_constraint(op.f("ck_invoices_partial_credit_note"), "invoices", type_="check")
    op.drop_column("invoices", "partial")

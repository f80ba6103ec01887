"""purchases: received e-invoices (kept unchanged, not deletable before the retention period),
suppliers as business partners, supplier bills with VAT per rate and payments, and the
`purchases` permission for the seed roles.

Existing expenses stay as they are: they are the small expenses without a supplier invoice
(receipt-less or a till receipt), no row changes.

Revision ID: 0014
Revises: 0015
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0014"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The business day in SQL (Europe/Berlin), as workmate.clock.today() has it.
TODAY = "(now() AT TIME ZONE 'Europe/Berlin')::date"

INCOMING_GUARD = f"""
CREATE FUNCTION wm_incoming_invoice_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    frozen text[] := ARRAY['sha256', 'storage_key', 'size_bytes', 'kind', 'original_filename',
                           'received_at', 'received_by', 'retain_until', 'source', 'created_at'];
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.retain_until >= {TODAY} THEN
            RAISE EXCEPTION 'a received invoice must be kept until %', OLD.retain_until
                USING ERRCODE = 'WM409';
        END IF;
        RETURN OLD;
    END IF;
    IF (SELECT jsonb_object_agg(k, to_jsonb(NEW) -> k) FROM unnest(frozen) k)
       IS DISTINCT FROM (SELECT jsonb_object_agg(k, to_jsonb(OLD) -> k) FROM unnest(frozen) k) THEN
        RAISE EXCEPTION 'a received invoice is kept as received and cannot change'
            USING ERRCODE = 'WM409';
    END IF;
    RETURN NEW;
END $$;
"""

INCOMING_TRUNCATE_GUARD = f"""
CREATE FUNCTION wm_incoming_invoice_truncate_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM incoming_invoices WHERE retain_until >= {TODAY}) THEN
        RAISE EXCEPTION 'received invoices within their retention period cannot be removed'
            USING ERRCODE = 'WM409';
    END IF;
    RETURN NULL;
END $$;
"""

# A bill's status follows its payments, whoever writes: derived on every insert and update
# of the bill (a payment touches its bill, see below). An amount due below what was paid is
# refused.
BILL_STATUS = """
CREATE FUNCTION wm_supplier_bill_status() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    paid numeric;
BEGIN
    SELECT COALESCE(sum(amount), 0) INTO paid FROM supplier_payments WHERE bill_id = NEW.id;
    IF paid > 0 AND paid > NEW.amount_due THEN
        RAISE EXCEPTION 'the bill has payments of % %, more than the amount due', paid,
            NEW.currency USING ERRCODE = 'WM409';
    END IF;
    NEW.status := CASE
        WHEN paid >= NEW.amount_due THEN 'paid'
        WHEN paid > 0 THEN 'partly_paid'
        ELSE 'open' END;
    RETURN NEW;
END $$;
"""

# Payments lock their bill, so concurrent payments queue and the sum check holds.
PAYMENT_GUARD = """
CREATE FUNCTION wm_supplier_payment_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    bill supplier_bills%ROWTYPE;
    paid numeric;
BEGIN
    SELECT * INTO bill FROM supplier_bills WHERE id = NEW.bill_id FOR UPDATE;
    IF NOT FOUND THEN
        RETURN NEW;  -- the foreign key answers
    END IF;
    SELECT COALESCE(sum(amount), 0) INTO paid FROM supplier_payments
     WHERE bill_id = NEW.bill_id AND id <> NEW.id;
    IF paid + NEW.amount > bill.amount_due THEN
        RAISE EXCEPTION 'payment exceeds the open amount of % %',
            GREATEST(bill.amount_due - paid, 0), bill.currency USING ERRCODE = 'WM409';
    END IF;
    RETURN NEW;
END $$;
"""

PAYMENT_TOUCH = """
CREATE FUNCTION wm_supplier_payment_touch() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    target uuid;
BEGIN
    FOREACH target IN ARRAY ARRAY[
        CASE WHEN TG_OP <> 'INSERT' THEN OLD.bill_id END,
        CASE WHEN TG_OP <> 'DELETE' THEN NEW.bill_id END]
    LOOP
        CONTINUE WHEN target IS NULL;
        UPDATE supplier_bills SET status = status WHERE id = target;
    END LOOP;
    RETURN NULL;
END $$;
"""

TRIGGERS = (
    "CREATE TRIGGER wm_incoming_invoice_guard BEFORE UPDATE OR DELETE ON incoming_invoices "
    "FOR EACH ROW EXECUTE FUNCTION wm_incoming_invoice_guard()",
    "CREATE TRIGGER wm_truncate_guard BEFORE TRUNCATE ON incoming_invoices "
    "FOR EACH STATEMENT EXECUTE FUNCTION wm_incoming_invoice_truncate_guard()",
    "CREATE TRIGGER wm_supplier_bill_status BEFORE INSERT OR UPDATE ON supplier_bills "
    "FOR EACH ROW EXECUTE FUNCTION wm_supplier_bill_status()",
    "CREATE TRIGGER wm_supplier_payment_guard BEFORE INSERT OR UPDATE OF amount, bill_id "
    "ON supplier_payments FOR EACH ROW EXECUTE FUNCTION wm_supplier_payment_guard()",
    "CREATE TRIGGER wm_supplier_payment_touch AFTER INSERT OR UPDATE OR DELETE "
    "ON supplier_payments FOR EACH ROW EXECUTE FUNCTION wm_supplier_payment_touch()",
)
TIMESTAMPED = ("incoming_invoices", "supplier_bills", "supplier_payments")
FUNCTIONS = (
    "wm_incoming_invoice_guard()",
    "wm_incoming_invoice_truncate_guard()",
    "wm_supplier_bill_status()",
    "wm_supplier_payment_guard()",
    "wm_supplier_payment_touch()",
)
# A bookkeeping firm's split: Admin everything; the Manager (who keeps the books in a small
# firm) receives, checks, books and pays; an Employee may hand in receipts and invoices of
# their own purchases (`submit`) and sees only those.
GRANTS = {
    "Admin": ["read", "write", "delete", "submit"],
    "Manager": ["read", "write", "submit"],
    "Employee": ["submit"],
}


def upgrade() -> None:
    op.add_column(
        "customers",
        sa.Column("is_customer", sa.Boolean(), server_default=sa.text("true"), nullable=False),
    )
    op.add_column(
        "customers",
        sa.Column("is_supplier", sa.Boolean(), server_default=sa.text("false"), nullable=False),
    )
    op.add_column("customers", sa.Column("supplier_number", sa.String(20), nullable=True))
    op.add_column("customers", sa.Column("tax_number", sa.String(30), nullable=True))
    op.add_column("customers", sa.Column("iban", sa.String(34), nullable=True))
    op.add_column("customers", sa.Column("bic", sa.String(11), nullable=True))
    op.create_unique_constraint(
        op.f("uq_customers_supplier_number"), "customers", ["supplier_number"]
    )
    op.create_check_constraint(
        op.f("ck_customers_has_role"), "customers", "is_customer OR is_supplier"
    )
    op.create_check_constraint(
        op.f("ck_customers_supplier_number"),
        "customers",
        "NOT is_supplier OR supplier_number IS NOT NULL",
    )

    op.create_table(
        "incoming_invoices",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("storage_key", sa.Text(), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("original_filename", sa.String(255), nullable=False),
        sa.Column(
            "received_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("received_by", sa.Uuid(), nullable=False),
        sa.Column("retain_until", sa.Date(), nullable=False),
        sa.Column("source", sa.String(300), nullable=False),
        sa.Column("is_einvoice", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("official_verdict", sa.String(4), nullable=True),
        sa.Column("syntax", sa.String(3), nullable=True),
        sa.Column("document_type", sa.String(30), nullable=True),
        sa.Column("customization_id", sa.Text(), nullable=True),
        sa.Column("profile", sa.String(100), nullable=True),
        sa.Column("rules_version", sa.Text(), nullable=False),
        sa.Column("error_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("warning_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "findings",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'"),
            nullable=False,
        ),
        sa.Column("data", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("check_seconds", sa.Float(), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(
            "status IN ('valid', 'invalid', 'not_einvoice')",
            name=op.f("ck_incoming_invoices_status"),
        ),
        sa.CheckConstraint("kind IN ('xml', 'pdf')", name=op.f("ck_incoming_invoices_kind")),
        sa.CheckConstraint("sha256 ~ '^[0-9a-f]{64}$'", name=op.f("ck_incoming_invoices_sha256")),
        sa.CheckConstraint("size_bytes > 0", name=op.f("ck_incoming_invoices_size_positive")),
        sa.CheckConstraint(
            "official_verdict IS NULL OR official_verdict IN ('ok', 'FAIL')",
            name=op.f("ck_incoming_invoices_official_verdict"),
        ),
        sa.CheckConstraint(
            "(status = 'not_einvoice') = NOT is_einvoice",
            name=op.f("ck_incoming_invoices_einvoice_status"),
        ),
        sa.ForeignKeyConstraint(
            ["received_by"],
            ["employees.id"],
            name=op.f("fk_incoming_invoices_received_by_employees"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incoming_invoices")),
        sa.UniqueConstraint("sha256", name=op.f("uq_incoming_invoices_sha256")),
    )
    op.create_index(
        "ix_incoming_invoices_received_at", "incoming_invoices", ["received_at"], unique=False
    )
    op.create_index(
        "ix_incoming_invoices_received_by", "incoming_invoices", ["received_by"], unique=False
    )

    op.create_table(
        "supplier_bills",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("number", sa.String(20), nullable=False),
        sa.Column("supplier_id", sa.Uuid(), nullable=False),
        sa.Column("incoming_invoice_id", sa.Uuid(), nullable=True),
        sa.Column("project_id", sa.Uuid(), nullable=True),
        sa.Column("kind", sa.String(20), server_default=sa.text("'invoice'"), nullable=False),
        sa.Column("category", sa.String(20), server_default=sa.text("'other'"), nullable=False),
        sa.Column("invoice_number", sa.String(100), nullable=False),
        sa.Column("invoice_date", sa.Date(), nullable=False),
        sa.Column("service_start", sa.Date(), nullable=True),
        sa.Column("service_end", sa.Date(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("currency", sa.String(3), server_default=sa.text("'EUR'"), nullable=False),
        sa.Column("net_total", sa.Numeric(12, 2), nullable=False),
        sa.Column("tax_total", sa.Numeric(12, 2), nullable=False),
        sa.Column("gross_total", sa.Numeric(12, 2), nullable=False),
        sa.Column("prepaid", sa.Numeric(12, 2), server_default=sa.text("0"), nullable=False),
        sa.Column("rounding", sa.Numeric(12, 2), server_default=sa.text("0"), nullable=False),
        sa.Column("amount_due", sa.Numeric(12, 2), nullable=False),
        sa.Column("status", sa.String(20), server_default=sa.text("'open'"), nullable=False),
        sa.Column("iban", sa.String(34), nullable=True),
        sa.Column("payment_reference", sa.String(140), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(
            "status IN ('open', 'partly_paid', 'paid')", name=op.f("ck_supplier_bills_status")
        ),
        sa.CheckConstraint(
            "kind IN ('invoice', 'credit_note')", name=op.f("ck_supplier_bills_kind")
        ),
        sa.CheckConstraint(
            "category IN ('material', 'personnel', 'service', 'other')",
            name=op.f("ck_supplier_bills_category"),
        ),
        sa.CheckConstraint(
            "gross_total = net_total + tax_total",
            name=op.f("ck_supplier_bills_gross_is_net_plus_tax"),
        ),
        sa.CheckConstraint(
            "amount_due = gross_total - prepaid + rounding",
            name=op.f("ck_supplier_bills_due_is_gross_less_prepaid"),
        ),
        sa.CheckConstraint(
            "length(btrim(invoice_number)) > 0", name=op.f("ck_supplier_bills_invoice_number")
        ),
        sa.CheckConstraint(
            "service_end IS NULL OR service_start IS NULL OR service_end >= service_start",
            name=op.f("ck_supplier_bills_service_period"),
        ),
        sa.CheckConstraint("currency ~ '^[A-Z]{3}$'", name=op.f("ck_supplier_bills_currency")),
        sa.ForeignKeyConstraint(
            ["supplier_id"],
            ["customers.id"],
            name=op.f("fk_supplier_bills_supplier_id_customers"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["incoming_invoice_id"],
            ["incoming_invoices.id"],
            name=op.f("fk_supplier_bills_incoming_invoice_id_incoming_invoices"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_supplier_bills_project_id_projects"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["employees.id"],
            name=op.f("fk_supplier_bills_created_by_employees"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supplier_bills")),
        sa.UniqueConstraint("number", name=op.f("uq_supplier_bills_number")),
        sa.UniqueConstraint(
            "incoming_invoice_id", name=op.f("uq_supplier_bills_incoming_invoice_id")
        ),
    )
    op.create_index(
        "uq_supplier_bills_supplier_invoice_number",
        "supplier_bills",
        ["supplier_id", sa.text("upper(regexp_replace(invoice_number, '\\s', '', 'g'))")],
        unique=True,
    )
    op.create_index("ix_supplier_bills_invoice_date", "supplier_bills", ["invoice_date"])
    op.create_index("ix_supplier_bills_project_id", "supplier_bills", ["project_id"])
    op.create_index(op.f("ix_supplier_bills_supplier_id"), "supplier_bills", ["supplier_id"])
    op.create_index(
        "ix_supplier_bills_open_due",
        "supplier_bills",
        ["due_date"],
        postgresql_where=sa.text("status <> 'paid'"),
    )

    op.create_table(
        "supplier_bill_taxes",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("bill_id", sa.Uuid(), nullable=False),
        sa.Column("category", sa.String(2), nullable=False),
        sa.Column("rate", sa.Numeric(5, 2), nullable=False),
        sa.Column("net", sa.Numeric(12, 2), nullable=False),
        sa.Column("tax", sa.Numeric(12, 2), nullable=False),
        sa.CheckConstraint(
            "category IN ('S', 'Z', 'E', 'AE', 'K', 'G', 'O', 'L', 'M')",
            name=op.f("ck_supplier_bill_taxes_category"),
        ),
        sa.CheckConstraint("rate >= 0 AND rate < 100", name=op.f("ck_supplier_bill_taxes_rate")),
        sa.ForeignKeyConstraint(
            ["bill_id"],
            ["supplier_bills.id"],
            name=op.f("fk_supplier_bill_taxes_bill_id_supplier_bills"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supplier_bill_taxes")),
        sa.UniqueConstraint("bill_id", "category", "rate", name="uq_supplier_bill_taxes_rate"),
    )
    op.create_index(
        op.f("ix_supplier_bill_taxes_bill_id"), "supplier_bill_taxes", ["bill_id"], unique=False
    )

    op.create_table(
        "supplier_payments",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("bill_id", sa.Uuid(), nullable=False),
        sa.Column("amount", sa.Numeric(12, 2), nullable=False),
        sa.Column("payment_date", sa.Date(), nullable=False),
        sa.Column("method", sa.String(20), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("idempotency_key", sa.String(200), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint("amount > 0", name=op.f("ck_supplier_payments_amount_positive")),
        sa.CheckConstraint(
            "method IN ('bank_transfer', 'credit_card', 'cash', 'paypal')",
            name=op.f("ck_supplier_payments_method"),
        ),
        sa.ForeignKeyConstraint(
            ["bill_id"],
            ["supplier_bills.id"],
            name=op.f("fk_supplier_payments_bill_id_supplier_bills"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supplier_payments")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_supplier_payments_idempotency_key")),
    )
    op.create_index(
        "ix_supplier_payments_bill_id_amount",
        "supplier_payments",
        ["bill_id"],
        postgresql_include=["amount"],
    )
    op.create_index("ix_supplier_payments_payment_date", "supplier_payments", ["payment_date"])

    for ddl in (INCOMING_GUARD, INCOMING_TRUNCATE_GUARD, BILL_STATUS, PAYMENT_GUARD, PAYMENT_TOUCH):
        op.execute(ddl)
    for statement in TRIGGERS:
        op.execute(statement)
    for table in TIMESTAMPED:
        op.execute(
            f"CREATE TRIGGER wm_touch BEFORE UPDATE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION wm_touch()"
        )
    for role, actions in GRANTS.items():
        grant = json.dumps({"purchases": actions})
        op.execute(
            f"UPDATE roles SET permissions = permissions || '{grant}'::jsonb "
            f"WHERE name = '{role}' AND NOT permissions ? 'purchases'"
        )


def downgrade() -> None:
    op.execute("UPDATE roles SET permissions = permissions - 'purchases'")
    for fn in FUNCTIONS:
        op.execute(f"DROP FUNCTION IF EXISTS {fn} CASCADE")
    op.drop_table("supplier_payments")
    op.drop_table("supplier_bill_taxes")
    op.drop_table("supplier_bills")
    op.drop_table("incoming_invoices")
    op.drop_constraint(op.f("ck_customers_supplier_number"), "customers", type_="check")
    op.drop_constraint(op.f("ck_customers_has_role"), "customers", type_="check")
    op.drop_constraint(op.f("uq_customers_supplier_number"), "customers", type_="unique")
    for column in ("bic", "iban", "tax_number", "supplier_number", "is_supplier", "is_customer"):
        op.drop_column("customers", column)

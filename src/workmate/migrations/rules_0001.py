"""Rules of migration 0001 that PostgreSQL enforces itself, and the spec's seed rows.

Frozen with 0001: a later change to a rule goes into a new migration, never into this file.
Our triggers raise SQLSTATE WM409 (conflict) or WM422 (invalid); errors.from_database turns
them into 409/422 with the trigger's own (English, user-facing) message.
"""

from __future__ import annotations

import json

from alembic import op

# Tables whose updated_at is kept true by trigger.
TIMESTAMPED = (
    "employees",
    "departments",
    "roles",
    "documents",
    "reminders",
    "dashboards",
    "customers",
    "contacts",
    "projects",
    "time_entries",
    "invoices",
    "invoice_lines",
    "payments",
    "expenses",
    "company_settings",
)

TOUCH = """
CREATE FUNCTION wm_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- clock_timestamp, not now(): two writes in one transaction are still ordered.
    NEW.updated_at := clock_timestamp();
    NEW.created_at := OLD.created_at;
    RETURN NEW;
END $$;
"""

# Issued invoices are immutable (GoBD): only the columns listed may change after issue.
# Comparing whole rows minus the allowed keys means a column added later is frozen by default.
INVOICE_GUARD = """
CREATE FUNCTION wm_invoice_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    mutable text[] := ARRAY['status', 'pdf_path', 'dunning_level', 'last_dunned_on',
                            'updated_at'];
    paid numeric;
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.status <> 'draft' THEN
            RAISE EXCEPTION 'invoice % is issued and cannot be deleted; cancel it with a credit note',
                OLD.number USING ERRCODE = 'WM409';
        END IF;
        RETURN OLD;
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.status <> 'draft' THEN
        IF NEW.status = 'draft' THEN
            RAISE EXCEPTION 'invoice % is issued and cannot return to draft', OLD.number
                USING ERRCODE = 'WM409';
        END IF;
        IF (to_jsonb(NEW) - mutable) IS DISTINCT FROM (to_jsonb(OLD) - mutable) THEN
            RAISE EXCEPTION 'invoice % is issued and its content cannot change; cancel it with a credit note',
                OLD.number USING ERRCODE = 'WM409';
        END IF;
        IF OLD.pdf_path IS NOT NULL AND NEW.pdf_path IS DISTINCT FROM OLD.pdf_path THEN
            RAISE EXCEPTION 'the stored document of invoice % cannot be replaced', OLD.number
                USING ERRCODE = 'WM409';
        END IF;
    END IF;
    -- `paid` means exactly: the payments sum to the total. Nobody sets it by hand.
    IF NEW.status = 'paid' AND (TG_OP = 'INSERT' OR OLD.status <> 'paid') THEN
        SELECT COALESCE(sum(amount), 0) INTO paid FROM payments WHERE invoice_id = NEW.id;
        IF paid <> NEW.total THEN
            RAISE EXCEPTION 'invoice % is not fully paid (% of %)', NEW.number, paid, NEW.total
                USING ERRCODE = 'WM409';
        END IF;
    END IF;
    RETURN NEW;
END $$;
"""

LINE_GUARD = """
CREATE FUNCTION wm_invoice_line_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    frozen text;
BEGIN
    SELECT number INTO frozen FROM invoices
     WHERE status <> 'draft'
       AND id IN (CASE WHEN TG_OP <> 'INSERT' THEN OLD.invoice_id END,
                  CASE WHEN TG_OP <> 'DELETE' THEN NEW.invoice_id END);
    IF FOUND THEN
        RAISE EXCEPTION 'invoice % is issued and its lines cannot change', frozen
            USING ERRCODE = 'WM409';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;
"""

# A time entry billed on an issued invoice is part of that invoice's evidence.
TIME_ENTRY_GUARD = """
CREATE FUNCTION wm_time_entry_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    frozen text;
BEGIN
    IF OLD.invoice_id IS NOT NULL THEN
        SELECT number INTO frozen FROM invoices WHERE id = OLD.invoice_id AND status <> 'draft';
        IF FOUND THEN
            RAISE EXCEPTION 'time entry is billed on invoice % and cannot change', frozen
                USING ERRCODE = 'WM409';
        END IF;
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;
"""

# Payments: the invoice row is locked, so concurrent payments queue and the sum check holds;
# then the invoice's status is derived from the payments, here and nowhere else.
PAYMENT_GUARD = """
CREATE FUNCTION wm_payment_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    inv invoices%ROWTYPE;
    paid numeric;
BEGIN
    SELECT * INTO inv FROM invoices WHERE id = NEW.invoice_id FOR UPDATE;
    IF inv.status NOT IN ('sent', 'overdue', 'paid') THEN
        RAISE EXCEPTION 'invoice is %, payments can only be booked on issued, open invoices',
            inv.status USING ERRCODE = 'WM409';
    END IF;
    SELECT COALESCE(sum(amount), 0) INTO paid FROM payments
     WHERE invoice_id = NEW.invoice_id AND id <> NEW.id;
    IF paid + NEW.amount > inv.total THEN
        RAISE EXCEPTION 'payment exceeds the open amount of % EUR', inv.total - paid
            USING ERRCODE = 'WM409';
    END IF;
    RETURN NEW;
END $$;
"""

PAYMENT_STATUS = """
CREATE FUNCTION wm_payment_status() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    target uuid;
BEGIN
    FOREACH target IN ARRAY ARRAY[
        CASE WHEN TG_OP <> 'INSERT' THEN OLD.invoice_id END,
        CASE WHEN TG_OP <> 'DELETE' THEN NEW.invoice_id END]
    LOOP
        CONTINUE WHEN target IS NULL;
        UPDATE invoices i
           SET status = CASE
                   WHEN p.paid = i.total THEN 'paid'
                   WHEN i.due_date < current_date THEN 'overdue'
                   ELSE 'sent' END
          FROM (SELECT COALESCE(sum(amount), 0) AS paid FROM payments
                 WHERE invoice_id = target) p
         WHERE i.id = target AND i.status IN ('sent', 'overdue', 'paid')
           AND i.status <> CASE
                   WHEN p.paid = i.total THEN 'paid'
                   WHEN i.due_date < current_date THEN 'overdue'
                   ELSE 'sent' END;
    END LOOP;
    RETURN NULL;
END $$;
"""

# Polymorphic links cannot carry a foreign key; this checks the linked row exists.
LINK_EXISTS = """
CREATE FUNCTION wm_link_exists(module text, target uuid) RETURNS boolean
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN CASE module
        WHEN 'customer' THEN EXISTS (SELECT 1 FROM customers WHERE id = target)
        WHEN 'project' THEN EXISTS (SELECT 1 FROM projects WHERE id = target)
        WHEN 'invoice' THEN EXISTS (SELECT 1 FROM invoices WHERE id = target)
        WHEN 'employee' THEN EXISTS (SELECT 1 FROM employees WHERE id = target)
        WHEN 'expense' THEN EXISTS (SELECT 1 FROM expenses WHERE id = target)
        ELSE false END;
END $$;
"""

DOCUMENT_LINK_GUARD = """
CREATE FUNCTION wm_document_link_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.linked_module IS NOT NULL AND NOT wm_link_exists(NEW.linked_module, NEW.linked_id) THEN
        RAISE EXCEPTION 'linked % does not exist', NEW.linked_module USING ERRCODE = 'WM422';
    END IF;
    RETURN NEW;
END $$;
"""

REMINDER_LINK_GUARD = """
CREATE FUNCTION wm_reminder_link_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.linked_to IS NOT NULL AND NOT wm_link_exists(NEW.linked_to, NEW.linked_id) THEN
        RAISE EXCEPTION 'linked % does not exist', NEW.linked_to USING ERRCODE = 'WM422';
    END IF;
    RETURN NEW;
END $$;
"""

AUDIT_APPEND_ONLY = """
CREATE FUNCTION wm_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only' USING ERRCODE = 'WM409';
END $$;
"""

TRIGGERS = """
CREATE TRIGGER wm_invoice_guard BEFORE INSERT OR UPDATE OR DELETE ON invoices
    FOR EACH ROW EXECUTE FUNCTION wm_invoice_guard();
CREATE TRIGGER wm_invoice_line_guard BEFORE INSERT OR UPDATE OR DELETE ON invoice_lines
    FOR EACH ROW EXECUTE FUNCTION wm_invoice_line_guard();
CREATE TRIGGER wm_time_entry_guard BEFORE UPDATE OR DELETE ON time_entries
    FOR EACH ROW EXECUTE FUNCTION wm_time_entry_guard();
CREATE TRIGGER wm_payment_guard BEFORE INSERT OR UPDATE OF amount, invoice_id ON payments
    FOR EACH ROW EXECUTE FUNCTION wm_payment_guard();
CREATE TRIGGER wm_payment_status AFTER INSERT OR UPDATE OR DELETE ON payments
    FOR EACH ROW EXECUTE FUNCTION wm_payment_status();
CREATE TRIGGER wm_document_link_guard BEFORE INSERT OR UPDATE OF linked_module, linked_id
    ON documents FOR EACH ROW EXECUTE FUNCTION wm_document_link_guard();
CREATE TRIGGER wm_reminder_link_guard BEFORE INSERT OR UPDATE OF linked_to, linked_id
    ON reminders FOR EACH ROW EXECUTE FUNCTION wm_reminder_link_guard();
CREATE TRIGGER wm_audit_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION wm_audit_append_only();
CREATE TRIGGER wm_audit_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION wm_audit_append_only();
"""

FUNCTIONS = (
    "wm_touch()",
    "wm_invoice_guard()",
    "wm_invoice_line_guard()",
    "wm_time_entry_guard()",
    "wm_payment_guard()",
    "wm_payment_status()",
    "wm_document_link_guard()",
    "wm_reminder_link_guard()",
    "wm_link_exists(text, uuid)",
    "wm_audit_append_only()",
)

# Seeds (spec "Initiale Daten"); ON CONFLICT keeps them single however often they run.
SEED_ROLES = {
    "Admin": {
        "crm": ["read", "write", "delete"],
        "projects": ["read", "write", "delete"],
        "time_entries": ["read", "write", "delete", "manage"],
        "invoices": ["read", "write", "delete"],
        "payments": ["read", "write", "delete"],
        "expenses": ["read", "write", "delete"],
        "documents": ["read", "write", "delete", "confidential"],
        "reminders": ["read", "write", "delete", "manage"],
        "dashboards": ["read", "write", "manage"],
        "chat": ["read", "write"],
        "employees": ["read", "write", "delete"],
        "reports": ["read"],
        "admin_panel": ["access"],
    },
    "Manager": {
        "crm": ["read", "write"],
        "projects": ["read", "write"],
        "time_entries": ["read", "write", "manage"],
        "invoices": ["read", "write"],
        "payments": ["read", "write"],
        "expenses": ["read", "write"],
        "documents": ["read", "write"],
        "reminders": ["read", "write", "delete"],
        "dashboards": ["read", "write"],
        "chat": ["read", "write"],
        "employees": ["read"],
        "reports": ["read"],
    },
    "Employee": {
        "crm": ["read"],
        "projects": ["read"],
        "time_entries": ["read", "write", "delete"],
        "documents": ["read", "write"],
        "reminders": ["read", "write", "delete"],
        "dashboards": ["read", "write"],
        "chat": ["read", "write"],
    },
}
SEED_DEPARTMENTS = ("Sales", "Development", "Management")


def seed_sql() -> list[str]:
    roles = ",\n".join(
        f"(gen_random_uuid(), '{name}', '{json.dumps(perms)}'::jsonb)"
        for name, perms in SEED_ROLES.items()
    )
    departments = ",\n".join(f"(gen_random_uuid(), '{name}')" for name in SEED_DEPARTMENTS)
    return [
        f"INSERT INTO roles (id, name, permissions) VALUES {roles} ON CONFLICT (name) DO NOTHING",
        f"INSERT INTO departments (id, name) VALUES {departments} ON CONFLICT (name) DO NOTHING",
    ]


def install_rules() -> None:
    op.execute(TOUCH)
    for table in TIMESTAMPED:
        op.execute(
            f"CREATE TRIGGER wm_touch BEFORE UPDATE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION wm_touch()"
        )
    for ddl in (
        INVOICE_GUARD,
        LINE_GUARD,
        TIME_ENTRY_GUARD,
        PAYMENT_GUARD,
        PAYMENT_STATUS,
        LINK_EXISTS,
        DOCUMENT_LINK_GUARD,
        REMINDER_LINK_GUARD,
        AUDIT_APPEND_ONLY,
    ):
        op.execute(ddl)
    # asyncpg runs one statement per call.
    for statement in TRIGGERS.split(";"):
        if statement.strip():
            op.execute(statement)


def remove_rules() -> None:
    # Dropping the functions with CASCADE drops every trigger that uses them.
    for fn in FUNCTIONS:
        op.execute(f"DROP FUNCTION IF EXISTS {fn} CASCADE")


def seed() -> None:
    for statement in seed_sql():
        op.execute(statement)

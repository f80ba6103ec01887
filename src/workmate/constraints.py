"""The one table of constraint messages: every named constraint PostgreSQL may refuse with.

A race that a Python check missed still gets our words, never the driver's text. Exactly one
entry per constraint name (a test compares this table with the constraints in the migrated
database). A foreign key fails in two directions, so it has two messages: `missing` when the
referencing row points at nothing (insert/update: 422 naming the field), `referenced` when
the referenced row is still in use (delete: 409).

Messages are English message templates; the web UI translates them (German catalog).
"""

from __future__ import annotations

from dataclasses import dataclass

from workmate.errors import Conflict, Invalid, WorkmateError


@dataclass(frozen=True, slots=True)
class Rule:
    """A check or unique constraint: one message."""

    error: type[WorkmateError]
    field: str | None
    message: str


@dataclass(frozen=True, slots=True)
class ForeignKey:
    """A foreign key: the referencing field, and a message per direction."""

    field: str
    missing: str
    referenced: str


Entry = Rule | ForeignKey

MESSAGES: dict[str, Entry] = {
    # employees, departments, roles
    "uq_employees_email_lower": Rule(Conflict, "email", "an employee with this email exists"),
    "uq_departments_name": Rule(Conflict, "name", "a department with this name exists"),
    "uq_roles_name": Rule(Conflict, "name", "a role with this name exists"),
    "fk_employees_role_id_roles": ForeignKey(
        "role_id", "role_id: no such role", "the role is assigned to employees"
    ),
    "fk_employees_department_id_departments": ForeignKey(
        "department_id",
        "department_id: no such department",
        "the department has employees; move them first",
    ),
    "fk_departments_manager_id_employees": ForeignKey(
        "manager_id",
        "manager_id: no such employee",
        "the employee manages a department; assign another manager first",
    ),
    # customers and contacts
    "uq_contacts_primary_per_customer": Rule(
        Conflict, "is_primary", "the customer already has a primary contact; try again"
    ),
    "uq_customers_number": Rule(Conflict, "number", "customer number already taken; try again"),
    "fk_projects_customer_id_customers": ForeignKey(
        "customer_id", "customer does not exist", "the customer has projects; archive it instead"
    ),
    "fk_invoices_customer_id_customers": ForeignKey(
        "customer_id", "customer does not exist", "the customer has invoices; archive it instead"
    ),
    # projects
    "ck_projects_dates": Rule(Invalid, "end_date", "end_date must be on or after start_date"),
    "ck_projects_status": Rule(Invalid, "status", "unknown project status"),
    "fk_time_entries_project_id_projects": ForeignKey(
        "project_id",
        "project does not exist",
        "time is booked on the project; cancel it instead of deleting",
    ),
    "fk_invoices_project_id_projects": ForeignKey(
        "project_id",
        "project does not exist",
        "the project has invoices; cancel it instead of deleting",
    ),
    # reminders
    "ck_reminders_link_complete": Rule(
        Invalid, "linked_id", "linked_to and linked_id go together: give both or neither"
    ),
    # time entries
    "uq_time_entries_running_per_employee": Rule(
        Conflict,
        "project_id",
        "a timer is already running for this employee; stop it first or start with switch",
    ),
    "ex_time_entries_no_overlap": Rule(
        Conflict, "start_time", "the entry overlaps another time entry of the same employee"
    ),
    "ck_time_entries_end_after_start": Rule(
        Invalid, "end_time", "end_time must be after start_time"
    ),
    "ck_time_entries_hourly_rate": Rule(Invalid, "hourly_rate", "hourly_rate must not be negative"),
    # invoices
    "uq_invoices_number": Rule(Conflict, "number", "this invoice number is already taken"),
    "uq_invoices_cancels_id": Rule(
        Conflict, "cancels_id", "this invoice already has a credit note"
    ),
    "ck_invoice_lines_vat_rate": Rule(Invalid, "vat_rate", "vat_rate must be 19, 7 or 0"),
    "ck_invoice_lines_quantity": Rule(Invalid, "quantity", "quantity must not be 0"),
    # payments
    "uq_payments_idempotency_key": Rule(
        Conflict,
        "Idempotency-Key",
        "this Idempotency-Key is already used for another payment",
    ),
    "ck_payments_amount_positive": Rule(Invalid, "amount", "amount must be greater than 0"),
    # banking
    "uq_bank_accounts_iban": Rule(Conflict, "iban", "a bank account with this IBAN exists"),
    "ck_bank_accounts_iban_shape": Rule(Invalid, "iban", "iban is not a valid IBAN"),
    "ck_bank_accounts_bic_shape": Rule(Invalid, "bic", "bic is not a valid BIC"),
    "ck_bank_accounts_currency": Rule(Invalid, "currency", "currency must be an ISO 4217 code"),
    "uq_bank_files_account_sha256": Rule(
        Conflict, "file", "this file is already imported into the account"
    ),
    "ck_bank_files_sha256": Rule(Invalid, "file", "the file checksum must be a SHA-256"),
    "ck_bank_files_format": Rule(Invalid, "format", "unknown statement format"),
    "ck_bank_files_size_positive": Rule(Invalid, "file", "the file is empty"),
    "fk_bank_files_account_id_bank_accounts": ForeignKey(
        "account_id", "bank account does not exist", "the bank account has imported statements"
    ),
    "fk_bank_files_imported_by_employees": ForeignKey(
        "imported_by", "employee does not exist", "the employee imported bank statements"
    ),
    "uq_bank_statements_account_fingerprint": Rule(
        Conflict, "file", "this statement is already imported into the account"
    ),
    "ck_bank_statements_format": Rule(Invalid, "format", "unknown statement format"),
    "ck_bank_statements_period": Rule(
        Invalid, "file", "a statement period must end on or after its start"
    ),
    "ck_bank_statements_entry_count": Rule(Invalid, "file", "entry count must not be negative"),
    "ck_bank_statements_fingerprint": Rule(Invalid, "file", "invalid statement fingerprint"),
    "fk_bank_statements_account_id_bank_accounts": ForeignKey(
        "account_id", "bank account does not exist", "the bank account has statements"
    ),
    "fk_bank_statements_file_id_bank_files": ForeignKey(
        "file_id", "statement file does not exist", "the file has statements"
    ),
    "uq_bank_transactions_account_key": Rule(
        Conflict, "file", "this bank transaction is already imported"
    ),
    "ck_bank_transactions_amount_nonzero": Rule(Invalid, "amount", "amount must not be 0"),
    "ck_bank_transactions_state": Rule(Invalid, "state", "unknown bank transaction state"),
    "ck_bank_transactions_currency": Rule(Invalid, "currency", "currency must be an ISO 4217 code"),
    "fk_bank_transactions_account_id_bank_accounts": ForeignKey(
        "account_id", "bank account does not exist", "the bank account has transactions"
    ),
    "fk_bank_transactions_statement_id_bank_statements": ForeignKey(
        "statement_id", "statement does not exist", "the statement has transactions"
    ),
    "uq_bank_matches_transaction_invoice": Rule(
        Conflict, "invoice_id", "the bank transaction is already matched to this invoice"
    ),
    "uq_bank_matches_payment_id": Rule(
        Conflict, "payment_id", "the payment already belongs to a bank transaction"
    ),
    "ck_bank_matches_amount_positive": Rule(Invalid, "amount", "amount must be greater than 0"),
    "ck_bank_matches_kind": Rule(Invalid, "kind", "unknown match kind"),
    "ck_bank_matches_payment_link": Rule(
        Invalid, "payment_id", "a payment match needs its payment, a refund none"
    ),
    "fk_bank_matches_transaction_id_bank_transactions": ForeignKey(
        "transaction_id", "bank transaction does not exist", "the bank transaction is matched"
    ),
    "fk_bank_matches_invoice_id_invoices": ForeignKey(
        "invoice_id", "invoice does not exist", "the invoice is matched to a bank transaction"
    ),
    "fk_bank_matches_payment_id_payments": ForeignKey(
        "payment_id", "payment does not exist", "the payment belongs to a bank transaction"
    ),
    "fk_bank_matches_created_by_employees": ForeignKey(
        "created_by", "employee does not exist", "the employee confirmed bank matches"
    ),
    "uq_customer_ibans_customer_iban": Rule(
        Conflict, "iban", "this IBAN is already known for the customer"
    ),
    "ck_customer_ibans_iban_shape": Rule(Invalid, "iban", "iban is not a valid IBAN"),
    "ck_customer_ibans_source": Rule(Invalid, "source", "unknown IBAN source"),
    "fk_customer_ibans_customer_id_customers": ForeignKey(
        "customer_id", "customer does not exist", "the customer has known IBANs"
    ),
    "fk_customer_ibans_created_by_employees": ForeignKey(
        "created_by", "employee does not exist", "the employee recorded customer IBANs"
    ),
    # expenses
    "fk_expenses_project_id_projects": ForeignKey(
        "project_id", "project does not exist", "the project has expenses"
    ),
    "fk_expenses_invoice_id_invoices": ForeignKey(
        "invoice_id", "invoice does not exist", "the invoice has expenses"
    ),
    "fk_expenses_document_id_documents": ForeignKey(
        "document_id", "document does not exist", "the document is a receipt of an expense"
    ),
    "ck_expenses_amount_positive": Rule(Invalid, "amount", "amount must be greater than 0"),
    "ck_expenses_category": Rule(Invalid, "category", "unknown category"),
    # background jobs
    "ck_job_failures_attempt_positive": Rule(Invalid, "attempt", "attempt must be at least 1"),
}


def error_for(constraint: str | None, *, still_referenced: bool) -> WorkmateError | None:
    """Our error for a violated constraint, or None if the table does not know it."""
    entry = MESSAGES.get(constraint or "")
    if entry is None:
        return None
    if isinstance(entry, ForeignKey):
        if still_referenced:
            return Conflict(entry.referenced, field="id")
        return Invalid(entry.missing, field=entry.field)
    return entry.error(entry.message, field=entry.field)

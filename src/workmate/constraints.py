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
    # purchases: suppliers, received files, supplier bills and payments
    "uq_customers_supplier_number": Rule(
        Conflict, "supplier_number", "supplier number already taken; try again"
    ),
    "ck_customers_has_role": Rule(
        Invalid, "is_customer", "a business partner is a customer, a supplier or both"
    ),
    "ck_customers_supplier_number": Rule(
        Invalid, "supplier_number", "a supplier needs a supplier number"
    ),
    "uq_incoming_invoices_sha256": Rule(
        Conflict, "file", "this file was already received (same SHA-256)"
    ),
    "fk_incoming_invoices_received_by_employees": ForeignKey(
        "received_by", "employee does not exist", "the employee received supplier invoices"
    ),
    "uq_supplier_bills_supplier_invoice_number": Rule(
        Conflict, "invoice_number", "this supplier's invoice number is already booked"
    ),
    "uq_supplier_bills_number": Rule(Conflict, "number", "bill number already taken; try again"),
    "uq_supplier_bills_incoming_invoice_id": Rule(
        Conflict, "incoming_invoice_id", "the received invoice is booked already"
    ),
    "ck_supplier_bills_gross_is_net_plus_tax": Rule(
        Invalid, "gross_total", "gross must be net plus VAT"
    ),
    "ck_supplier_bills_due_is_gross_less_prepaid": Rule(
        Invalid, "amount_due", "amount due must be gross minus prepaid plus rounding"
    ),
    "ck_supplier_bills_invoice_number": Rule(
        Invalid, "invoice_number", "invoice_number must not be blank"
    ),
    "ck_supplier_bills_service_period": Rule(
        Invalid, "service_end", "service_end must be on or after service_start"
    ),
    "fk_supplier_bills_supplier_id_customers": ForeignKey(
        "supplier_id", "supplier does not exist", "the business partner has supplier bills"
    ),
    "fk_supplier_bills_incoming_invoice_id_incoming_invoices": ForeignKey(
        "incoming_invoice_id",
        "received invoice does not exist",
        "the received invoice is booked as a supplier bill",
    ),
    "fk_supplier_bills_project_id_projects": ForeignKey(
        "project_id", "project does not exist", "the project has supplier bills"
    ),
    "fk_supplier_bills_created_by_employees": ForeignKey(
        "created_by", "employee does not exist", "the employee booked supplier bills"
    ),
    "uq_supplier_bill_taxes_rate": Rule(Invalid, "taxes", "each VAT category and rate once"),
    "ck_supplier_bill_taxes_rate": Rule(Invalid, "taxes", "a VAT rate from 0 to below 100"),
    "ck_supplier_bill_taxes_category": Rule(Invalid, "taxes", "unknown VAT category"),
    "fk_supplier_payments_bill_id_supplier_bills": ForeignKey(
        "bill_id", "supplier bill does not exist", "the bill has payments"
    ),
    "uq_supplier_payments_idempotency_key": Rule(
        Conflict,
        "Idempotency-Key",
        "this Idempotency-Key is already used for another payment",
    ),
    "ck_supplier_payments_amount_positive": Rule(
        Invalid, "amount", "amount must be greater than 0"
    ),
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

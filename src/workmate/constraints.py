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
    "ck_invoices_partial_credit_note": Rule(
        Invalid, "partial", "only a credit note can be partial"
    ),
    "ck_invoice_lines_vat_rate": Rule(Invalid, "vat_rate", "vat_rate must be 19, 7 or 0"),
    "ck_invoice_lines_chosen_vat_rate": Rule(Invalid, "vat_rate", "vat_rate must be 19, 7 or 0"),
    "ck_invoice_lines_effective_vat_rate": Rule(
        Invalid, "vat_rate", "a line's VAT rate is its chosen rate or 0 (reverse charge, §19)"
    ),
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
    "uq_bank_matches_transaction_bill": Rule(
        Conflict, "bill_id", "the bank transaction is already matched to this supplier bill"
    ),
    "uq_bank_matches_supplier_payment_id": Rule(
        Conflict,
        "supplier_payment_id",
        "the supplier payment already belongs to a bank transaction",
    ),
    "ck_bank_matches_target": Rule(
        Invalid, "bill_id", "a match books on one invoice, or on one supplier bill with its payment"
    ),
    "fk_bank_matches_bill_id_supplier_bills": ForeignKey(
        "bill_id",
        "supplier bill does not exist",
        "the supplier bill is matched to a bank transaction",
    ),
    "fk_bank_matches_supplier_payment_id_supplier_payments": ForeignKey(
        "supplier_payment_id",
        "supplier payment does not exist",
        "the supplier payment belongs to a bank transaction",
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
    # working time (worktime)
    "ex_work_contracts_no_overlap": Rule(
        Conflict, "valid_from", "the contract overlaps another contract of the employee"
    ),
    "ck_work_contracts_dates": Rule(Invalid, "valid_to", "valid_to must not be before valid_from"),
    "ck_work_contracts_day_hours": Rule(
        Invalid, "day_hours", "hours per day must lie between 0 and 10 (§3 ArbZG)"
    ),
    "ck_work_contracts_weekly_hours": Rule(
        Invalid, "day_hours", "a contract needs working hours on at least one weekday"
    ),
    "ck_work_contracts_vacation_days": Rule(
        Invalid, "vacation_days", "vacation_days must lie between 0 and 100"
    ),
    "ck_work_contracts_federal_state": Rule(Invalid, "federal_state", "unknown federal state"),
    "fk_work_contracts_employee_id_employees": ForeignKey(
        "employee_id", "employee not found", "the employee has work contracts"
    ),
    "ck_public_holidays_federal_state": Rule(Invalid, "state", "unknown federal state"),
    "ck_public_holidays_category": Rule(Invalid, "category", "unknown holiday category"),
    "ex_absences_no_overlap": Rule(
        Conflict, "start_date", "the absence overlaps another absence of the employee"
    ),
    "ck_absences_dates": Rule(Invalid, "end_date", "end_date must not be before start_date"),
    "ck_absences_half_days": Rule(
        Invalid, "half_day_end", "a single day cannot be half at both ends; book a whole day"
    ),
    "ck_absences_certificate": Rule(
        Invalid, "certificate", "only sick leave has a doctor's certificate"
    ),
    "ck_absences_kind": Rule(Invalid, "kind", "unknown kind of absence"),
    "ck_absences_status": Rule(Invalid, "status", "unknown absence status"),
    "ck_absences_decided": Rule(Invalid, "status", "a decided absence needs its decision time"),
    "fk_absences_employee_id_employees": ForeignKey(
        "employee_id", "employee not found", "the employee has absences"
    ),
    "fk_absences_requested_by_employees": ForeignKey(
        "requested_by", "employee not found", "the employee requested absences"
    ),
    "fk_absences_decided_by_employees": ForeignKey(
        "decided_by", "employee not found", "the employee decided absences"
    ),
    "ex_breaks_no_overlap": Rule(
        Conflict, "start_time", "the break overlaps another break of the employee"
    ),
    "uq_breaks_running_per_employee": Rule(
        Conflict, "start_time", "a pause is already running; resume work first"
    ),
    "ck_breaks_end_after_start": Rule(Invalid, "end_time", "end_time must be after start_time"),
    "fk_breaks_employee_id_employees": ForeignKey(
        "employee_id", "employee not found", "the employee has recorded breaks"
    ),
    "fk_breaks_paused_entry_id_time_entries": ForeignKey(
        "paused_entry_id", "time entry not found", "the time entry was paused"
    ),
    "uq_break_deductions_employee_id_day": Rule(
        Conflict, "day", "the day already has a break deduction"
    ),
    "ck_break_deductions_minutes": Rule(Invalid, "minutes", "minutes must be greater than 0"),
    "ck_break_deductions_reversal_complete": Rule(
        Invalid, "reversed_by", "a reversal names who reversed and when"
    ),
    "fk_break_deductions_employee_id_employees": ForeignKey(
        "employee_id", "employee not found", "the employee has break deductions"
    ),
    "fk_break_deductions_reversed_by_employees": ForeignKey(
        "reversed_by", "employee not found", "the employee reversed break deductions"
    ),
    "uq_account_bookings_opening": Rule(
        Conflict, "kind", "the account has an opening balance; book a correction instead"
    ),
    "ck_account_bookings_account": Rule(Invalid, "account", "unknown account"),
    "ck_account_bookings_kind": Rule(Invalid, "kind", "unknown kind of booking"),
    "ck_account_bookings_payout_positive": Rule(
        Invalid, "quantity", "a payout must be greater than 0"
    ),
    "ck_account_bookings_quantity": Rule(Invalid, "quantity", "quantity must not be 0"),
    "fk_account_bookings_employee_id_employees": ForeignKey(
        "employee_id", "employee not found", "the employee has account bookings"
    ),
    "fk_account_bookings_created_by_employees": ForeignKey(
        "created_by", "employee not found", "the employee booked on accounts"
    ),
    "uq_month_closings_employee_id_month": Rule(
        Conflict, "month", "the month was closed meanwhile; reload and try again"
    ),
    "ck_month_closings_first_of_month": Rule(Invalid, "month", "a month starts on its first day"),
    "ck_month_closings_status": Rule(Invalid, "status", "unknown month status"),
    "ck_month_closings_approval_signed": Rule(
        Invalid, "status", "an approval names who approved and when"
    ),
    "fk_month_closings_employee_id_employees": ForeignKey(
        "employee_id", "employee not found", "the employee has closed months"
    ),
    "fk_month_closings_submitted_by_employees": ForeignKey(
        "submitted_by", "employee not found", "the employee submitted months"
    ),
    "fk_month_closings_decided_by_employees": ForeignKey(
        "decided_by", "employee not found", "the employee decided months"
    ),
    "ck_worktime_settings_single_row": Rule(Invalid, "id", "there is one settings row"),
    "ck_worktime_settings_break_mode": Rule(Invalid, "break_mode", "break_mode: deduct or warn"),
    "ck_worktime_settings_half_days": Rule(
        Invalid, "half_days", "half days are given as MM-DD, e.g. 12-24"
    ),
    "ck_worktime_settings_carry_over_expiry": Rule(
        Invalid, "carry_over_expiry", "carry_over_expiry is given as MM-DD, e.g. 03-31"
    ),
    "ck_worktime_settings_locked_through_month_end": Rule(
        Invalid, "month", "months are locked through a month's last day"
    ),
    "uq_calendar_feeds_token_hash": Rule(Conflict, "token", "token collision; try again"),
    "fk_calendar_feeds_employee_id_employees": ForeignKey(
        "employee_id", "employee not found", "the employee has a calendar feed"
    ),
    # background jobs
    "ck_job_failures_attempt_positive": Rule(Invalid, "attempt", "attempt must be at least 1"),
    # company settings: the legal details (migration 0012)
    "ck_company_settings_legal_form": Rule(Invalid, "legal_form", "unknown legal form"),
    # outbox and sending (migration 0017)
    "ck_outbox_messages_state": Rule(Invalid, "state", "unknown message state"),
    "ck_outbox_messages_purpose": Rule(Invalid, "purpose", "unknown message purpose"),
    "ck_outbox_messages_language": Rule(Invalid, "language", "language: de or en"),
    "ck_outbox_messages_recipients": Rule(Invalid, "to", "a message has 1 to 20 recipients"),
    "ck_outbox_messages_attempts": Rule(Invalid, "attempts", "attempts cannot be negative"),
    "ck_outbox_messages_sent_at": Rule(
        Invalid, "state", "a sent message has a sending time, and only a sent one"
    ),
    # migration 0023
    "ck_outbox_messages_secret_link": Rule(
        Invalid, "state", "a one-time link is kept only while its message waits"
    ),
    "uq_outbox_messages_one_queued": Rule(
        Conflict, "state", "a message about this is already waiting in the outbox"
    ),
    "uq_outbox_messages_smtp_message_id": Rule(
        Conflict, "smtp_message_id", "message id collision; try again"
    ),
    "fk_outbox_messages_created_by_id_employees": ForeignKey(
        "created_by_id", "employee not found", "the employee wrote outbox messages"
    ),
    "uq_outbox_attachments_message_id_position": Rule(
        Conflict, "attachments", "two attachments at the same position"
    ),
    "fk_outbox_attachments_message_id_outbox_messages": ForeignKey(
        "message_id", "message not found", "the message has attachments"
    ),
    "ck_invoice_dispatches_channel": Rule(Invalid, "channel", "channel: email or post"),
    "ck_invoice_dispatches_email_message": Rule(
        Invalid, "message_id", "an e-mail dispatch names its message, a postal one none"
    ),
    "uq_invoice_dispatches_message_id": Rule(
        Conflict, "message_id", "this message already counts as a dispatch"
    ),
    "fk_invoice_dispatches_invoice_id_invoices": ForeignKey(
        "invoice_id", "invoice not found", "the invoice was sent and is kept"
    ),
    "fk_invoice_dispatches_message_id_outbox_messages": ForeignKey(
        "message_id", "message not found", "the message delivered an invoice and is kept"
    ),
    "fk_invoice_dispatches_created_by_id_employees": ForeignKey(
        "created_by_id", "employee not found", "the employee sent invoices"
    ),
    "ck_mail_templates_purpose": Rule(Invalid, "purpose", "unknown template purpose"),
    "ck_mail_templates_language": Rule(Invalid, "language", "language: de or en"),
    # quotes and billing them (migration 0017b)
    "ck_quotes_status": Rule(Invalid, "status", "unknown quote status"),
    "ck_quotes_vat_treatment": Rule(Invalid, "vat_treatment", "unknown VAT treatment"),
    "ck_quotes_issued_has_number": Rule(Conflict, "number", "an issued quote has a number"),
    "ck_quotes_issued_has_date": Rule(Conflict, "issued_date", "an issued quote has a date"),
    "ck_quotes_valid_after_issue": Rule(
        Invalid, "valid_until", "valid_until must not be before the quote date"
    ),
    "ck_quotes_decided": Rule(
        Conflict, "status", "an accepted or declined quote records when it was decided"
    ),
    "uq_quotes_number": Rule(Conflict, "number", "quote number already used; try again"),
    "fk_quotes_customer_id_customers": ForeignKey(
        "customer_id", "customer_id: no such customer", "the customer has quotes"
    ),
    "fk_quotes_project_id_projects": ForeignKey(
        "project_id", "project_id: no such project", "the project has quotes"
    ),
    "ck_quote_lines_vat_rate": Rule(Invalid, "vat_rate", "vat_rate must be 19, 7 or 0"),
    "ck_quote_lines_chosen_vat_rate": Rule(Invalid, "vat_rate", "vat_rate must be 19, 7 or 0"),
    "ck_quote_lines_effective_vat_rate": Rule(
        Invalid, "vat_rate", "a line's VAT rate is its chosen rate or 0 (reverse charge, §19)"
    ),
    "ck_quote_lines_discount": Rule(
        Invalid, "discount_percent", "discount_percent must be between 0 and 100"
    ),
    "ck_quote_lines_quantity": Rule(Invalid, "quantity", "quantity must not be 0"),
    "fk_quote_lines_quote_id_quotes": ForeignKey(
        "quote_id", "quote_id: no such quote", "the quote has lines"
    ),
    "ck_invoices_billing": Rule(Invalid, "billing", "billing: standard, down_payment or final"),
    "ck_invoices_prepaid": Rule(
        Invalid, "prepaid_total", "only a final invoice deducts down payments"
    ),
    "ck_invoices_billing_quote": Rule(
        Invalid, "quote_id", "a down-payment or final invoice names its quote"
    ),
    "fk_invoices_quote_id_quotes": ForeignKey(
        "quote_id", "quote_id: no such quote", "the quote is billed by invoices"
    ),
    # recurring invoices (migration 0017c)
    "ck_recurring_invoices_interval": Rule(
        Invalid, "interval", "interval: monthly, quarterly or yearly"
    ),
    "ck_recurring_invoices_mode": Rule(Invalid, "mode", "mode: draft, issue or issue_and_send"),
    "ck_recurring_invoices_status": Rule(Invalid, "status", "status: active, paused or ended"),
    "ck_recurring_invoices_vat_treatment": Rule(Invalid, "vat_treatment", "unknown VAT treatment"),
    "ck_recurring_invoices_end_after_first": Rule(
        Invalid, "end_date", "end_date must not be before first_date"
    ),
    "ck_recurring_invoices_next_after_first": Rule(
        Invalid, "first_date", "the next period cannot start before the first date"
    ),
    "fk_recurring_invoices_customer_id_customers": ForeignKey(
        "customer_id", "customer_id: no such customer", "the customer has recurring invoices"
    ),
    "fk_recurring_invoices_project_id_projects": ForeignKey(
        "project_id", "project_id: no such project", "the project has recurring invoices"
    ),
    "fk_recurring_invoices_created_by_id_employees": ForeignKey(
        "created_by_id", "employee not found", "the employee set up recurring invoices"
    ),
    "ck_recurring_invoice_lines_vat_rate": Rule(Invalid, "vat_rate", "vat_rate must be 19, 7 or 0"),
    "ck_recurring_invoice_lines_discount": Rule(
        Invalid, "discount_percent", "discount_percent must be between 0 and 100"
    ),
    "ck_recurring_invoice_lines_quantity": Rule(Invalid, "quantity", "quantity must not be 0"),
    "ck_recurring_invoice_lines_unit_price": Rule(
        Invalid, "unit_price", "unit_price must not be negative"
    ),
    "fk_recurring_invoice_lines_template_id_recurring_invoices": ForeignKey(
        "template_id", "template_id: no such recurring invoice", "the template has lines"
    ),
    "ck_recurring_runs_period": Rule(Invalid, "period_end", "a period ends after it starts"),
    "uq_recurring_runs_template_id_period_start": Rule(
        Conflict, "period_start", "this period was billed already"
    ),
    "uq_recurring_runs_invoice_id": Rule(
        Conflict, "invoice_id", "the invoice belongs to another period"
    ),
    "fk_recurring_runs_template_id_recurring_invoices": ForeignKey(
        "template_id", "template_id: no such recurring invoice", "the template has runs"
    ),
    "fk_recurring_runs_invoice_id_invoices": ForeignKey(
        "invoice_id", "invoice_id: no such invoice", "the invoice was created by a template"
    ),
    # dunning letters (migration 0017d)
    "ck_base_rates_rate": Rule(Invalid, "rate", "the base rate must be between -10 and 20"),
    "ck_dunning_blocks_one_target": Rule(
        Invalid, "customer_id", "a stop flag is for one customer or one invoice"
    ),
    "uq_dunning_blocks_customer_id": Rule(
        Conflict, "customer_id", "dunning is already stopped for this customer"
    ),
    "uq_dunning_blocks_invoice_id": Rule(
        Conflict, "invoice_id", "dunning is already stopped for this invoice"
    ),
    "fk_dunning_blocks_customer_id_customers": ForeignKey(
        "customer_id", "customer_id: no such customer", "the customer has a dunning stop"
    ),
    "fk_dunning_blocks_invoice_id_invoices": ForeignKey(
        "invoice_id", "invoice_id: no such invoice", "the invoice has a dunning stop"
    ),
    "ck_dunning_letters_level": Rule(Invalid, "level", "dunning levels are 1 to 3"),
    "ck_dunning_letters_channel": Rule(Invalid, "channel", "channel: email or print"),
    "ck_dunning_letters_flat_fee": Rule(
        Invalid, "flat_fee", "the flat fee is 40 EUR (section 288 (5) BGB) or nothing"
    ),
    "ck_dunning_letters_amounts": Rule(
        Invalid, "open_amount", "a letter claims a positive open amount and no negative fees"
    ),
    "uq_dunning_letters_invoice_id_level": Rule(
        Conflict, "level", "this dunning level was already sent for the invoice"
    ),
    "uq_dunning_letters_one_flat_fee": Rule(
        Conflict, "flat_fee", "the flat fee is charged once per invoice"
    ),
    "fk_dunning_letters_invoice_id_invoices": ForeignKey(
        "invoice_id", "invoice_id: no such invoice", "the invoice has dunning letters"
    ),
    "fk_dunning_letters_message_id_outbox_messages": ForeignKey(
        "message_id", "message not found", "the message carried a dunning letter"
    ),
    "fk_dunning_letters_created_by_id_employees": ForeignKey(
        "created_by_id", "employee not found", "the employee sent dunning letters"
    ),
    # every other named constraint of the schema (tests/test_constraints.py holds the table
    # and the database to one entry each)
    "ck_chat_messages_message_length": Rule(
        Invalid, "message", "a message has 1 to 4,000 characters"
    ),
    "ck_company_settings_payment_terms": Rule(
        Invalid, "payment_terms_days", "payment terms lie between 0 and 365 days"
    ),
    "ck_company_settings_single_row": Rule(Invalid, "id", "there is one row of company settings"),
    "ck_company_settings_vat_mode": Rule(
        Invalid, "vat_mode", "vat_mode must be regular or small_business"
    ),
    "ck_customers_country": Rule(
        Invalid, "country", "country must be a two-letter ISO code, e.g. DE"
    ),
    "ck_customers_type": Rule(Invalid, "type", "type must be B2B or B2C"),
    "ck_dashboards_theme": Rule(Invalid, "theme", "theme must be light or dark"),
    "ck_documents_category": Rule(Invalid, "category", "unknown document category"),
    "ck_documents_checksum_sha256": Rule(Invalid, "file", "the file checksum must be a SHA-256"),
    "ck_documents_link_complete": Rule(
        Invalid, "linked_id", "linked_module and linked_id go together"
    ),
    "ck_documents_linked_module": Rule(Invalid, "linked_module", "unknown linked module"),
    "ck_documents_size_nonnegative": Rule(Invalid, "file", "the file size must not be negative"),
    "ck_incoming_invoices_einvoice_status": Rule(
        Invalid, "status", "only a file without an e-invoice is marked not_einvoice"
    ),
    "ck_incoming_invoices_kind": Rule(
        Invalid, "file", "a received invoice is an XML or a PDF file"
    ),
    "ck_incoming_invoices_official_verdict": Rule(
        Invalid, "official_verdict", "the official verdict is ok or FAIL"
    ),
    "ck_incoming_invoices_sha256": Rule(Invalid, "file", "the file checksum must be a SHA-256"),
    "ck_incoming_invoices_size_positive": Rule(Invalid, "file", "the file is empty"),
    "ck_incoming_invoices_status": Rule(Invalid, "status", "unknown status of a received invoice"),
    "ck_invoice_lines_discount": Rule(
        Invalid, "discount_percent", "discount_percent must lie between 0 and 100"
    ),
    "ck_invoices_credit_note_references": Rule(
        Invalid, "cancels_id", "a credit note, and only a credit note, names the invoice it cancels"
    ),
    "ck_invoices_due_after_issue": Rule(
        Invalid, "due_date", "due_date must not be before the issue date"
    ),
    "ck_invoices_dunning_level": Rule(
        Invalid, "dunning_level", "the dunning level lies between 0 and 3"
    ),
    "ck_invoices_issued_has_date": Rule(
        Invalid, "issued_date", "an issued invoice has an issue date"
    ),
    "ck_invoices_issued_has_number": Rule(Invalid, "number", "an issued invoice has a number"),
    "ck_invoices_kind": Rule(Invalid, "kind", "kind must be invoice or credit_note"),
    "ck_invoices_service_period": Rule(
        Invalid, "service_end", "service_end must be on or after service_start"
    ),
    "ck_invoices_status": Rule(Invalid, "status", "unknown invoice status"),
    "ck_invoices_vat_treatment": Rule(
        Invalid, "vat_treatment", "vat_treatment must be regular, reverse_charge or small_business"
    ),
    "ck_number_counters_positive": Rule(Invalid, "next_value", "a number counter starts at 1"),
    "ck_payments_method": Rule(Invalid, "method", "unknown payment method"),
    "ck_projects_hourly_rate": Rule(Invalid, "hourly_rate", "hourly_rate must not be negative"),
    "ck_reminders_linked_to": Rule(
        Invalid, "linked_to", "a reminder links to a customer, project or invoice"
    ),
    "ck_reminders_priority": Rule(Invalid, "priority", "priority must be low, medium or high"),
    "ck_supplier_bills_category": Rule(Invalid, "category", "unknown category"),
    "ck_supplier_bills_currency": Rule(Invalid, "currency", "currency must be an ISO 4217 code"),
    "ck_supplier_bills_kind": Rule(Invalid, "kind", "kind must be invoice or credit_note"),
    "ck_supplier_bills_status": Rule(
        Invalid, "status", "unknown payment status of a supplier bill"
    ),
    "ck_supplier_payments_method": Rule(Invalid, "method", "unknown payment method"),
    "uq_api_tokens_token_hash": Rule(Conflict, "token", "token collision; try again"),
    "uq_auth_sessions_token_hash": Rule(Conflict, "session", "session collision; log in again"),
    "uq_dashboards_user_id": Rule(
        Conflict, "user_id", "the dashboard was saved meanwhile; reload and try again"
    ),
    "fk_api_tokens_employee_id_employees": ForeignKey(
        "employee_id", "employee not found", "the employee has API tokens"
    ),
    "fk_auth_sessions_employee_id_employees": ForeignKey(
        "employee_id", "employee not found", "the employee has sessions"
    ),
    "fk_chat_messages_author_id_employees": ForeignKey(
        "author_id", "employee not found", "the employee wrote chat messages"
    ),
    "fk_chat_messages_project_id_projects": ForeignKey(
        "project_id", "project does not exist", "the project has chat messages"
    ),
    "fk_contacts_customer_id_customers": ForeignKey(
        "customer_id", "customer does not exist", "the customer has contacts"
    ),
    "fk_dashboards_user_id_employees": ForeignKey(
        "user_id", "employee not found", "the employee has a dashboard"
    ),
    "fk_documents_owner_id_employees": ForeignKey(
        "owner_id", "employee not found", "the employee owns documents"
    ),
    "fk_invoice_lines_invoice_id_invoices": ForeignKey(
        "invoice_id", "invoice does not exist", "the invoice has lines"
    ),
    "fk_invoice_lines_credits_line_id_invoice_lines": ForeignKey(
        "credits_line_id", "not a line of this invoice", "the line was credited by a credit note"
    ),
    "fk_invoices_cancels_id_invoices": ForeignKey(
        "cancels_id", "the cancelled invoice does not exist", "the invoice has a credit note"
    ),
    "fk_payments_invoice_id_invoices": ForeignKey(
        "invoice_id", "invoice does not exist", "the invoice has payments"
    ),
    "fk_projects_department_id_departments": ForeignKey(
        "department_id", "department does not exist", "the department has projects"
    ),
    "fk_reminders_owner_id_employees": ForeignKey(
        "owner_id", "employee not found", "the employee has reminders"
    ),
    "fk_supplier_bill_taxes_bill_id_supplier_bills": ForeignKey(
        "bill_id", "supplier bill does not exist", "the bill has VAT lines"
    ),
    "fk_time_entries_employee_id_employees": ForeignKey(
        "employee_id", "employee not found", "the employee has booked time"
    ),
    "fk_time_entries_invoice_id_invoices": ForeignKey(
        "invoice_id", "invoice does not exist", "the invoice bills time entries"
    ),
    "fk_project_members_project_id_projects": ForeignKey(
        "project_id", "project does not exist", "the project has members"
    ),
    "fk_project_members_employee_id_employees": ForeignKey(
        "employee_id", "employee not found", "the employee is a project member"
    ),
    "fk_project_members_added_by_employees": ForeignKey(
        "added_by", "employee not found", "the employee added project members"
    ),
    # invitations: one-time set-password links (migration 0021)
    "fk_invitations_employee_id_employees": ForeignKey(
        "employee_id", "employee not found", "the employee has invitation links"
    ),
    "uq_invitations_token_hash": Rule(Conflict, "token", "invitation link collision; try again"),
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

"""All ORM models, one file per table; importing this package registers every table."""

from workmate.models.absence import Absence
from workmate.models.account_booking import AccountBooking
from workmate.models.api_token import ApiToken
from workmate.models.audit_log import AuditLog
from workmate.models.auth_session import AuthSession
from workmate.models.bank_account import BankAccount
from workmate.models.bank_file import BankFile
from workmate.models.bank_match import BankMatch
from workmate.models.bank_statement import BankStatement
from workmate.models.bank_transaction import BankTransaction
from workmate.models.base import Base
from workmate.models.base_rate import BaseRate
from workmate.models.break_deduction import BreakDeduction
from workmate.models.calendar_feed import CalendarFeed
from workmate.models.chat_message import ChatMessage
from workmate.models.company_settings import CompanySettings
from workmate.models.contact import Contact
from workmate.models.customer import Customer
from workmate.models.customer_iban import CustomerIban
from workmate.models.dashboard import Dashboard
from workmate.models.department import Department
from workmate.models.document import Document
from workmate.models.dunning_block import DunningBlock
from workmate.models.dunning_letter import DunningLetter
from workmate.models.employee import Employee
from workmate.models.expense import Expense
from workmate.models.incoming_invoice import IncomingInvoice
from workmate.models.invitation import Invitation
from workmate.models.invoice import Invoice
from workmate.models.invoice_dispatch import InvoiceDispatch
from workmate.models.invoice_line import InvoiceLine
from workmate.models.job_failure import JobFailure
from workmate.models.login_attempt import LoginAttempt
from workmate.models.mail_template import MailTemplate
from workmate.models.month_closing import MonthClosing
from workmate.models.number_counter import NumberCounter
from workmate.models.outbox_attachment import OutboxAttachment
from workmate.models.outbox_message import OutboxMessage
from workmate.models.payment import Payment
from workmate.models.project import Project
from workmate.models.project_member import ProjectMember
from workmate.models.public_holiday import PublicHoliday
from workmate.models.quote import Quote
from workmate.models.quote_line import QuoteLine
from workmate.models.recurring_invoice import RecurringInvoice
from workmate.models.recurring_invoice_line import RecurringInvoiceLine
from workmate.models.recurring_run import RecurringRun
from workmate.models.reminder import Reminder
from workmate.models.role import Role
from workmate.models.supplier_bill import SupplierBill
from workmate.models.supplier_bill_tax import SupplierBillTax
from workmate.models.supplier_payment import SupplierPayment
from workmate.models.time_entry import TimeEntry
from workmate.models.upload_slot import UploadSlot
from workmate.models.work_break import WorkBreak
from workmate.models.work_contract import WorkContract
from workmate.models.worktime_settings import WorktimeSettings

__all__ = [
    "Absence",
    "AccountBooking",
    "ApiToken",
    "AuditLog",
    "AuthSession",
    "BankAccount",
    "BankFile",
    "BankMatch",
    "BankStatement",
    "BankTransaction",
    "Base",
    "BaseRate",
    "BreakDeduction",
    "CalendarFeed",
    "ChatMessage",
    "CompanySettings",
    "Contact",
    "Customer",
    "CustomerIban",
    "Dashboard",
    "Department",
    "Document",
    "DunningBlock",
    "DunningLetter",
    "Employee",
    "Expense",
    "IncomingInvoice",
    "Invitation",
    "Invoice",
    "InvoiceDispatch",
    "InvoiceLine",
    "JobFailure",
    "LoginAttempt",
    "MailTemplate",
    "MonthClosing",
    "NumberCounter",
    "OutboxAttachment",
    "OutboxMessage",
    "Payment",
    "Project",
    "ProjectMember",
    "PublicHoliday",
    "Quote",
    "QuoteLine",
    "RecurringInvoice",
    "RecurringInvoiceLine",
    "RecurringRun",
    "Reminder",
    "Role",
    "SupplierBill",
    "SupplierBillTax",
    "SupplierPayment",
    "TimeEntry",
    "UploadSlot",
    "WorkBreak",
    "WorkContract",
    "WorktimeSettings",
]

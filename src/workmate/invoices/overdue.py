"""The one definition of "overdue" and "open", used by every list, filter, statistic and job.

The original system computed overdue three ways (statistics said 59, the filter found 1).
Here an invoice is overdue when it is issued, not paid, not cancelled and past its due date,
whether or not the nightly job has already stored status 'overdue'. Credit notes are never
open or overdue: they expect no payment (their due_date is NULL).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, and_, case, or_

from workmate import clock
from workmate.models import Invoice

# Issued and still expecting money.
OPEN_STATUSES = ("sent", "overdue")
# Invoice dates are German calendar dates, whatever the server's clock zone.
BUSINESS_ZONE = clock.BUSINESS_ZONE


def today() -> date:
    """Today's date in Germany (issue dates, due dates and overdue are calendar dates there)."""
    return clock.today()


def is_open() -> ColumnElement[bool]:
    return and_(Invoice.status.in_(OPEN_STATUSES), Invoice.kind == "invoice")


def is_overdue(today: date) -> ColumnElement[bool]:
    return and_(
        Invoice.kind == "invoice",
        or_(
            Invoice.status == "overdue",
            and_(Invoice.status == "sent", Invoice.due_date < today),
        ),
    )


def effective_status(today: date) -> ColumnElement[str]:
    """The status every list shows: stored status, but 'overdue' once past due."""
    return case((is_overdue(today), "overdue"), else_=Invoice.status)


def status_of(invoice: Invoice, today: date) -> str:
    """The same rule for one loaded invoice."""
    if invoice.kind == "invoice" and (
        invoice.status == "overdue"
        or (invoice.status == "sent" and invoice.due_date is not None and invoice.due_date < today)
    ):
        return "overdue"
    return invoice.status

"""The one definition of "overdue" and "open", used by every list, filter, statistic and job.

The original system computed overdue three ways (statistics said 59, the filter found 1).
Here an invoice is overdue when it is issued, not paid, not cancelled and past its due date,
whether or not the nightly job has already stored status 'overdue'.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, and_, or_

from workmate.models import Invoice

# Issued and still expecting money.
OPEN_STATUSES = ("sent", "overdue")


def is_open() -> ColumnElement[bool]:
    return Invoice.status.in_(OPEN_STATUSES)


def is_overdue(today: date) -> ColumnElement[bool]:
    return or_(
        Invoice.status == "overdue",
        and_(Invoice.status == "sent", Invoice.due_date < today),
    )

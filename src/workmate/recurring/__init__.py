"""Recurring invoices: templates billed once per period by a periodic job."""

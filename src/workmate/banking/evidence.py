"""The evidence a proposal shows, in words. Codes are stable (API, stored proposals); each has
an English message template whose German translation is in the web catalog (web/banking.py
marks them). A supplier bill's evidence has its own words (codes `bill_...`, matching.BILL_CODES).
Points say how much each piece weighs in the score (0..100)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

TEMPLATES: dict[str, str] = {
    "number_exact": "invoice number {number} is in the purpose",
    "number_reformatted": "invoice number {number} is in the purpose, written as “{found}”",
    "number_similar": (
        "the purpose has “{found}”, one character away from invoice number {number}"
    ),
    "numbers_other": "the purpose also names {numbers}, which this proposal does not pay",
    "amount_open": "the amount equals the open amount of {open} EUR",
    "amount_sum": "the amount equals the open amounts of {count} invoices together ({open} EUR)",
    "amount_partial": "the amount pays {amount} EUR of the open {open} EUR (partial payment)",
    "amount_over": (
        "the amount is {excess} EUR more than the open {open} EUR; the rest stays as a credit"
    ),
    "amount_skonto": (
        "the amount is the open amount less {percent} % ({discount} EUR), a cash discount "
        "the invoice does not grant; booked as a partial payment"
    ),
    "amount_total_paid": (
        "the amount equals the invoice total of {total} EUR, but {paid} EUR of it is already paid"
    ),
    "amount_unique": "the only open invoice of this customer with this amount",
    "iban_known": "the payer's IBAN {iban} is known for customer {customer}",
    "iban_other": "the payer's IBAN {iban} is known for another customer",
    "name_similar": "the account holder “{name}” resembles customer {customer} ({percent} %)",
    "name_differs": "the account holder “{name}” does not resemble customer {customer}",
    "date_after": "booked {days} days after the invoice date {issued}",
    "date_before": "booked before the invoice date {issued}",
    "refund": "money paid out for credit note {number}",
    "bill_number_exact": "the supplier's invoice number {number} is in the purpose",
    "bill_number_reformatted": (
        "the supplier's invoice number {number} is in the purpose, written as “{found}”"
    ),
    "bill_number_similar": (
        "the purpose has “{found}”, one character away from the supplier's invoice number {number}"
    ),
    "bill_reference": "the bill's payment reference “{found}” is in the purpose",
    "bill_amount_sum": (
        "the amount equals the open amounts of {count} supplier bills together ({open} EUR)"
    ),
    "bill_amount_unique": "the only open bill of this supplier with this amount",
    "bill_iban_known": "the payee's IBAN {iban} is known for supplier {customer}",
    "bill_iban_other": "the payee's IBAN {iban} is known for another business partner",
    "bill_name_similar": (
        "the account holder “{name}” resembles supplier {customer} ({percent} %)"
    ),
    "bill_name_differs": "the account holder “{name}” does not resemble supplier {customer}",
}


def text(code: str, params: Mapping[str, Any]) -> str:
    """The English sentence of one piece of evidence."""
    template = TEMPLATES.get(code, code)
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return template

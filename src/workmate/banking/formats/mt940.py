"""MT940 (SWIFT customer statement, German DFÜ flavour) through the `mt-940` library, which
splits the `:86:` field into its `?00`..`?34` sub-fields (posting text, purpose `?20`-`?29`
with SEPA keywords EREF+/MREF+/CRED+/SVWZ+, counterparty BIC `?30`, IBAN `?31`, name
`?32`/`?33`, GVC)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

import mt940
from mt940 import Options

from workmate.banking.formats.common import (
    Entry,
    FormatError,
    Statement,
    bic,
    clean,
    decode_text,
    iban,
    reference,
)

_START = re.compile(r"^\s*(\{1:[^}]*\}\s*)?(\{2:[^}]*\}\s*)?(\{4:\s*)?:20:", re.ASCII)
_OPTIONS = Options.all()


def looks_like(data: bytes) -> bool:
    head = decode_text(data[:2048]).lstrip("\ufeff")
    return bool(_START.match(head)) or (":20:" in head[:400] and ":25:" in head)


def parse(data: bytes) -> list[Statement]:
    """Every statement (`:20:` ... `:62F:` block) of an MT940 file."""
    text = decode_text(data).lstrip("\ufeff")
    try:
        parsed = mt940.parse_statements(text, options=_OPTIONS)
    except Exception as exc:  # the library raises many kinds on malformed input
        raise FormatError(
            "the file is not readable as MT940: {reason}", reason=str(exc)[:200]
        ) from None
    statements = [_statement(s) for s in parsed]
    if not statements:
        raise FormatError("the MT940 file holds no statement")
    return statements


def _balance(data: dict[str, Any], *names: str) -> tuple[Decimal | None, date | None, str | None]:
    for name in names:
        balance = data.get(name)
        if balance is not None:
            return balance.amount.amount, _day(balance.date), balance.amount.currency
    return None, None, None


def _statement(s: Any) -> Statement:
    data = s.data
    opening, start, ccy_open = _balance(
        data, "final_opening_balance", "intermediate_opening_balance"
    )
    closing, end, ccy_close = _balance(
        data, "final_closing_balance", "intermediate_closing_balance"
    )
    entries = [_entry(t.data) for t in s]
    currency = ccy_open or ccy_close or (entries[0].currency if entries else "EUR")
    number = "/".join(
        str(p) for p in (data.get("statement_number"), data.get("sequence_number")) if p
    )
    return Statement(
        format="mt940",
        account=clean(data.get("account_identification")),
        currency=currency,
        entries=entries,
        opening=opening,
        closing=closing,
        period_start=start,
        period_end=end,
        external_id=clean(data.get("transaction_reference"), "external_id"),
        sequence=clean(number, "sequence"),
    )


def _day(value: Any) -> date | None:
    return date(value.year, value.month, value.day) if value is not None else None


def _entry(t: dict[str, Any]) -> Entry:
    amount = t["amount"]
    booked = _day(t.get("entry_date")) or _day(t.get("guessed_entry_date")) or _day(t.get("date"))
    if booked is None:
        raise FormatError("an MT940 transaction has no date")
    return Entry(
        booking_date=booked,
        value_date=_day(t.get("date")),
        amount=amount.amount,
        currency=amount.currency or t.get("currency") or "EUR",
        counterparty_name=clean(t.get("applicant_name"), "counterparty_name"),
        counterparty_iban=iban(t.get("applicant_iban") or t.get("gvc_applicant_iban")),
        counterparty_bic=bic(t.get("applicant_bin") or t.get("gvc_applicant_bin")),
        purpose=clean(t.get("purpose"), "purpose"),
        booking_text=clean(t.get("posting_text"), "booking_text"),
        booking_code=clean(t.get("transaction_code") or t.get("id"), "booking_code"),
        bank_reference=reference(t.get("bank_reference")),
        end_to_end_id=reference(t.get("end_to_end_reference")),
        mandate_id=reference(t.get("additional_position_reference")),
        creditor_id=reference(t.get("applicant_creditor_id")),
    )

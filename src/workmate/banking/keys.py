"""Stable keys: the same transaction gets the same key however often (and in whichever file)
it arrives, so a unique index stores it once.

- With the bank's own reference (camt AcctSvcrRef, MT940 bank reference): a hash of account,
  reference, booking date and amount ("r:...").
- Without: a hash of account, booking date, amount, counterparty and purpose, plus the number
  of the occurrence within the statement ("h:...:2"), so two truly identical transactions on
  one day (two coffees at the same shop) stay two, and the same day imported again adds none.
Texts are compared without whitespace or case: banks wrap purposes differently in exports.
"""

from __future__ import annotations

import hashlib
import uuid
from collections import Counter
from decimal import Decimal

from workmate.banking.formats.common import Entry, Statement


def _norm(value: str | None) -> str:
    return "".join((value or "").split()).casefold()


def _digest(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()


def _amount(value: Decimal) -> str:
    return f"{value:.2f}"


def keys(account_id: uuid.UUID, entries: list[Entry]) -> list[str]:
    """The key of every entry of one statement, in order."""
    by_reference = Counter(
        (e.bank_reference, e.booking_date, e.amount) for e in entries if e.bank_reference
    )
    seen: Counter[str] = Counter()
    result = []
    for e in entries:
        # A reference the bank used twice for the same day and amount is no reference.
        if e.bank_reference and by_reference[(e.bank_reference, e.booking_date, e.amount)] == 1:
            result.append(
                "r:" + _digest(account_id, e.bank_reference, e.booking_date, _amount(e.amount))
            )
            continue
        content = _digest(
            account_id,
            e.booking_date,
            _amount(e.amount),
            e.currency,
            _norm(e.counterparty_name),
            e.counterparty_iban or "",
            _norm(e.purpose),
        )
        seen[content] += 1
        result.append(f"h:{content}:{seen[content]}")
    return result


def fingerprint(account_id: uuid.UUID, statement: Statement, entry_keys: list[str]) -> str:
    """What identifies a statement: its account, period, balances and entries."""
    start, end = statement.period()
    return _digest(
        account_id,
        statement.format,
        statement.external_id or "",
        statement.sequence or "",
        start,
        end,
        "" if statement.opening is None else _amount(statement.opening),
        "" if statement.closing is None else _amount(statement.closing),
        *sorted(entry_keys),
    )

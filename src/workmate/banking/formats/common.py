"""What every statement format is read into, and the refusal all readers raise."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

# Columns of bank_transactions; longer texts from a bank are cut, never refused.
LIMITS = {
    "counterparty_name": 200,
    "booking_text": 200,
    "booking_code": 40,
    "bank_reference": 140,
    "end_to_end_id": 140,
    "mandate_id": 140,
    "creditor_id": 140,
    "purpose": 4000,
    "external_id": 140,
    "sequence": 40,
}
# Placeholders banks write where a reference is missing.
NO_REFERENCE = frozenset({"", "NONREF", "NOTPROVIDED", "NOT PROVIDED", "NONE", "NULL", "0"})


class FormatError(Exception):
    """The file cannot be read as the format it claims (or any supported one). `template` is
    an English message with {placeholders}; `params` their values."""

    def __init__(self, template: str, **params: Any) -> None:
        self.template = template
        self.params = params
        super().__init__(template.format(**params) if params else template)


class MappingNeeded(FormatError):
    """A CSV file whose columns no preset knows: a column mapping must say which is which."""


@dataclass(frozen=True, slots=True)
class Note:
    """Something the reader noticed that the user should see (not an error)."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Entry:
    """One booked transaction. Amount signed: money in positive, money out negative."""

    booking_date: date
    amount: Decimal
    currency: str
    value_date: date | None = None
    counterparty_name: str | None = None
    counterparty_iban: str | None = None
    counterparty_bic: str | None = None
    purpose: str | None = None
    booking_text: str | None = None
    booking_code: str | None = None
    bank_reference: str | None = None
    end_to_end_id: str | None = None
    mandate_id: str | None = None
    creditor_id: str | None = None


@dataclass(slots=True)
class Statement:
    """One statement as the file states it; balances None when the file gives none."""

    format: str
    account: str | None
    currency: str
    entries: list[Entry]
    opening: Decimal | None = None
    closing: Decimal | None = None
    period_start: date | None = None
    period_end: date | None = None
    external_id: str | None = None
    sequence: str | None = None
    notes: list[Note] = field(default_factory=list)

    def period(self) -> tuple[date, date]:
        """The period stated, else the span of the booking dates."""
        days = [e.booking_date for e in self.entries]
        start = self.period_start or (min(days) if days else self.period_end)
        end = self.period_end or (max(days) if days else self.period_start)
        if start is None or end is None:
            raise FormatError("a statement states neither a period nor any booking")
        return (start, end) if start <= end else (end, start)


def clean(value: str | None, limit_key: str | None = None) -> str | None:
    """Text as stored: NUL and other control characters gone, whitespace collapsed, cut to
    the column's length; empty becomes None."""
    if value is None:
        return None
    if value.isprintable():
        # The common case, at C speed: no control characters, surrogates or NULs.
        text = " ".join(value.split())
        if limit_key is not None:
            text = text[: LIMITS[limit_key]]
        return text or None
    text = "".join(
        " " if unicodedata.category(c)[0] == "C" or c.isspace() else c
        for c in value
        if c != "\x00" and not 0xD800 <= ord(c) <= 0xDFFF
    )
    text = " ".join(text.split())
    if limit_key is not None:
        text = text[: LIMITS[limit_key]]
    return text or None


def reference(value: str | None) -> str | None:
    """A bank's reference, or None for the placeholders that mean "none"."""
    text = clean(value, "bank_reference")
    if text is None or text.upper() in NO_REFERENCE:
        return None
    return text


def iban(value: str | None) -> str | None:
    """A valid IBAN in compact form, or None (account numbers and junk are not IBANs)."""
    if not value:
        return None
    compact = "".join(value.split()).upper()
    if not 15 <= len(compact) <= 34 or not compact[:2].isalpha():
        return None
    try:
        return str(IBAN(compact).compact)
    except SchwiftyException:
        return None


def bic(value: str | None) -> str | None:
    compact = "".join((value or "").split()).upper()
    if len(compact) in (8, 11) and compact.isalnum():
        return compact
    return None


def decode_text(data: bytes) -> str:
    """Bytes of a text export: UTF-8 (with or without BOM), else Windows-1252 (what German
    banking software writes), else Latin-1 which accepts any byte."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace").lstrip("\ufeff")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")

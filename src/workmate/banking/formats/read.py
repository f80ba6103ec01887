"""Which format a file is, and reading it: camt.053, MT940, CSV, or a ZIP of these."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from workmate.banking.formats import archive, camt, csv_export, mt940
from workmate.banking.formats.common import FormatError, Note, Statement, decode_text
from workmate.documents.sniff import by_magic

FORMATS = ("camt053", "mt940", "csv")
CENT = Decimal("0.01")
# What the columns hold (NUMERIC(12,2) amounts, NUMERIC(14,2) balances).
MAX_AMOUNT = Decimal("1e10")
MAX_BALANCE = Decimal("1e12")


@dataclass(slots=True)
class Parsed:
    format: str  # camt053, mt940, csv, zip
    statements: list[Statement]
    # The CSV preset recognised; None for other formats or a given mapping.
    preset: str | None = None
    notes: list[Note] = field(default_factory=list)


def detect(data: bytes) -> str:
    """The format by content (never by file name)."""
    if archive.looks_like(data):
        return "zip"
    if camt.looks_like(data):
        return "camt053"
    if mt940.looks_like(data):
        return "mt940"
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        raise FormatError("the XML file is not a camt.053 bank statement")
    binary = by_magic(data[:64])
    first = next((line for line in decode_text(data[:4096]).splitlines() if line.strip()), "")
    if (
        binary is not None
        or (b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")))
        or not any(d in first for d in (";", ",", "\t"))
    ):
        raise FormatError(
            "the file is neither camt.053, MT940 nor CSV; supported: camt.053 (XML), "
            "MT940, CSV exports, or a ZIP of these"
        )
    return "csv"


def read(
    data: bytes, declared: str | None = None, mapping: Mapping[str, Any] | None = None
) -> Parsed:
    """Every statement in the file; FormatError (English, with params) when it cannot be read."""
    if not data:
        raise FormatError("the file is empty")
    kind = detect(data)
    if declared is not None and declared != kind and kind != "zip":
        raise FormatError(
            "the file was sent as {declared} but its content is {actual}",
            declared=declared,
            actual=kind,
        )
    if kind == "zip":
        statements: list[Statement] = []
        preset = None
        for member in archive.members(data):
            inner = detect(member.data)
            if inner == "zip":
                raise FormatError("a ZIP inside a ZIP is not accepted: {name}", name=member.name)
            try:
                found, member_preset = _read_one(inner, member.data, mapping)
            except FormatError as exc:
                raise FormatError(
                    "{name}: {reason}", name=member.name[:100], reason=str(exc)
                ) from None
            statements += found
            preset = preset or member_preset
        return Parsed("zip", _checked(statements), preset)
    found, preset = _read_one(kind, data, mapping)
    return Parsed(kind, _checked(found), preset)


def _read_one(
    kind: str, data: bytes, mapping: Mapping[str, Any] | None
) -> tuple[list[Statement], str | None]:
    if kind == "camt053":
        return camt.parse(data), None
    if kind == "mt940":
        return mt940.parse(data), None
    return csv_export.parse(data, mapping)


def _checked(statements: list[Statement]) -> list[Statement]:
    """Amounts in cents; more precision than that is no statement a bank writes."""
    for statement in statements:
        for value in (statement.opening, statement.closing, *(e.amount for e in statement.entries)):
            if value is not None and value != value.quantize(CENT):
                raise FormatError("an amount has more than two decimals: {value}", value=str(value))
        balances = (b for b in (statement.opening, statement.closing) if b is not None)
        if any(abs(e.amount) >= MAX_AMOUNT for e in statement.entries) or any(
            abs(b) >= MAX_BALANCE for b in balances
        ):
            raise FormatError("an amount is larger than any bank statement holds")
        if abs(sum((e.amount for e in statement.entries), Decimal(0))) >= MAX_BALANCE:
            raise FormatError("an amount is larger than any bank statement holds")
        statement.period()  # refuses a statement without any date
    return statements

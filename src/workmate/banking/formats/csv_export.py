"""CSV exports of German banks. Each bank names its columns differently; a mapping says which
column holds what. Presets cover the common exports and are recognised by their header row;
any other layout works with a mapping the user gives once (saved per account).

German conventions throughout: `;` separated, decimal comma (1.234,56), dates as 31.12.2026 or
31.12.26, Windows-1252 or UTF-8 with BOM. N26 writes English CSV (`,`, 1234.56, 2026-12-31).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from workmate.banking.formats.common import (
    Entry,
    FormatError,
    MappingNeeded,
    Note,
    Statement,
    bic,
    clean,
    decode_text,
    iban,
    reference,
)

# Fields a mapping may name, in the order the mapping form shows them.
FIELDS = (
    "booking_date",
    "value_date",
    "amount",
    "debit",
    "credit",
    "currency",
    "counterparty_name",
    "payer",
    "payee",
    "counterparty_iban",
    "counterparty_bic",
    "purpose",
    "booking_text",
    "end_to_end_id",
    "mandate_id",
    "creditor_id",
    "balance",
    "status",
    "account",
)
DATE_FORMATS = ("%d.%m.%Y", "%d.%m.%y", "%Y-%m-%d", "%d/%m/%Y")
HEADER_SCAN_LINES = 40
MAX_ROWS = 200_000
# Status values meaning "not booked yet" (DKB: Vorgemerkt).
PENDING = frozenset({"vorgemerkt", "pending", "offen"})


@dataclass(frozen=True, slots=True)
class Columns:
    """Which column (header name as in the file) holds each field; None: not in the file.
    `amount` or `debit`/`credit` is needed; `counterparty_name` or `payer`/`payee`."""

    booking_date: str
    amount: str | None = None
    debit: str | None = None
    credit: str | None = None
    value_date: str | None = None
    currency: str | None = None
    counterparty_name: str | None = None
    payer: str | None = None
    payee: str | None = None
    counterparty_iban: str | None = None
    counterparty_bic: str | None = None
    purpose: str | None = None
    booking_text: str | None = None
    end_to_end_id: str | None = None
    mandate_id: str | None = None
    creditor_id: str | None = None
    balance: str | None = None
    status: str | None = None
    account: str | None = None
    decimal_comma: bool = True
    delimiter: str | None = None  # None: detected


@dataclass(frozen=True, slots=True)
class Preset:
    label: str
    columns: Columns
    # Header names that must all be present to recognise the export.
    signature: tuple[str, ...] = field(default=())


PRESETS: dict[str, Preset] = {
    "sparkasse": Preset(
        "Sparkasse (CSV-CAMT V2 / CSV-MT940)",
        Columns(
            booking_date="Buchungstag",
            value_date="Valutadatum",
            booking_text="Buchungstext",
            purpose="Verwendungszweck",
            creditor_id="Glaeubiger ID",
            mandate_id="Mandatsreferenz",
            end_to_end_id="Kundenreferenz (End-to-End)",
            counterparty_name="Beguenstigter/Zahlungspflichtiger",
            counterparty_iban="Kontonummer/IBAN",
            counterparty_bic="BIC (SWIFT-Code)",
            amount="Betrag",
            currency="Waehrung",
            account="Auftragskonto",
        ),
        ("Auftragskonto", "Buchungstag", "Beguenstigter/Zahlungspflichtiger", "Betrag"),
    ),
    "volksbank": Preset(
        "Volksbank / Raiffeisenbank",
        Columns(
            booking_date="Buchungstag",
            value_date="Valutadatum",
            counterparty_name="Name Zahlungsbeteiligter",
            counterparty_iban="IBAN Zahlungsbeteiligter",
            counterparty_bic="BIC (SWIFT-Code) Zahlungsbeteiligter",
            booking_text="Buchungstext",
            purpose="Verwendungszweck",
            amount="Betrag",
            currency="Waehrung",
            balance="Saldo nach Buchung",
            creditor_id="Glaeubiger ID",
            mandate_id="Mandatsreferenz",
            account="IBAN Auftragskonto",
        ),
        ("IBAN Auftragskonto", "Name Zahlungsbeteiligter", "Betrag"),
    ),
    "deutsche_bank": Preset(
        "Deutsche Bank",
        Columns(
            booking_date="Buchungstag",
            value_date="Wert",
            booking_text="Umsatzart",
            counterparty_name="Begünstigter / Auftraggeber",
            purpose="Verwendungszweck",
            counterparty_iban="IBAN",
            counterparty_bic="BIC",
            end_to_end_id="Kundenreferenz",
            mandate_id="Mandatsreferenz",
            creditor_id="Gläubiger ID",
            debit="Soll",
            credit="Haben",
            currency="Währung",
        ),
        ("Buchungstag", "Begünstigter / Auftraggeber", "Soll", "Haben"),
    ),
    "commerzbank": Preset(
        "Commerzbank",
        Columns(
            booking_date="Buchungstag",
            value_date="Wertstellung",
            booking_text="Umsatzart",
            purpose="Buchungstext",
            amount="Betrag",
            currency="Währung",
            counterparty_iban="IBAN Auftraggeberkonto",
        ),
        ("Buchungstag", "Wertstellung", "Umsatzart", "Buchungstext", "Betrag"),
    ),
    "ing": Preset(
        "ING",
        Columns(
            booking_date="Buchung",
            value_date="Wertstellungsdatum",
            counterparty_name="Auftraggeber/Empfänger",
            booking_text="Buchungstext",
            purpose="Verwendungszweck",
            balance="Saldo",
            amount="Betrag",
            currency="Währung",
        ),
        ("Buchung", "Auftraggeber/Empfänger", "Verwendungszweck", "Betrag"),
    ),
    "dkb": Preset(
        "DKB",
        Columns(
            booking_date="Buchungsdatum",
            value_date="Wertstellung",
            status="Status",
            payer="Zahlungspflichtige*r",
            payee="Zahlungsempfänger*in",
            purpose="Verwendungszweck",
            booking_text="Umsatztyp",
            counterparty_iban="IBAN",
            amount="Betrag (€)",
            creditor_id="Gläubiger-ID",
            mandate_id="Mandatsreferenz",
            end_to_end_id="Kundenreferenz",
        ),
        ("Buchungsdatum", "Zahlungspflichtige*r", "Zahlungsempfänger*in", "Betrag (€)"),
    ),
    "n26": Preset(
        "N26",
        Columns(
            booking_date="Booking Date",
            value_date="Value Date",
            counterparty_name="Partner Name",
            counterparty_iban="Partner Iban",
            booking_text="Type",
            purpose="Payment Reference",
            amount="Amount (EUR)",
            decimal_comma=False,
        ),
        ("Booking Date", "Partner Name", "Amount (EUR)"),
    ),
}


def columns_from(mapping: Mapping[str, Any]) -> Columns:
    """A Columns from a saved or submitted mapping: {"preset": name} or the fields."""
    preset = mapping.get("preset")
    if preset is not None:
        if preset not in PRESETS:
            raise FormatError("unknown CSV preset {name}", name=preset)
        return PRESETS[preset].columns
    values = {k: v for k, v in mapping.items() if k in Columns.__slots__}
    if not values.get("booking_date"):
        raise FormatError("the CSV mapping must name the booking date column")
    if not values.get("amount") and not (values.get("debit") or values.get("credit")):
        raise FormatError("the CSV mapping must name the amount column (or debit and credit)")
    return Columns(**values)


def _norm(header: str) -> str:
    return " ".join(header.replace("\ufeff", "").strip().strip('"').split()).casefold()


def _delimiter(line: str) -> str:
    counts = {d: line.count(d) for d in (";", "\t", ",")}
    return max(counts, key=lambda d: counts[d])


@dataclass(frozen=True, slots=True)
class Table:
    header: list[str]
    rows: list[list[str]]
    preamble: list[str]


def read_table(text: str, columns: Columns | None) -> tuple[Table, Columns | None, str | None]:
    """Find the header row (presets recognised by their columns, else the given mapping's)
    and read the rows below it. Returns the table, the columns and the preset's name."""
    lines = text.splitlines()
    for index, line in enumerate(lines[:HEADER_SCAN_LINES]):
        delimiter = (columns.delimiter if columns else None) or _delimiter(line)
        try:
            header = next(csv.reader([line], delimiter=delimiter))
        except csv.Error:
            continue
        names = {_norm(h) for h in header}
        chosen, preset = columns, None
        if chosen is None:
            for key, candidate in PRESETS.items():
                if all(_norm(n) in names for n in candidate.signature):
                    chosen, preset = candidate.columns, key
                    break
        if chosen is None or _norm(chosen.booking_date) not in names:
            continue
        body = "\n".join(lines[index + 1 :])
        rows = [
            r
            for r in csv.reader(io.StringIO(body), delimiter=delimiter)
            if any(c.strip() for c in r)
        ]
        if len(rows) > MAX_ROWS:
            raise FormatError("the CSV file has more than {limit} rows", limit=MAX_ROWS)
        return Table(header, rows, lines[:index]), chosen, preset
    return Table(_first_row(lines), [], []), None, None


def _first_row(lines: list[str]) -> list[str]:
    for line in lines[:HEADER_SCAN_LINES]:
        if line.strip():
            return next(csv.reader([line], delimiter=_delimiter(line)), [])
    return []


def header_of(data: bytes) -> list[str]:
    """The columns of a CSV file as the mapping form offers them (the first row that looks
    like a header)."""
    text = decode_text(data)
    table, _, _ = read_table(text, None)
    return [h.strip() for h in table.header if h.strip()][:60]


def parse(data: bytes, mapping: Mapping[str, Any] | None) -> tuple[list[Statement], str | None]:
    """The CSV file as one statement; the preset recognised (None when a mapping was used).
    FormatError naming the columns found when neither a preset nor the mapping fits."""
    text = decode_text(data)
    given = columns_from(mapping) if mapping else None
    table, columns, preset = read_table(text, given)
    if columns is None:
        raise MappingNeeded(
            "the CSV columns were not recognised; columns found: {columns}. "
            "Choose which column holds what (the mapping is saved for the account)",
            columns=", ".join(h for h in table.header if h.strip())[:500] or "none",
        )
    return [_statement(table, columns)], preset


class _Row:
    def __init__(self, header: list[str], row: list[str]) -> None:
        self.values: dict[str, str] = {}
        for name, value in zip(header, row, strict=False):
            # The first of two equal headers wins (ING repeats "Währung").
            self.values.setdefault(_norm(name), value.strip())

    def get(self, column: str | None) -> str | None:
        if column is None:
            return None
        value = self.values.get(_norm(column))
        return value or None


def _statement(table: Table, columns: Columns) -> Statement:
    entries: list[Entry] = []
    balances: list[Decimal | None] = []
    pending = 0
    accounts: set[str] = set()
    for number, raw in enumerate(table.rows, 1):
        row = _Row(table.header, raw)
        if (row.get(columns.status) or "").casefold() in PENDING:
            pending += 1
            continue
        try:
            entry = _entry(row, columns)
        except FormatError as exc:
            raise FormatError("row {row}: {reason}", row=number, reason=str(exc)) from None
        if entry is None:
            continue
        entries.append(entry)
        balances.append(_amount(row.get(columns.balance), columns) if columns.balance else None)
        if (own := row.get(columns.account)) is not None:
            accounts.add(own)
    if not entries:
        raise FormatError("the CSV file holds no transactions")
    ordered, ordered_balances = _chronological(entries, balances)
    notes: list[Note] = []
    if pending:
        notes.append(Note("pending_skipped", {"count": pending}))
    opening = closing = None
    if ordered_balances and None not in ordered_balances:
        first, last = ordered_balances[0], ordered_balances[-1]
        assert first is not None
        assert last is not None
        opening, closing = first - ordered[0].amount, last
        breaks = _breaks(ordered, ordered_balances)
        if breaks:
            notes.append(Note("running_balance_breaks", {"count": breaks}))
    else:
        notes.append(Note("no_balances", {}))
    return Statement(
        format="csv",
        account=next(iter(accounts)) if len(accounts) == 1 else None,
        currency=ordered[0].currency,
        entries=ordered,
        opening=opening,
        closing=closing,
        notes=notes,
    )


def _chronological(
    entries: list[Entry], balances: list[Decimal | None]
) -> tuple[list[Entry], list[Decimal | None]]:
    """Exports list newest first or oldest first; the statement is kept oldest first."""
    if entries[0].booking_date > entries[-1].booking_date:
        return entries[::-1], balances[::-1]
    if entries[0].booking_date == entries[-1].booking_date and len(entries) > 1:
        # One day only: the running balance tells the order.
        forward = _breaks(entries, balances)
        backward = _breaks(entries[::-1], balances[::-1])
        if None not in balances and backward < forward:
            return entries[::-1], balances[::-1]
    return entries, balances


def _breaks(entries: list[Entry], balances: list[Decimal | None]) -> int:
    """Rows whose running balance is not the previous balance plus their amount."""
    count = 0
    for i in range(1, len(entries)):
        before, after = balances[i - 1], balances[i]
        if before is None or after is None or before + entries[i].amount != after:
            count += 1
    return count


def _entry(row: _Row, columns: Columns) -> Entry | None:
    booked = _date(row.get(columns.booking_date))
    if booked is None:
        return None  # summary lines under the table (Kontostand, Saldo) have no date
    amount = _signed_amount(row, columns)
    if amount is None or amount == 0:
        return None
    name = row.get(columns.counterparty_name)
    if name is None and (columns.payer or columns.payee):
        name = row.get(columns.payer if amount > 0 else columns.payee)
    return Entry(
        booking_date=booked,
        value_date=_date(row.get(columns.value_date)),
        amount=amount,
        currency=(row.get(columns.currency) or "EUR").upper()[:3],
        counterparty_name=clean(name, "counterparty_name"),
        counterparty_iban=iban(row.get(columns.counterparty_iban)),
        counterparty_bic=bic(row.get(columns.counterparty_bic)),
        purpose=clean(row.get(columns.purpose), "purpose"),
        booking_text=clean(row.get(columns.booking_text), "booking_text"),
        end_to_end_id=reference(row.get(columns.end_to_end_id)),
        mandate_id=reference(row.get(columns.mandate_id)),
        creditor_id=reference(row.get(columns.creditor_id)),
    )


def _signed_amount(row: _Row, columns: Columns) -> Decimal | None:
    if columns.amount:
        return _amount(row.get(columns.amount), columns)
    debit = _amount(row.get(columns.debit), columns)
    credit = _amount(row.get(columns.credit), columns)
    if debit:
        return -abs(debit)
    return abs(credit) if credit else None


def _date(value: str | None) -> date | None:
    if not value:
        return None
    text = value.strip()
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _amount(value: str | None, columns: Columns) -> Decimal | None:
    """German 1.234,56 / -1.234,56 / 1.234,56- / +12,00 €; English 1,234.56 (N26)."""
    if value is None:
        return None
    text = "".join(value.replace("€", "").replace("EUR", "").split())
    if not text:
        return None
    negative = text.endswith("-") or text.startswith("-")
    text = text.strip("+-")
    if columns.decimal_comma:
        text = text.replace(".", "").replace(",", ".")
    else:
        text = text.replace(",", "")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise FormatError("{value!r} is not an amount", value=value[:40]) from None
    if not amount.is_finite() or abs(amount) >= Decimal("1e12"):
        raise FormatError("{value!r} is not an amount", value=value[:40])
    return -amount if negative else amount


def preset_columns(name: str) -> dict[str, Any]:
    """A preset's mapping as a plain dict (to show or adapt it)."""
    columns = PRESETS[name].columns
    return {k: getattr(columns, k) for k in Columns.__slots__ if getattr(columns, k) is not None}

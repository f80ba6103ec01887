"""The one CSV writer of every export (customers, time reports, time sheets, payroll, the
manifest of received invoices).

Every text cell that a spreadsheet would read as a formula (starting with `=`, `+`, `-`, `@`,
a tab or a carriage return) gets a leading apostrophe: Excel and LibreOffice then show it as
text instead of running it ("CSV injection"; a customer named `=HYPERLINK(...)` must not
become a link in the accountant's spreadsheet). Numbers (int, Decimal) are numbers and stay
as they are, negative ones too. `unescape()` reverses the apostrophe for our own imports, so a
file exported and imported again is unchanged.

The DATEV export (exports/datev.py) is no spreadsheet CSV: its fields have DATEV's own types
and quoting, and DATEV reads them, not a spreadsheet; it keeps its own writer.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

FORMULA_STARTS = frozenset("=+-@\t\r")


def safe_text(value: str) -> str:
    """A text cell a spreadsheet shows as text, never runs as a formula."""
    return "'" + value if value[:1] in FORMULA_STARTS else value


def unescape(value: str) -> str:
    """The text of a cell written by safe_text (our own exports imported again)."""
    return value[1:] if value[:1] == "'" and value[1:2] in FORMULA_STARTS else value


class CsvWriter:
    """Rows in, one CSV document out: CRLF line ends, formula starts defused."""

    def __init__(self, *, delimiter: str = ";", decimal_comma: bool = False) -> None:
        self._out = io.StringIO(newline="")
        self._writer = csv.writer(self._out, delimiter=delimiter, lineterminator="\r\n")
        self._decimal_comma = decimal_comma

    def cell(self, value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "yes" if value else ""
        if isinstance(value, Decimal):
            text = f"{value:f}"
            return text.replace(".", ",") if self._decimal_comma else text
        if isinstance(value, int):
            return str(value)
        return safe_text(str(value))

    def row(self, values: Iterable[Any]) -> None:
        self._writer.writerow([self.cell(v) for v in values])

    def rows(self, rows: Iterable[Iterable[Any]]) -> None:
        for values in rows:
            self.row(values)

    def text(self) -> str:
        return self._out.getvalue()

    def encoded(self, encoding: str = "utf-8", *, bom: bool = False) -> bytes:
        """The document as bytes; characters the encoding lacks become '?'."""
        return (("\ufeff" if bom else "") + self.text()).encode(encoding, errors="replace")


def write_csv(
    header: Iterable[str],
    rows: Iterable[Iterable[Any]],
    *,
    delimiter: str = ";",
    decimal_comma: bool = False,
) -> CsvWriter:
    """A CSV document of a header and rows (see CsvWriter for the rules)."""
    writer = CsvWriter(delimiter=delimiter, decimal_comma=decimal_comma)
    writer.row(header)
    writer.rows(rows)
    return writer

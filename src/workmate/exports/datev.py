"""DATEV EXTF "Buchungsstapel" (format 700, category 21): the CSV a tax advisor imports.

Windows-1252, semicolons, CRLF, decimal comma, text in double quotes. Row 1 is the EXTF header,
row 2 the column names, then one booking per row with the gross amount and a debit/credit
sign; the revenue accounts are DATEV automatic accounts, so DATEV derives the VAT itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

FORMAT_VERSION = 13  # Buchungsstapel version within EXTF 700
COLUMNS = (
    "Umsatz (ohne Soll/Haben-Kz)",
    "Soll/Haben-Kennzeichen",
    "WKZ Umsatz",
    "Kurs",
    "Basis-Umsatz",
    "WKZ Basis-Umsatz",
    "Konto",
    "Gegenkonto (ohne BU-Schlüssel)",
    "BU-Schlüssel",
    "Belegdatum",
    "Belegfeld 1",
    "Belegfeld 2",
    "Skonto",
    "Buchungstext",
    "Postensperre",
    "Diverse Adressnummer",
    "Geschäftspartnerbank",
    "Sachverhalt",
    "Zinssperre",
    "Beleglink",
)
# Default revenue accounts per VAT case and the bank account, per chart of accounts.
CHARTS: dict[str, dict[str, str]] = {
    "SKR03": {
        "19": "8400",
        "7": "8300",
        "0": "8200",
        "reverse_charge": "8337",
        "small_business": "8195",
        "bank": "1200",
        # Purchases: expense accounts per bill category (no automatic accounts: the input
        # VAT comes from the BU key).
        "material": "3000",
        "service": "3100",
        "personnel": "4100",
        "other": "4900",
    },
    "SKR04": {
        "19": "4400",
        "7": "4300",
        "0": "4200",
        "reverse_charge": "4337",
        "small_business": "4185",
        "bank": "1800",
        "material": "5000",
        "service": "5900",
        "personnel": "6000",
        "other": "6300",
    },
}
DEBTOR_OFFSET = 10000
DEBTOR_MAX = 69999
CREDITOR_OFFSET = 70000
CREDITOR_MAX = 99999
# BU keys for input VAT (Vorsteuer) per rate; 94: § 13b UStG (reverse charge) at 19 %.
INPUT_VAT_KEYS = {"19": "9", "7": "8"}
REVERSE_CHARGE_KEY = "94"
# Belegfeld 1 allows letters, digits and $ & % * + - / (36 characters).
_DOCUMENT_FIELD = re.compile(r"[^A-Za-z0-9$&%*+\-/]")
_DIGITS = re.compile(r"\d+")


class DatevConfigError(ValueError):
    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True, slots=True)
class Booking:
    amount: Decimal  # positive
    side: str  # S (debit the account) or H (credit it)
    account: str
    contra: str
    day: date
    document: str
    text: str
    key: str = ""  # BU-Schlüssel (input VAT of purchases)
    link: str = ""  # Beleglink: the receipt's file name in the archive export


@dataclass(frozen=True, slots=True)
class DatevConfig:
    chart: str
    accounts: dict[str, str]
    consultant: int
    client: int
    debtor_offset: int

    @classmethod
    def from_extra(cls, extra: Mapping[str, Any]) -> DatevConfig:
        """Settings from company_settings.extra['datev'], SKR03 defaults where absent."""
        chart = str(extra.get("chart", "SKR03")).upper()
        if chart not in CHARTS:
            raise DatevConfigError("chart must be SKR03 or SKR04", "extra.datev.chart")
        accounts = dict(CHARTS[chart])
        overrides = extra.get("accounts") or {}
        if not isinstance(overrides, dict):
            raise DatevConfigError("accounts must map a VAT case to an account", "extra.datev")
        for key, value in overrides.items():
            if key not in accounts or not str(value).isdigit():
                raise DatevConfigError(
                    f"unknown case {key!r} or non-numeric account", f"extra.datev.accounts.{key}"
                )
            accounts[key] = str(value)
        try:
            consultant = int(extra.get("consultant_number", 1001))
            client = int(extra.get("client_number", 1))
            offset = int(extra.get("debtor_offset", DEBTOR_OFFSET))
        except (TypeError, ValueError):
            raise DatevConfigError("numbers must be integers", "extra.datev") from None
        return cls(chart, accounts, consultant, client, offset)

    def revenue_account(self, vat_treatment: str, rate: Decimal) -> str:
        if vat_treatment in ("reverse_charge", "small_business"):
            return self.accounts[vat_treatment]
        if vat_treatment in ("non_taxable", "intra_eu_goods"):
            # Not configured separately: the company's account for the case, else 0 % revenue.
            return self.accounts.get(vat_treatment, self.accounts["0"])
        key = str(rate.normalize()) if rate else "0"
        if key not in self.accounts:
            raise DatevConfigError(f"no revenue account for {key} % VAT", "extra.datev.accounts")
        return self.accounts[key]

    def expense_account(self, category: str) -> str:
        return self.accounts.get(category) or self.accounts["other"]

    def input_vat_key(self, category: str, rate: Decimal) -> str:
        """BU key of a purchase's VAT row: 9 (19 %), 8 (7 %), 94 (reverse charge), else none."""
        if category == "AE":
            return REVERSE_CHARGE_KEY
        if category != "S":
            return ""
        return INPUT_VAT_KEYS.get(str(rate.normalize()), "")

    def creditor(self, supplier_number: str | None) -> str:
        """Creditor account from the supplier number's digits (L-00042 -> 70042)."""
        digits = "".join(_DIGITS.findall(supplier_number or ""))
        account = CREDITOR_OFFSET + int(digits) if digits else -1
        if not CREDITOR_OFFSET <= account <= CREDITOR_MAX:
            raise DatevConfigError(
                f"supplier number {supplier_number} gives no creditor account "
                f"between {CREDITOR_OFFSET} and {CREDITOR_MAX}",
                "supplier.supplier_number",
            )
        return str(account)

    def debtor(self, customer_number: str) -> str:
        """Debtor account from the customer number's digits (K-00042 -> 10042)."""
        digits = "".join(_DIGITS.findall(customer_number))
        account = self.debtor_offset + int(digits) if digits else -1
        if not DEBTOR_OFFSET <= account <= DEBTOR_MAX:
            raise DatevConfigError(
                f"customer number {customer_number} gives no debtor account "
                f"between {DEBTOR_OFFSET} and {DEBTOR_MAX}",
                "customer.number",
            )
        return str(account)


def amount(value: Decimal) -> str:
    return f"{value:.2f}".replace(".", ",")


def text(value: str, limit: int) -> str:
    clean = " ".join(value.split())[:limit]
    return '"' + clean.replace('"', '""') + '"'


def document_field(number: str) -> str:
    return _DOCUMENT_FIELD.sub("-", number)[:36]


def header(config: DatevConfig, start: date, end: date, created: datetime) -> list[str]:
    fiscal_start = date(start.year, 1, 1)
    return [
        '"EXTF"',
        "700",
        "21",
        '"Buchungsstapel"',
        str(FORMAT_VERSION),
        created.strftime("%Y%m%d%H%M%S") + f"{created.microsecond // 1000:03d}",
        "",
        '"WM"',
        '"Workmate"',
        '""',
        str(config.consultant),
        str(config.client),
        fiscal_start.strftime("%Y%m%d"),
        "4",
        start.strftime("%Y%m%d"),
        end.strftime("%Y%m%d"),
        text(f"Workmate {start:%d.%m.%Y}-{end:%d.%m.%Y}", 30),
        '""',
        "1",
        "0",
        "0",
        '"EUR"',
        "",
        '""',
        "",
        "",
        f'"{config.chart[-2:]}"',
        "",
        "",
        '""',
        '""',
    ]


def render(
    config: DatevConfig, start: date, end: date, bookings: Iterable[Booking], created: datetime
) -> bytes:
    """The EXTF file as bytes: Windows-1252, CRLF line ends."""
    lines = [";".join(header(config, start, end, created)), ";".join(text(c, 60) for c in COLUMNS)]
    for b in bookings:
        lines.append(
            ";".join(
                [
                    amount(b.amount),
                    f'"{b.side}"',
                    '"EUR"',
                    "",
                    "",
                    '""',
                    b.account,
                    b.contra,
                    text(b.key, 4),
                    b.day.strftime("%d%m"),
                    text(document_field(b.document), 36),
                    '""',
                    "",
                    text(b.text, 60),
                    "",
                    '""',
                    "",
                    "",
                    "",
                    text(b.link, 210),
                ]
            )
        )
    # Characters Windows-1252 lacks become '?': DATEV reads nothing else.
    return ("\r\n".join(lines) + "\r\n").encode("cp1252", errors="replace")

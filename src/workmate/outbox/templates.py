"""E-mail texts per purpose and language: the company's own (table mail_templates) or the
built-in ones below. Placeholders in braces are filled in when a message is written."""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_currency

from workmate import clock

# The placeholders each purpose offers (others are refused when a template is saved).
PLACEHOLDERS: dict[str, tuple[str, ...]] = {
    "invoice": ("number", "amount", "due_date", "iban", "customer", "company"),
    "quote": ("number", "amount", "valid_until", "customer", "company"),
    "dunning": ("number", "amount", "due_date", "iban", "customer", "company", "level", "fees"),
}


@dataclass(frozen=True, slots=True)
class Text:
    subject: str
    body: str


DEFAULTS: dict[tuple[str, str], Text] = {
    ("invoice", "de"): Text(
        "Rechnung {number} von {company}",
        "Guten Tag,\n\nanbei erhalten Sie unsere Rechnung {number} über {amount}, "
        "zahlbar bis {due_date} auf das Konto {iban}.\n\n"
        "Die Rechnung ist eine PDF-Datei mit eingebetteter E-Rechnung (ZUGFeRD/Factur-X).\n\n"
        "Mit freundlichen Grüßen\n{company}",
    ),
    ("invoice", "en"): Text(
        "Invoice {number} from {company}",
        "Hello,\n\nplease find attached our invoice {number} for {amount}, "
        "payable by {due_date} to the account {iban}.\n\n"
        "The invoice is a PDF file with an embedded e-invoice (ZUGFeRD/Factur-X).\n\n"
        "Kind regards\n{company}",
    ),
    ("quote", "de"): Text(
        "Angebot {number} von {company}",
        "Guten Tag,\n\nanbei erhalten Sie unser Angebot {number} über {amount}, "
        "gültig bis {valid_until}.\n\nMit freundlichen Grüßen\n{company}",
    ),
    ("quote", "en"): Text(
        "Quote {number} from {company}",
        "Hello,\n\nplease find attached our quote {number} for {amount}, "
        "valid until {valid_until}.\n\nKind regards\n{company}",
    ),
    ("dunning", "de"): Text(
        "{level} zu Rechnung {number}",
        "Guten Tag,\n\nzu unserer Rechnung {number}, fällig am {due_date}, ist noch {amount} "
        "offen. Bitte überweisen Sie den Betrag zuzüglich {fees} auf das Konto {iban}.\n\n"
        "Mit freundlichen Grüßen\n{company}",
    ),
    ("dunning", "en"): Text(
        "{level} for invoice {number}",
        "Hello,\n\nour invoice {number}, due on {due_date}, still has {amount} outstanding. "
        "Please transfer the amount plus {fees} to the account {iban}.\n\n"
        "Kind regards\n{company}",
    ),
}


# Where a one-time link goes in a stored body; the link itself is kept beside the body
# (outbox_messages.secret_link) and put in only when the e-mail is built.
LINK = "{link}"

# Built-in texts that the company does not edit: the invitation carries a secret link and
# must keep its {link}.
INVITATION: dict[str, Text] = {
    "de": Text(
        "Ihr Zugang zu Workmate bei {company}",
        "Guten Tag {name},\n\n{company} hat für Sie einen Zugang zu Workmate eingerichtet. "
        "Mit diesem Link legen Sie Ihr Passwort fest:\n\n{link}\n\n"
        "Der Link gilt einmal und bis {expires}. Danach melden Sie sich mit Ihrer "
        "E-Mail-Adresse {email} an.\n\n"
        "Haben Sie diesen Zugang nicht erwartet, können Sie diese E-Mail ignorieren.\n\n"
        "Mit freundlichen Grüßen\n{company}",
    ),
    "en": Text(
        "Your Workmate access at {company}",
        "Hello {name},\n\n{company} has set up a Workmate access for you. "
        "With this link you choose your password:\n\n{link}\n\n"
        "The link works once and until {expires}. Afterwards you log in with your e-mail "
        "address {email}.\n\n"
        "If you did not expect this access, you can ignore this e-mail.\n\n"
        "Kind regards\n{company}",
    ),
}


class UnknownPlaceholder(ValueError):
    def __init__(self, name: str, allowed: tuple[str, ...]) -> None:
        self.name = name
        self.allowed = allowed
        super().__init__(
            f"unknown placeholder {{{name}}}; allowed: " + ", ".join(f"{{{a}}}" for a in allowed)
        )


def check(purpose: str, text: str) -> None:
    """Refuse a template naming a placeholder its purpose does not fill, or with bad braces."""
    allowed = PLACEHOLDERS[purpose]
    try:
        fields = [f for _, f, spec, _ in string.Formatter().parse(text) if f is not None]
    except ValueError as exc:
        raise ValueError(f"braces do not match: {exc}") from exc
    for name in fields:
        if name not in allowed:
            raise UnknownPlaceholder(name, allowed)


def fill(text: str, values: Mapping[str, str]) -> str:
    """The text with its placeholders replaced (a missing value becomes empty)."""
    return string.Formatter().vformat(text, (), _Blank(values))


class _Blank(dict[str, str]):
    def __init__(self, values: Mapping[str, str]) -> None:
        super().__init__(values)

    def __missing__(self, key: str) -> str:
        return ""


BABEL = {"de": "de_DE", "en": "en_GB"}
GERMAN_SPEAKING = frozenset({"DE", "AT", "CH", "LI", "LU"})


def language_for(country: str | None) -> str:
    """German for German-speaking countries, English elsewhere."""
    return "de" if (country or "DE") in GERMAN_SPEAKING else "en"


def money(value: Decimal, language: str, currency: str = "EUR") -> str:
    """1.234,56 € in German, €1,234.56 in English."""
    return str(format_currency(value, currency, locale=BABEL[language]))


def day(value: date | None, language: str) -> str:
    """31.03.2026 in German, 31 March 2026 in English."""
    if value is None:
        return ""
    style = "dd.MM.yyyy" if language == "de" else "d MMMM yyyy"
    return str(format_date(value, format=style, locale=BABEL[language]))


def moment(value: datetime, language: str) -> str:
    """06.12.2026, 14:30 Uhr in German, 6 December 2026, 14:30 in English (business time)."""
    local = clock.local(value)
    suffix = " Uhr" if language == "de" else ""
    return f"{day(local.date(), language)}, {local:%H:%M}{suffix}"

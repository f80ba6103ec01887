"""Message catalogs and locale-aware formatting for the web UI.

Catalogs are plain Babel `.po` files under web/i18n/<locale>/LC_MESSAGES/messages.po. They are
compiled in memory on first use, so neither installing nor running Workmate needs a build step
(and no stale `.mo` can disagree with its `.po`). Message ids are English; German is the
default locale because Workmate is made for German companies.
"""

from __future__ import annotations

import datetime as dt
import gettext
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_datetime, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal

from workmate import clock

CATALOG_DIR = Path(__file__).parent / "i18n"
DOMAIN = "messages"
LOCALES = ("de", "en")
DEFAULT_LOCALE = "de"
# Babel locale per UI language: German formatting for German companies, and British English
# keeps day-month order and 24 h times familiar to the same office.
BABEL_LOCALES = {"de": "de_DE", "en": "en_GB"}
# Wall-clock times are shown where the company is; storage is UTC (see models/base.py).
DISPLAY_TZ = clock.BUSINESS_ZONE


def normalize(locale: str | None) -> str:
    """A supported UI language for any input (`en-US`, `EN`, None, junk)."""
    code = (locale or "").replace("-", "_").split("_")[0].lower()
    return code if code in LOCALES else DEFAULT_LOCALE


@lru_cache(maxsize=len(LOCALES))
def translations(locale: str) -> gettext.NullTranslations:
    """The compiled catalog of `locale`; NullTranslations (message ids) when it has none."""
    po = CATALOG_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po.exists():
        return gettext.NullTranslations()
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=locale, domain=DOMAIN)
    buf = BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return gettext.GNUTranslations(buf)


@dataclass(frozen=True, slots=True)
class Formatter:
    """Everything a template needs to speak one locale: messages, numbers, money, dates."""

    locale: str

    @property
    def babel_locale(self) -> str:
        return BABEL_LOCALES[self.locale]

    def gettext(self, message: str, **values: object) -> str:
        text = translations(self.locale).gettext(message)
        return text % values if values else text

    def ngettext(self, singular: str, plural: str, n: int, **values: object) -> str:
        text = translations(self.locale).ngettext(singular, plural, n)
        return text % {"num": n, **values}

    def number(self, value: Decimal | float | int | None, digits: int = 2) -> str:
        if value is None:
            return ""
        pattern = "#,##0." + "0" * digits if digits else "#,##0"
        return format_decimal(value, format=pattern, locale=self.babel_locale)

    def money(self, value: Decimal | float | int | None, currency: str = "EUR") -> str:
        """1.234,56 € in German, €1,234.56 in English."""
        if value is None:
            return ""
        return format_currency(value, currency, locale=self.babel_locale)

    def date(self, value: dt.date | dt.datetime | None, style: str = "medium") -> str:
        if value is None:
            return ""
        if isinstance(value, dt.datetime):
            value = value.astimezone(DISPLAY_TZ).date()
        return format_date(value, format=style, locale=self.babel_locale)

    def datetime(self, value: dt.datetime | None, style: str = "short") -> str:
        if value is None:
            return ""
        return format_datetime(value, format=style, tzinfo=DISPLAY_TZ, locale=self.babel_locale)

    def time(self, value: dt.datetime | None) -> str:
        if value is None:
            return ""
        return format_time(value, format="HH:mm", tzinfo=DISPLAY_TZ, locale=self.babel_locale)

    def duration(self, value: dt.timedelta | None) -> str:
        """Hours and minutes as office staff write them: 7:05 h."""
        if value is None:
            return ""
        minutes = int(value.total_seconds() // 60)
        return f"{minutes // 60}:{minutes % 60:02d} h"

    def hours(self, value: dt.timedelta | None) -> str:
        """Decimal hours (7,08), the unit invoices bill in."""
        if value is None:
            return ""
        return self.number(Decimal(value.total_seconds()) / Decimal(3600))

    def month(self, value: str | dt.date, style: str = "LLLL yyyy") -> str:
        """A month ("2026-03" or a date) as words: März 2026; style "MMM" gives Mär."""
        if isinstance(value, str):
            year, _, month = value.partition("-")
            value = dt.date(int(year), int(month), 1)
        return format_date(value, format=style.replace("MMM", "LLL"), locale=self.babel_locale)

    def weekday(self, value: dt.date) -> str:
        return format_date(value, format="EEE d.M.", locale=self.babel_locale)

    def country(self, code: str | None) -> str:
        """An ISO country code in words (DE: Deutschland); unknown codes as they are."""
        if not code:
            return ""
        return str(Locale.parse(self.babel_locale).territories.get(code.upper(), code))

    def language_name(self, code: str) -> str:
        name = Locale.parse(code).get_display_name(code) or code
        return name[:1].upper() + name[1:]


def formatter(locale: str | None) -> Formatter:
    return Formatter(normalize(locale))

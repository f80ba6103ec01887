"""Catalogs are complete and money, numbers and dates follow the locale."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.records import make_invoice
from workmate.web import catalogs
from workmate.web.i18n import formatter, normalize


def test_every_message_has_a_german_translation() -> None:
    template = catalogs.template_catalog()
    assert len(template) > 50
    assert catalogs.untranslated(catalogs.load("de"), template) == []


def test_stored_values_read_as_words_in_english() -> None:
    """Ids that are stored values (snake_case, lowercase categories) need English words too."""
    template = catalogs.template_catalog()
    english = catalogs.load("en")
    raw = []
    for message in template:
        mid = message.id if isinstance(message.id, str) else ""
        if "_" in mid and " " not in mid:
            found = english.get(mid)
            if found is None or not found.string or "_" in str(found.string):
                raw.append(mid)
    assert raw == []
    en = formatter("en")
    assert en.gettext("material") == "Material"
    assert en.gettext("B2B") == "Business"
    assert formatter("de").gettext("personnel") == "Personal"


def test_month_names() -> None:
    assert formatter("de").month("2026-03") == "März 2026"
    assert formatter("de").month(date(2026, 3, 1), "LLL") == "Mär"
    assert formatter("en").month("2026-12") == "December 2026"


def test_german_formats() -> None:
    de = formatter("de")
    assert de.money(Decimal("1234.56")) == "1.234,56\xa0€"
    assert de.number(Decimal("7.5")) == "7,50"
    assert de.date(date(2026, 3, 2)) == "02.03.2026"
    # Stored in UTC, shown in German time (CET is UTC+1 in March).
    assert de.time(datetime(2026, 3, 2, 8, 30, tzinfo=UTC)) == "09:30"
    assert de.duration(timedelta(hours=7, minutes=5)) == "7:05 h"
    assert de.gettext("Customers") == "Kunden"
    assert "3 Minuten" in de.ngettext(
        "Too many failed attempts. Please try again in %(num)d minute.",
        "Too many failed attempts. Please try again in %(num)d minutes.",
        3,
    )


def test_english_formats() -> None:
    en = formatter("en")
    assert en.money(Decimal("1234.56")) == "€1,234.56"
    assert en.number(Decimal("7.5")) == "7.50"
    assert en.gettext("Customers") == "Customers"
    # Stored values in snake_case read as words.
    assert en.gettext("in_progress") == "in progress"
    assert en.gettext("bank_transfer") == "bank transfer"


def test_unknown_locales_fall_back_to_german() -> None:
    assert normalize("en-US") == "en"
    assert normalize("fr") == "de"
    assert normalize(None) == "de"


async def test_overdue_invoices_stand_out(web_admin: httpx.AsyncClient, db: AsyncSession) -> None:
    late = await make_invoice(db, issued=True)  # due 2026-03-15, long past
    text = (await web_admin.get("/invoices?status=overdue")).text
    assert late.number is not None
    assert late.number in text
    assert 'class="overdue"' in text
    assert "überfällig" in text
    assert "119,00\xa0€" in text
    # Drafts are not overdue; the status filter keeps them out.
    await make_invoice(db)
    drafts = (await web_admin.get("/invoices?status=draft")).text
    assert 'class="overdue"' not in drafts
    assert "Entwurf" in drafts

"""A private iCal feed per employee of their approved absences (RFC 5545).

The URL carries a random token; only its SHA-256 is stored. Creating a new URL replaces the
old one, deleting it revokes the feed. The feed shows the kind of absence to its owner only
(whoever holds the URL is treated as the owner: share it like a password).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from workmate import clock
from workmate.audit.service import audit_service
from workmate.auth.principal import Principal
from workmate.errors import NotFound
from workmate.models import Absence, CalendarFeed, Employee

ENTITY = "calendar_feed"
# Absences this far back and ahead are in the feed.
PAST, FUTURE = timedelta(days=400), timedelta(days=800)
KIND_NAMES = {
    "de": {
        "vacation": "Urlaub",
        "sick": "Krank",
        "special_leave": "Sonderurlaub",
        "overtime_compensation": "Überstundenausgleich",
        "training": "Fortbildung",
    },
    "en": {
        "vacation": "Vacation",
        "sick": "Sick leave",
        "special_leave": "Special leave",
        "overtime_compensation": "Overtime compensation",
        "training": "Training",
    },
}
HALF = {"de": "halber Tag", "en": "half day"}


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def escape(value: str) -> str:
    """TEXT value escaping of RFC 5545 §3.3.11."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space (§3.1)."""
    raw = line.encode()
    if len(raw) <= 75:
        return line
    parts: list[str] = []
    current = b""
    for ch in line:
        enc = ch.encode()
        if len(current) + len(enc) > (75 if not parts else 74):
            parts.append(current.decode())
            current = b""
        current += enc
    parts.append(current.decode())
    return "\r\n ".join(parts)


class FeedService:
    async def create(self, db: AsyncSession, who: Principal) -> tuple[str, CalendarFeed]:
        """A new private feed token for the caller (the old URL stops working)."""
        token = secrets.token_urlsafe(32)
        stmt = insert(CalendarFeed).values(employee_id=who.employee_id, token_hash=digest(token))
        await db.execute(
            stmt.on_conflict_do_update(
                index_elements=["employee_id"], set_={"token_hash": stmt.excluded.token_hash}
            )
        )
        feed = (
            await db.scalars(
                select(CalendarFeed)
                .where(CalendarFeed.employee_id == who.employee_id)
                .execution_options(populate_existing=True)
            )
        ).one()
        await audit_service.record(db, who, "create", ENTITY, who.employee_id, None)
        return token, feed

    async def get(self, db: AsyncSession, who: Principal) -> CalendarFeed:
        """The caller's feed (its URL is shown only when created)."""
        feed = await db.get(CalendarFeed, who.employee_id)
        if feed is None:
            raise NotFound("calendar feed")
        return feed

    async def revoke(self, db: AsyncSession, who: Principal) -> None:
        """Delete the caller's feed; its URL answers 404 from now on."""
        result = await db.execute(
            delete(CalendarFeed).where(CalendarFeed.employee_id == who.employee_id)
        )
        if not result.rowcount:  # type: ignore[attr-defined]
            raise NotFound("calendar feed")
        await audit_service.record(db, who, "revoke", ENTITY, who.employee_id, None)

    async def render(self, db: AsyncSession, token: str) -> str:
        """The iCalendar text of the feed a token belongs to; 404 for any unknown token."""
        if not token or len(token) > 100:
            raise NotFound("calendar feed")
        row = (
            await db.execute(
                select(Employee.id, Employee.locale, Employee.is_active)
                .join(CalendarFeed, CalendarFeed.employee_id == Employee.id)
                .where(CalendarFeed.token_hash == digest(token))
            )
        ).first()
        if row is None or not row.is_active:
            raise NotFound("calendar feed")
        today = clock.today()
        absences = await db.scalars(
            select(Absence)
            .where(
                Absence.employee_id == row.id,
                Absence.status == "approved",
                Absence.end_date >= today - PAST,
                Absence.start_date <= today + FUTURE,
            )
            .order_by(Absence.start_date)
        )
        lang = "de" if str(row.locale).startswith("de") else "en"
        stamp = clock.now().strftime("%Y%m%dT%H%M%SZ")
        lines = [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//Workmate//Absences//" + lang.upper(),
            "CALSCALE:GREGORIAN",
            "METHOD:PUBLISH",
            "X-WR-CALNAME:" + escape("Abwesenheiten" if lang == "de" else "Absences"),
        ]
        for a in absences:
            summary = KIND_NAMES[lang].get(a.kind, a.kind)
            if a.half_day_start or a.half_day_end:
                summary += f" ({HALF[lang]})"
            lines += [
                "BEGIN:VEVENT",
                f"UID:{a.id}@workmate",
                f"DTSTAMP:{stamp}",
                f"DTSTART;VALUE=DATE:{a.start_date:%Y%m%d}",
                # DTEND of an all-day event is exclusive.
                f"DTEND;VALUE=DATE:{a.end_date + timedelta(days=1):%Y%m%d}",
                "SUMMARY:" + escape(summary),
                "TRANSP:OPAQUE",
                "END:VEVENT",
            ]
        lines.append("END:VCALENDAR")
        return "\r\n".join(fold(line) for line in lines) + "\r\n"


feed_service = FeedService()

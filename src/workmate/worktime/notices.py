"""E-mails about working time: an absence request or a handed-in month goes to whoever may
decide it, the decision to the employee. Queued in the outbox in the caller's transaction
(without a mail server they wait there, visible on the outbox page); a notice not sent yet is
withdrawn once it is decided or taken back. Nothing is sent for sick leave, which needs no
decision, or when nobody has an address to write to. The texts are built in, German or
English by the recipient's UI language."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date

from babel.dates import format_date
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from workmate.auth.principal import Principal
from workmate.models import Absence, MonthClosing
from workmate.outbox import repository as outbox_repository
from workmate.outbox import templates
from workmate.outbox.service import NewMessage, outbox_service

PURPOSE = "worktime"
KINDS = {
    "vacation": ("Urlaub", "vacation"),
    "sick": ("Krankheit", "sick leave"),
    "special_leave": ("Sonderurlaub", "special leave"),
    "overtime_compensation": ("Überstundenausgleich", "overtime compensation"),
    "training": ("Fortbildung", "training"),
}

REQUEST = {
    "de": templates.Text(
        "Antrag: {kind} von {employee}, {period}",
        "Guten Tag,\n\n{employee} beantragt {kind} für {period}{note}.\n\n"
        "Sie entscheiden darüber in Workmate unter Arbeitszeit → Abwesenheiten.\n\n{company}",
    ),
    "en": templates.Text(
        "Request: {kind} for {employee}, {period}",
        "Hello,\n\n{employee} requests {kind} for {period}{note}.\n\n"
        "You decide on it in Workmate under Working time → Absences.\n\n{company}",
    ),
}
DECISION = {
    "de": templates.Text(
        "{kind} {period}: {decision}",
        "Guten Tag {employee},\n\nIhr Antrag auf {kind} für {period} wurde von {decider} "
        "{decision}.{comment}\n\n{company}",
    ),
    "en": templates.Text(
        "{kind} {period}: {decision}",
        "Hello {employee},\n\nyour request for {kind} for {period} was {decision} by "
        "{decider}.{comment}\n\n{company}",
    ),
}
DECISIONS = {
    "approved": ("genehmigt", "approved"),
    "declined": ("abgelehnt", "declined"),
}
SUBMITTED = {
    "de": templates.Text(
        "Monat {month} von {employee} zur Freigabe",
        "Guten Tag,\n\n{employee} hat die Arbeitszeit im {month} zur Freigabe eingereicht.\n\n"
        "Sie geben den Monat in Workmate unter Arbeitszeit → Team frei.\n\n{company}",
    ),
    "en": templates.Text(
        "Month {month} of {employee} to approve",
        "Hello,\n\n{employee} has handed in the working time of {month} for approval.\n\n"
        "You approve it in Workmate under Working time → Team.\n\n{company}",
    ),
}
MONTH_DECISION = {
    "de": templates.Text(
        "Monat {month}: {decision}",
        "Guten Tag {employee},\n\nIhre Arbeitszeit im {month} wurde von {decider} "
        "{decision}.{comment}\n\n{company}",
    ),
    "en": templates.Text(
        "Month {month}: {decision}",
        "Hello {employee},\n\nyour working time of {month} was {decision} by {decider}."
        "{comment}\n\n{company}",
    ),
}
MONTH_DECISIONS = {
    "approved": ("freigegeben", "approved"),
    "returned": ("zur Korrektur zurückgegeben", "returned for correction"),
    "reopened": ("wieder geöffnet", "reopened"),
}

# Who may decide for the employee: `worktime.approve` and either `worktime.manage` or the
# lead of the employee's department (see worktime/scope.py); never the employee.
DECIDERS = text(
    """
    SELECT e.email, e.locale
      FROM employees e JOIN roles r ON r.id = e.role_id
     WHERE e.is_active AND e.id <> :owner
       AND r.permissions->'worktime' ? 'approve'
       AND (r.permissions->'worktime' ? 'manage'
            OR e.id = (SELECT d.manager_id FROM departments d
                         JOIN employees o ON o.department_id = d.id WHERE o.id = :owner))
     ORDER BY e.email
     LIMIT 20
    """
)
PEOPLE = text(
    "SELECT id, firstname || ' ' || lastname AS name, email, locale, is_active "
    "FROM employees WHERE id = ANY(:ids)"
)


def _language(locale: str | None) -> str:
    return "en" if (locale or "de").startswith("en") else "de"


def _period(absence: Absence, language: str) -> str:
    first = templates.day(absence.start_date, language)
    if absence.end_date == absence.start_date:
        return first
    return f"{first} – {templates.day(absence.end_date, language)}"


def _month(month: date, language: str) -> str:
    """März 2026 / March 2026."""
    return str(format_date(month, format="MMMM yyyy", locale=templates.BABEL[language]))


class WorktimeNotices:
    async def requested(self, db: AsyncSession, who: Principal, absence: Absence) -> None:
        """Tell the employee's deciders about a new absence request."""
        if absence.status != "requested":
            return
        note = f" ({absence.note})" if absence.note else ""
        await self._to_deciders(
            db,
            who,
            "absence",
            absence.id,
            absence.employee_id,
            REQUEST,
            lambda lang: {
                "kind": KINDS[absence.kind][lang == "en"],
                "period": _period(absence, lang),
                "note": note,
            },
        )

    async def decided(self, db: AsyncSession, who: Principal, absence: Absence) -> None:
        """Tell the employee the decision on their absence request."""
        await self.withdrawn(db, who, "absence", absence.id)
        if absence.status not in DECISIONS:
            return
        comment = f"\n\n{absence.decision_comment}" if absence.decision_comment else ""
        await self._to_employee(
            db,
            who,
            "absence",
            absence.id,
            absence.employee_id,
            DECISION,
            lambda lang: {
                "kind": KINDS[absence.kind][lang == "en"],
                "period": _period(absence, lang),
                "decision": DECISIONS[absence.status][lang == "en"],
                "comment": comment,
            },
        )

    async def month_submitted(
        self, db: AsyncSession, who: Principal, closing: MonthClosing
    ) -> None:
        """Tell the employee's deciders that a month waits for approval (an earlier notice
        on this month still waiting is withdrawn: one open message per object)."""
        await self.withdrawn(db, who, "month_closing", closing.id)
        await self._to_deciders(
            db,
            who,
            "month_closing",
            closing.id,
            closing.employee_id,
            SUBMITTED,
            lambda lang: {"month": _month(closing.month, lang)},
        )

    async def month_decided(self, db: AsyncSession, who: Principal, closing: MonthClosing) -> None:
        """Tell the employee their month was approved, returned or reopened."""
        await self.withdrawn(db, who, "month_closing", closing.id)
        if closing.status not in MONTH_DECISIONS or closing.employee_id == who.employee_id:
            return
        comment = f"\n\n{closing.comment}" if closing.comment else ""
        await self._to_employee(
            db,
            who,
            "month_closing",
            closing.id,
            closing.employee_id,
            MONTH_DECISION,
            lambda lang: {
                "month": _month(closing.month, lang),
                "decision": MONTH_DECISIONS[closing.status][lang == "en"],
                "comment": comment,
            },
        )

    async def withdrawn(
        self, db: AsyncSession, who: Principal, related_type: str, related_id: uuid.UUID
    ) -> None:
        """Withdraw the object's messages not sent yet (decided or taken back meanwhile)."""
        for waiting in await outbox_repository.for_object(db, related_type, related_id):
            if waiting.state == "queued" and waiting.purpose == PURPOSE:
                await outbox_service.cancel(db, who, waiting.id)

    async def _to_deciders(
        self,
        db: AsyncSession,
        who: Principal,
        related_type: str,
        related_id: uuid.UUID,
        owner_id: uuid.UUID,
        texts: dict[str, templates.Text],
        values: Callable[[str], dict[str, str]],
    ) -> None:
        deciders = [(r.email, r.locale) for r in await db.execute(DECIDERS, {"owner": owner_id})]
        if not deciders:
            return
        # German unless every decider reads English.
        language = "en" if all(_language(loc) == "en" for _, loc in deciders) else "de"
        [owner] = list(await db.execute(PEOPLE, {"ids": [owner_id]}))
        filled = {**values(language), "employee": owner.name}
        await self._queue(
            db, who, related_type, related_id, [e for e, _ in deciders], texts, language, filled
        )

    async def _to_employee(
        self,
        db: AsyncSession,
        who: Principal,
        related_type: str,
        related_id: uuid.UUID,
        owner_id: uuid.UUID,
        texts: dict[str, templates.Text],
        values: Callable[[str], dict[str, str]],
    ) -> None:
        people = {r.id: r for r in await db.execute(PEOPLE, {"ids": [owner_id, who.employee_id]})}
        owner, decider = people[owner_id], people[who.employee_id]
        if not owner.is_active:
            return
        language = _language(owner.locale)
        filled = {
            **values(language),
            "employee": owner.name,
            "decider": decider.name,
        }
        await self._queue(db, who, related_type, related_id, [owner.email], texts, language, filled)

    @staticmethod
    async def _queue(
        db: AsyncSession,
        who: Principal,
        related_type: str,
        related_id: uuid.UUID,
        to: list[str],
        texts: dict[str, templates.Text],
        language: str,
        values: dict[str, str],
    ) -> None:
        company = await db.scalar(text("SELECT name FROM company_settings WHERE id = 1"))
        values["company"] = company or "Workmate"
        await outbox_service.enqueue(
            db,
            who,
            NewMessage(
                purpose=PURPOSE,
                related_type=related_type,
                related_id=related_id,
                to=to,
                cc=[],
                subject=templates.fill(texts[language].subject, values)[:300],
                body=templates.fill(texts[language].body, values),
                language=language,
            ),
        )


worktime_notices = WorktimeNotices()

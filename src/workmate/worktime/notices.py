"""E-mails about absences: a request goes to whoever may decide it, a decision to the
employee. Queued in the outbox in the caller's transaction (without a mail server they wait
there, visible on the outbox page); nothing is sent for sick leave, which needs no decision,
or when nobody has an address to write to. The texts are built in, German or English by the
recipient's UI language."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from workmate.auth.principal import Principal
from workmate.models import Absence
from workmate.outbox import repository as outbox_repository
from workmate.outbox import templates
from workmate.outbox.service import NewMessage, outbox_service

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
PERSON = text(
    "SELECT firstname || ' ' || lastname AS name, email, locale, is_active "
    "FROM employees WHERE id = :id"
)
PEOPLE = text(
    "SELECT id, firstname || ' ' || lastname AS name, email, locale, is_active "
    "FROM employees WHERE id = ANY(:ids)"
)


def _period(absence: Absence, language: str) -> str:
    first = templates.day(absence.start_date, language)
    if absence.end_date == absence.start_date:
        return first
    return f"{first} – {templates.day(absence.end_date, language)}"


def _language(locale: str | None) -> str:
    return "en" if (locale or "de").startswith("en") else "de"


class AbsenceNotices:
    async def requested(self, db: AsyncSession, who: Principal, absence: Absence) -> None:
        """Tell the employee's deciders about a new request (one message to all of them)."""
        if absence.status != "requested":
            return
        deciders: Sequence[tuple[str, str]] = [
            (r.email, r.locale) for r in await db.execute(DECIDERS, {"owner": absence.employee_id})
        ]
        if not deciders:
            return
        # German unless every decider reads English.
        language = "en" if all(_language(loc) == "en" for _, loc in deciders) else "de"
        owner = (await db.execute(PERSON, {"id": absence.employee_id})).one()
        note = f" ({absence.note})" if absence.note else ""
        await self._queue(
            db,
            who,
            absence.id,
            [email for email, _ in deciders],
            REQUEST[language],
            language,
            {
                "employee": owner.name,
                "kind": KINDS[absence.kind][language == "en"],
                "period": _period(absence, language),
                "note": note,
            },
        )

    async def decided(self, db: AsyncSession, who: Principal, absence: Absence) -> None:
        """Tell the employee the decision; a request notice still waiting is withdrawn."""
        await self.withdrawn(db, who, absence)
        if absence.status not in DECISIONS:
            return
        people = {
            r.id: r
            for r in await db.execute(PEOPLE, {"ids": [absence.employee_id, who.employee_id]})
        }
        owner, decider = people[absence.employee_id], people[who.employee_id]
        if not owner.is_active:
            return
        language = _language(owner.locale)
        comment = f"\n\n{absence.decision_comment}" if absence.decision_comment else ""
        await self._queue(
            db,
            who,
            absence.id,
            [owner.email],
            DECISION[language],
            language,
            {
                "employee": owner.name,
                "kind": KINDS[absence.kind][language == "en"],
                "period": _period(absence, language),
                "decision": DECISIONS[absence.status][language == "en"],
                "decider": decider.name,
                "comment": comment,
            },
        )

    async def withdrawn(self, db: AsyncSession, who: Principal, absence: Absence) -> None:
        """Withdraw the absence's messages not sent yet (the request was decided or taken back)."""
        for waiting in await outbox_repository.for_object(db, "absence", absence.id):
            if waiting.state == "queued":
                await outbox_service.cancel(db, who, waiting.id)

    @staticmethod
    async def _queue(
        db: AsyncSession,
        who: Principal,
        absence_id: uuid.UUID,
        to: list[str],
        text_: templates.Text,
        language: str,
        values: dict[str, str],
    ) -> None:
        company = await db.scalar(text("SELECT name FROM company_settings WHERE id = 1"))
        values["company"] = company or "Workmate"
        await outbox_service.enqueue(
            db,
            who,
            NewMessage(
                purpose="absence",
                related_type="absence",
                related_id=absence_id,
                to=to,
                cc=[],
                subject=templates.fill(text_.subject, values)[:300],
                body=templates.fill(text_.body, values),
                language=language,
            ),
        )


absence_notices = AbsenceNotices()

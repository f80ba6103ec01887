"""Absences: vacation requested and decided, sick leave reported, special leave, overtime
compensation and training; counted in working days of the employee's contract.

An employee's own vacation, special leave, overtime compensation and training are requests a
manager approves or declines; sick leave is reported and stands at once. An absence entered by
someone who decides for the employee is approved at once. Vacation may not exceed what is left
of the year's account (entitlement, carry-over, minus taken, planned and requested days).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from workmate import clock
from workmate.audit.service import audit_service, diff
from workmate.auth.principal import Principal
from workmate.errors import Conflict, Forbidden, Invalid, NotFound
from workmate.models import Absence
from workmate.worktime import calc, scope
from workmate.worktime.accounts import account_service
from workmate.worktime.breaks import flush
from workmate.worktime.holidays import holiday_service
from workmate.worktime.notices import worktime_notices
from workmate.worktime.repository import away, worktime_repository
from workmate.worktime.repository import terms as contract_terms
from workmate.worktime.schemas import AbsenceCreate

ENTITY = "absence"
FIELDS = (
    "employee_id",
    "kind",
    "start_date",
    "end_date",
    "half_day_start",
    "half_day_end",
    "certificate",
    "status",
    "note",
    "decided_by",
    "decision_comment",
)


class AbsenceDecided(Conflict):
    """The absence was decided already (e.g. by another manager a moment earlier)."""


class NotEnoughVacation(Invalid):
    """A vacation request beyond what is left of the year."""


class MonthClosed(Conflict):
    """The absence touches a closed month."""


def _snapshot(a: Absence) -> dict[str, Any]:
    return audit_service.snapshot(a, FIELDS)


class AbsenceService:
    async def days(self, db: AsyncSession, absences: Sequence[Absence]) -> dict[uuid.UUID, Decimal]:
        """Working days each absence uses, for many absences in a few statements."""
        if not absences:
            return {}
        first = min(a.start_date for a in absences)
        last = max(a.end_date for a in absences)
        settings = await worktime_repository.settings(db)
        contracts = await worktime_repository.contracts(
            db, sorted({a.employee_id for a in absences})
        )
        terms = {e: [contract_terms(c) for c in cs] for e, cs in contracts.items()}
        states = {t.federal_state for ts in terms.values() for t in ts}
        holidays = await holiday_service.table(db, states, first, last) if states else {}
        half_days = frozenset(settings.half_days)
        result: dict[uuid.UUID, Decimal] = {}
        for a in absences:
            span = away(a)
            mine = terms.get(a.employee_id, [])
            result[a.id] = sum(
                (
                    calc.plan(d, mine, holidays, half_days, [span]).absence_days
                    for d in calc.days(a.start_date, a.end_date)
                ),
                calc.ZERO,
            )
        return result

    async def list(
        self,
        db: AsyncSession,
        who: Principal,
        *,
        employee_id: uuid.UUID | None,
        first: date | None,
        last: date | None,
        status: str | None,
        kind: str | None,
        limit: int,
        offset: int,
    ) -> tuple[list[Absence], int]:
        """Absences of one employee (own or in scope) or, without employee_id, of everyone
        the caller sees (own only for a plain employee), newest first."""
        ids: list[uuid.UUID] | None
        if employee_id is not None:
            ids = [await scope.subject(db, who, employee_id)]
        else:
            departments = await scope.visible(db, who)
            if departments is None:
                ids = None
            else:
                people = await worktime_repository.people(db, departments=departments)
                ids = sorted({who.employee_id, *(p.id for p in people)})
        return await worktime_repository.absence_list(
            db,
            employee_ids=ids,
            first=first,
            last=last,
            status=status,
            kind=kind,
            limit=limit,
            offset=offset,
        )

    async def get(self, db: AsyncSession, who: Principal, absence_id: uuid.UUID) -> Absence:
        """One absence; another employee's only in the caller's scope."""
        found = await worktime_repository.absence(db, absence_id)
        if found is None or not await scope.in_scope(db, who, found.employee_id):
            raise NotFound("absence")
        return found

    async def create(self, db: AsyncSession, who: Principal, data: AbsenceCreate) -> Absence:
        """Request (own) or enter (as decider) an absence; see the module doc for the rules."""
        owner = data.employee_id or who.employee_id
        deciding = owner != who.employee_id
        if deciding:
            if not await worktime_repository.employee_exists(db, owner):
                raise Invalid("employee not found", field="employee_id")
            await scope.decider(db, who, owner)
        await worktime_repository.lock_employee(db, owner)
        await self._open(db, owner, data.start_date, data.end_date)
        absence = Absence(
            employee_id=owner,
            kind=data.kind,
            start_date=data.start_date,
            end_date=data.end_date,
            half_day_start=data.half_day_start,
            half_day_end=data.half_day_end,
            certificate=data.certificate,
            note=data.note,
            requested_by=who.employee_id,
            status="requested",
        )
        days = await account_service.absence_days(db, owner, away(absence))
        if sum(days.values(), calc.ZERO) == 0:
            raise Invalid(
                "the absence covers no working day of the employee's contract",
                field="start_date",
            )
        if deciding or data.kind == "sick":
            absence.status = "approved"
            absence.decided_at = clock.now()
            absence.decided_by = who.employee_id if deciding else None
        if data.kind == "vacation":
            await self._enough_vacation(db, owner, days, exclude=None)
        db.add(absence)
        await flush(db)
        await audit_service.record(
            db, who, "create", ENTITY, absence.id, diff(None, _snapshot(absence))
        )
        await worktime_notices.requested(db, who, absence)
        return absence

    async def approve(
        self, db: AsyncSession, who: Principal, absence_id: uuid.UUID, comment: str | None
    ) -> Absence:
        """Approve a requested absence (decider for its employee); vacation is checked
        against the year's account again."""
        absence = await self._deciding(db, who, absence_id)
        if absence.kind == "vacation":
            days = await account_service.absence_days(db, absence.employee_id, away(absence))
            await self._enough_vacation(db, absence.employee_id, days, exclude=absence.id)
        return await self._decide(db, who, absence, "approved", comment)

    async def decline(
        self, db: AsyncSession, who: Principal, absence_id: uuid.UUID, comment: str | None
    ) -> Absence:
        """Decline a requested absence (decider for its employee)."""
        absence = await self._deciding(db, who, absence_id)
        return await self._decide(db, who, absence, "declined", comment)

    async def cancel(self, db: AsyncSession, who: Principal, absence_id: uuid.UUID) -> Absence:
        """Withdraw an absence: the employee their own request or a future approved absence;
        a decider any absence of an open month."""
        absence = await self.get(db, who, absence_id)
        await worktime_repository.lock_employee(db, absence.employee_id)
        found = await worktime_repository.absence(db, absence_id, for_update=True)
        if found is None:
            raise NotFound("absence")
        absence = found
        if absence.status not in ("requested", "approved"):
            raise AbsenceDecided(f"the absence is {absence.status} already")
        own = absence.employee_id == who.employee_id
        may_decide = not own and (who.can("worktime", "approve") or who.can("worktime", "manage"))
        if not may_decide and not (
            own and (absence.status == "requested" or absence.start_date > clock.today())
        ):
            raise Forbidden("an absence that has begun is cancelled by a manager")
        if may_decide:
            await scope.decider(db, who, absence.employee_id)
        before = _snapshot(absence)
        absence.status = "cancelled"
        await flush(db)
        await audit_service.record(
            db, who, "cancel", ENTITY, absence.id, diff(before, _snapshot(absence))
        )
        await worktime_notices.withdrawn(db, who, ENTITY, absence.id)
        return absence

    # ---- helpers ----

    async def _deciding(self, db: AsyncSession, who: Principal, absence_id: uuid.UUID) -> Absence:
        absence = await self.get(db, who, absence_id)
        await scope.decider(db, who, absence.employee_id)
        # The employee's queue first, then the row: two managers deciding at once meet here
        # and the second sees the first one's decision.
        await worktime_repository.lock_employee(db, absence.employee_id)
        found = await worktime_repository.absence(db, absence_id, for_update=True)
        if found is None:
            raise NotFound("absence")
        if found.status != "requested":
            raise AbsenceDecided(f"the absence is {found.status} already")
        return found

    async def _decide(
        self, db: AsyncSession, who: Principal, absence: Absence, status: str, comment: str | None
    ) -> Absence:
        before = _snapshot(absence)
        absence.status = status
        absence.decided_at = clock.now()
        absence.decided_by = who.employee_id
        absence.decision_comment = comment
        await flush(db)
        action = "approve" if status == "approved" else "decline"
        await audit_service.record(
            db, who, action, ENTITY, absence.id, diff(before, _snapshot(absence))
        )
        await worktime_notices.decided(db, who, absence)
        return absence

    async def _open(
        self, db: AsyncSession, employee_id: uuid.UUID, first: date, last: date
    ) -> None:
        locked = await worktime_repository.locked_month(db, employee_id, first, last)
        if locked is not None:
            raise MonthClosed(
                "month {month} of this employee is closed; a manager must reopen it first",
                field="start_date",
                params={"month": locked.strftime("%Y-%m")},
            )

    async def _enough_vacation(
        self,
        db: AsyncSession,
        employee_id: uuid.UUID,
        days: dict[int, Decimal],
        *,
        exclude: uuid.UUID | None,
    ) -> None:
        for year, wanted in sorted(days.items()):
            if wanted == 0:
                continue
            account = await account_service.vacation(db, employee_id, year)
            pending = account.requested
            if exclude is not None:
                pending -= await self._requested_days(db, exclude, year)
            available = account.left - pending
            if wanted > available:
                raise NotEnoughVacation(
                    "not enough vacation left in {year}: {available} days available, "
                    "{wanted} asked for",
                    field="end_date",
                    params={"year": year, "available": available, "wanted": wanted},
                )

    async def _requested_days(self, db: AsyncSession, absence_id: uuid.UUID, year: int) -> Decimal:
        absence = await worktime_repository.absence(db, absence_id)
        if absence is None or absence.status != "requested":
            return calc.ZERO
        days = await account_service.absence_days(db, absence.employee_id, away(absence))
        return days.get(year, calc.ZERO)


absence_service = AbsenceService()

"""The team calendar: who is away on which day of a month, per department.

Everyone sees their own department; managers the departments they lead, `manage` every
department. The kind of an absence (sick leave is health data) is shown only to the employee
and to who decides for them; everyone else sees "absent".
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from workmate.auth.principal import Principal
from workmate.errors import NotFound
from workmate.worktime import calc, scope
from workmate.worktime.holidays import holiday_service
from workmate.worktime.repository import away, worktime_repository
from workmate.worktime.repository import terms as contract_terms
from workmate.worktime.schemas import CalendarCell, CalendarRow, TeamCalendar
from workmate.worktime.sheets import month_end


class CalendarService:
    async def month(
        self, db: AsyncSession, who: Principal, month: date, department_id: uuid.UUID | None
    ) -> TeamCalendar:
        """One month of one department (the caller's own by default)."""
        own = await worktime_repository.department_of(db, who.employee_id)
        chosen = department_id or own
        led = await scope.visible(db, who)
        if chosen is not None and chosen != own and led is not None and chosen not in led:
            raise NotFound("department", field="department_id")
        if chosen is None:
            people = await worktime_repository.people(db, ids=[who.employee_id])
        else:
            people = await worktime_repository.people(db, departments=[chosen], active_only=True)
        decides = set(led) if led is not None else None
        last = month_end(month)
        ids = [p.id for p in people]
        settings = await worktime_repository.settings(db)
        contracts = await worktime_repository.contracts(db, ids)
        terms = {e: [contract_terms(c) for c in cs] for e, cs in contracts.items()}
        states = {t.federal_state for ts in terms.values() for t in ts}
        holidays = await holiday_service.table(db, states, month, last) if states else {}
        absences: dict[uuid.UUID, list[calc.Away]] = {}
        for a in await worktime_repository.absences(db, ids, month, last):
            absences.setdefault(a.employee_id, []).append(away(a))
        half_days = frozenset(settings.half_days)
        rows: list[CalendarRow] = []
        for p in people:
            sees_kind = (
                p.id == who.employee_id
                or decides is None
                or (p.department_id is not None and p.department_id in decides)
            )
            cells: list[CalendarCell] = []
            for day in calc.days(month, last):
                plan = calc.plan(
                    day, terms.get(p.id, []), holidays, half_days, absences.get(p.id, [])
                )
                absence = plan.absence
                cells.append(
                    CalendarCell(
                        day=day,
                        absence=(absence.kind if sees_kind else "absent") if absence else None,
                        status=absence.status if absence else None,
                        half=plan.absence_fraction == calc.HALF,
                        holiday=plan.holiday_name,
                        workday=plan.hours > 0 and plan.holiday < 1,
                    )
                )
            rows.append(CalendarRow(employee_id=p.id, name=p.name, cells=cells))
        return TeamCalendar(month=month.strftime("%Y-%m"), department_id=chosen, rows=rows)


calendar_service = CalendarService()

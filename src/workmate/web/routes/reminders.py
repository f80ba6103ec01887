"""Reminders: the employee's own by view (today, overdue, upcoming, open, done); create; done."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from workmate import clock
from workmate.auth.deps import require
from workmate.auth.principal import Principal
from workmate.db import SessionDep
from workmate.employees.service import employee_service
from workmate.reminders.schemas import ReminderCreate
from workmate.reminders.service import reminder_service
from workmate.web.catalogs import N_
from workmate.web.forms import REFUSALS, FieldErrors, blank_to_none, domain_error, parse
from workmate.web.i18n import formatter
from workmate.web.render import render
from workmate.web.routes.common import form_data, page_numbers, see_other, undo
from workmate.web.routes.timer import timer_context

router = APIRouter(prefix="/reminders")

RemindersRead = Annotated[Principal, Depends(require("reminders", "read"))]
RemindersWrite = Annotated[Principal, Depends(require("reminders", "write"))]
VIEWS = (N_("open"), N_("due_today"), N_("overdue"), N_("upcoming"), N_("done"))
PRIORITIES = (N_("low"), N_("medium"), N_("high"))
FIELDS = ("title", "due_date", "priority", "note")
PER_PAGE = 25


def today() -> date:
    return clock.today()


async def _page(
    request: Request,
    who: Principal,
    db: AsyncSession,
    view: str,
    page: int,
    *,
    values: dict[str, Any] | None = None,
    errors: FieldErrors | None = None,
    status_code: int = 200,
    notice: str | None = None,
) -> Response:
    chosen = view if view in VIEWS else "open"
    items, total = await reminder_service.list(
        db, who, view=chosen, today=today(), limit=PER_PAGE, offset=(page - 1) * PER_PAGE
    )
    fmt = formatter(who.locale)
    # Someone who sees others' reminders (reminders.manage) needs to know whose they are.
    others = {r.owner_id for r in items} - {who.employee_id}
    owners = await employee_service.names(db, {r.owner_id for r in items}) if others else {}
    return render(
        request,
        "reminders/list.html",
        who,
        status_code=status_code,
        timer=await timer_context(db, who),
        reminders=items,
        view=chosen,
        views=VIEWS,
        today=today(),
        priorities=[(p, fmt.gettext(p)) for p in PRIORITIES],
        values=values or {"due_date": today().isoformat(), "priority": "medium"},
        errors=errors or {},
        paging=page_numbers(page, PER_PAGE, total),
        owners=owners,
        notice=notice,
    )


@router.get("")
async def reminder_list(
    request: Request,
    who: RemindersRead,
    db: SessionDep,
    view: Annotated[str, Query(max_length=20)] = "open",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    done: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """The caller's reminders in one view, soonest first (with the owner where not one's own)."""
    fmt = formatter(who.locale)
    notices = {
        "created": fmt.gettext("Reminder saved."),
        "done": fmt.gettext("Marked as done."),
        "reopened": fmt.gettext("Opened again."),
    }
    return await _page(request, who, db, view, page, notice=notices.get(done))


@router.post("")
async def create_reminder(request: Request, who: RemindersWrite, db: SessionDep) -> Response:
    """Create a reminder for oneself through the reminder service."""
    fmt = formatter(who.locale)
    raw = {k: v for k, v in (await form_data(request)).items() if k in FIELDS}
    parsed, errors = parse(ReminderCreate, blank_to_none(raw, keep=("title",)), fmt)
    if parsed is not None:
        try:
            await reminder_service.create(db, who, parsed)
        except REFUSALS as exc:
            await undo(db, exc)
            errors = domain_error(exc, FIELDS)
        else:
            return see_other("/reminders?done=created")
    return await _page(request, who, db, "open", 1, values=raw, errors=errors, status_code=422)


@router.post("/{reminder_id}/done")
async def mark_done(
    request: Request, reminder_id: uuid.UUID, who: RemindersWrite, db: SessionDep
) -> Response:
    """Mark done, or open again (`done=false`)."""
    form = await form_data(request)
    finished = form.get("done", "true") == "true"
    await reminder_service.set_done(db, who, reminder_id, finished)
    view = form.get("view", "open")
    view = view if view in VIEWS else "open"
    return see_other(f"/reminders?view={view}&done={'done' if finished else 'reopened'}")

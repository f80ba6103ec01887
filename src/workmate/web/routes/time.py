"""Time: the employee's own week, entry by entry, with totals per day."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime, timedelta
from datetime import time as dt_time
from decimal import Decimal
from typing import Annotated, Any, cast

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from workmate import clock
from workmate.auth.deps import require
from workmate.auth.principal import Principal
from workmate.db import SessionDep
from workmate.errors import Invalid
from workmate.time_entries.schemas import GroupBy, TimeEntryCreate, TimeEntryUpdate
from workmate.time_entries.service import time_entry_service
from workmate.web.catalogs import N_
from workmate.web.forms import REFUSALS, FieldErrors, domain_error, parse
from workmate.web.i18n import DISPLAY_TZ, Formatter, formatter
from workmate.web.render import render
from workmate.web.routes.common import form_data, see_other, undo
from workmate.web.routes.timer import project_titles, timer_context

router = APIRouter(prefix="/time")

TimeRead = Annotated[Principal, Depends(require("time_entries", "read"))]
WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
# A week of one person holds far fewer entries than this.
MAX_ENTRIES = 500


def week_start(week: str | None, today: date) -> date:
    """Monday of an ISO week `2026-W09`; this week when absent or malformed."""
    match = WEEK.match(week or "")
    if match:
        try:
            return date.fromisocalendar(int(match[1]), int(match[2]), 1)
        except ValueError:
            pass
    return today - timedelta(days=today.weekday())


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


@router.get("")
async def week_view(
    request: Request,
    who: TimeRead,
    db: SessionDep,
    week: Annotated[str | None, Query(max_length=10)] = None,
    far: Annotated[str | None, Query(max_length=10)] = None,
) -> Response:
    """The caller's own entries of one week (Europe/Berlin days), Monday to Sunday; after
    saving an entry far from today a warning (not a refusal) says so."""
    today = clock.today()
    monday = week_start(week, today)
    sunday = monday + timedelta(days=6)
    entries, _total = await time_entry_service.search(
        db, who, employee_id=who.employee_id, start=monday, end=sunday, limit=MAX_ENTRIES
    )
    titles = await project_titles(db, {e.project_id for e in entries})
    days: list[dict[str, Any]] = []
    for offset in range(7):
        day = monday + timedelta(days=offset)
        items = sorted(
            (e for e in entries if e.start_time.astimezone(DISPLAY_TZ).date() == day),
            key=lambda e: e.start_time,
        )
        total = sum((e.duration or timedelta() for e in items), timedelta())
        days.append({"date": day, "entries": items, "total": total, "today": day == today})
    # Target, actual and the ArbZG warnings of each day come from the working-time domain.
    figures = None
    if who.can("worktime", "read"):
        from workmate.worktime.sheets import sheet_service

        figures = await sheet_service.week(db, who, None, monday)
        for cell, shown in zip(days, figures.days, strict=True):
            cell["figures"] = shown
    return render(
        request,
        "time/week.html",
        who,
        timer=await timer_context(db, who),
        figures=figures,
        days=days,
        titles=titles,
        week=iso_week(monday),
        prev_week=iso_week(monday - timedelta(days=7)),
        next_week=iso_week(monday + timedelta(days=7)),
        week_total=sum((d["total"] for d in days), timedelta()),
        monday=monday,
        sunday=sunday,
        far=far if far in ("ahead", "back") else None,
    )


TimeWrite = Annotated[Principal, Depends(require("time_entries", "write"))]
TimeDelete = Annotated[Principal, Depends(require("time_entries", "delete"))]
ENTRY_FIELDS = ("project_id", "date", "start", "end", "note", "billable")
# The service names instants; the form asks for a day and two wall-clock times.
SERVICE_TO_FORM = {"start_time": "start", "end_time": "end"}


def _instant(day: str, clock: str) -> datetime | None:
    """A German wall-clock time on a day as an aware instant; None if either is malformed."""
    try:
        return datetime.combine(date.fromisoformat(day), time_of(clock), tzinfo=DISPLAY_TZ)
    except ValueError:
        return None


def time_of(clock: str) -> dt_time:
    return dt_time.fromisoformat(clock.strip())


def _entry_values(form: dict[str, str], fmt: Formatter) -> tuple[dict[str, Any], FieldErrors]:
    errors: FieldErrors = {}
    values: dict[str, Any] = {
        "project_id": form.get("project_id") or None,
        "note": form.get("note", "").strip() or None,
        "billable": form.get("billable") == "true",
    }
    if values["project_id"] is None:
        # "–" in the picker: name the field in the reader's words, not pydantic's UUID text.
        errors["project_id"] = fmt.gettext("Choose a project.")
    for name in ("start", "end"):
        instant = _instant(form.get("date", ""), form.get(name, ""))
        if instant is None:
            errors[name] = fmt.gettext("Enter a date and a time like 08:30.")
        values[f"{name}_time"] = instant
    start, end = values["start_time"], values["end_time"]
    if start is not None and end is not None and end < start:
        # 22:00–02:00: an end before the start is on the next day (night shifts, a timer
        # that ran over midnight); the form has one date, the start's.
        values["end_time"] = datetime.combine(
            end.date() + timedelta(days=1), end.timetz().replace(tzinfo=None), tzinfo=DISPLAY_TZ
        )
    return values, errors


# Bookings this far from today are kept but flagged: usually a mistyped year or month.
FAR_AHEAD = timedelta(days=1)
FAR_BACK = timedelta(days=60)


def far_off(day: date, today: date) -> str | None:
    """'ahead' beyond one day in the future, 'back' beyond 60 days in the past, else None."""
    if day > today + FAR_AHEAD:
        return "ahead"
    if day < today - FAR_BACK:
        return "back"
    return None


def _week_after_save(day: date) -> str:
    far = far_off(day, clock.today())
    return f"/time?week={iso_week(day)}" + (f"&far={far}" if far else "")


def _form_errors(errors: FieldErrors) -> FieldErrors:
    return {SERVICE_TO_FORM.get(k, k): v for k, v in errors.items()}


async def _entry_form(
    request: Request,
    who: Principal,
    db: AsyncSession,
    values: dict[str, Any],
    errors: FieldErrors,
    entry_id: uuid.UUID | None = None,
    status_code: int = 200,
) -> Response:
    timer = await timer_context(db, who)
    projects = timer.projects if timer else []
    return render(
        request,
        "time/form.html",
        who,
        status_code=status_code,
        timer=timer,
        values=values,
        errors=errors,
        entry_id=entry_id,
        projects=[(str(p.id), p.label) for p in projects],
    )


@router.get("/new")
async def new_entry(
    request: Request, who: TimeWrite, db: SessionDep, day: Annotated[str, Query(max_length=10)] = ""
) -> Response:
    """A form to book finished time on a day."""
    today = clock.today().isoformat()
    values = {"date": day or today, "start": "09:00", "end": "10:00", "billable": "true"}
    return await _entry_form(request, who, db, values, {})


@router.post("/new")
async def create_entry(request: Request, who: TimeWrite, db: SessionDep) -> Response:
    """Book the entry through the time service (no overlaps, end after start)."""
    fmt = formatter(who.locale)
    form = await form_data(request)
    values, errors = _entry_values(form, fmt)
    parsed, schema_errors = parse(TimeEntryCreate, values, fmt)
    errors = {**_form_errors(schema_errors), **errors}
    if parsed is not None and not errors:
        try:
            entry = await time_entry_service.create(db, who, **parsed.model_dump())
        except REFUSALS as exc:
            await undo(db, exc)
            errors = _form_errors(domain_error(exc, (*ENTRY_FIELDS, *SERVICE_TO_FORM)))
        else:
            day = entry.start_time.astimezone(DISPLAY_TZ).date()
            return see_other(_week_after_save(day))
    return await _entry_form(request, who, db, form, errors, status_code=422)


@router.get("/{entry_id}/edit")
async def edit_entry(
    request: Request, entry_id: uuid.UUID, who: TimeWrite, db: SessionDep
) -> Response:
    """The entry's form; entries billed on an issued invoice are refused on save."""
    entry = await time_entry_service.get(db, who, entry_id)
    start = entry.start_time.astimezone(DISPLAY_TZ)
    end = entry.end_time.astimezone(DISPLAY_TZ) if entry.end_time else None
    values = {
        "project_id": str(entry.project_id),
        "date": start.date().isoformat(),
        "start": start.strftime("%H:%M"),
        "end": end.strftime("%H:%M") if end else "",
        "note": entry.note or "",
        "billable": "true" if entry.billable else "",
    }
    return await _entry_form(request, who, db, values, {}, entry_id=entry_id)


@router.post("/{entry_id}/edit")
async def update_entry(
    request: Request, entry_id: uuid.UUID, who: TimeWrite, db: SessionDep
) -> Response:
    """Save changes through the time service."""
    fmt = formatter(who.locale)
    form = await form_data(request)
    values, errors = _entry_values(form, fmt)
    parsed, schema_errors = parse(TimeEntryUpdate, values, fmt)
    errors = {**_form_errors(schema_errors), **errors}
    if parsed is not None and not errors:
        try:
            entry = await time_entry_service.update(
                db, who, entry_id, parsed.model_dump(exclude_unset=True)
            )
        except REFUSALS as exc:
            await undo(db, exc)
            errors = _form_errors(domain_error(exc, (*ENTRY_FIELDS, *SERVICE_TO_FORM)))
        else:
            day = entry.start_time.astimezone(DISPLAY_TZ).date()
            return see_other(_week_after_save(day))
    return await _entry_form(request, who, db, form, errors, entry_id=entry_id, status_code=422)


@router.post("/{entry_id}/delete")
async def delete_entry(entry_id: uuid.UUID, who: TimeDelete, db: SessionDep) -> Response:
    """Delete through the time service (refused for billed entries)."""
    await time_entry_service.delete(db, who, entry_id)
    return see_other("/time")


GROUPS = (N_("project"), N_("customer"), N_("employee"), N_("day"), N_("week"), N_("month"))


@router.get("/report")
async def report(
    request: Request,
    who: TimeRead,
    db: SessionDep,
    group_by: Annotated[str, Query(max_length=20)] = "project",
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
) -> Response:
    """Hours per project (or customer, employee, period) with a bar chart; own hours unless
    the role may manage time entries (the service decides)."""
    today = clock.today()
    start = start or today.replace(day=1)
    end = end or today
    group = cast(GroupBy, group_by if group_by in GROUPS else "project")
    errors: FieldErrors = {}
    result = None
    try:
        result = await time_entry_service.report(
            db,
            who,
            group_by=group,
            start=start,
            end=end,
        )
    except Invalid as exc:
        await undo(db, exc)
        errors = {"from" if exc.field in (None, "from", "start") else str(exc.field): exc}
    peak = max((r.hours for r in result.rows), default=Decimal(0)) if result else Decimal(0)
    return render(
        request,
        "time/report.html",
        who,
        timer=await timer_context(db, who),
        report=result,
        peak=peak or Decimal(1),
        group=group,
        groups=GROUPS,
        values={"from": start.isoformat(), "to": end.isoformat()},
        errors=errors,
    )

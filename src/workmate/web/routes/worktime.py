"""Working time pages: my month (target, actual, overtime, warnings, submit), absences and
vacation (request, decide, iCal feed), the team (months to approve, calendar)."""

from __future__ import annotations

import contextlib
import uuid
from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from workmate import clock
from workmate.auth.deps import require
from workmate.auth.principal import Principal
from workmate.db import SessionDep
from workmate.errors import NotFound, WorkmateError
from workmate.models.work_contract import FEDERAL_STATES
from workmate.web.catalogs import N_
from workmate.web.forms import (
    REFUSALS,
    domain_error,
    parse,
    refusal,
    translate,
    validation_errors,
)
from workmate.web.i18n import Formatter, formatter
from workmate.web.render import render
from workmate.web.routes.common import form_data, see_other, undo
from workmate.web.routes.timer import timer_context
from workmate.worktime import scope
from workmate.worktime.absences import absence_service
from workmate.worktime.accounts import account_service
from workmate.worktime.breaks import break_service
from workmate.worktime.contracts import contract_service
from workmate.worktime.ical import feed_service
from workmate.worktime.months import month_service
from workmate.worktime.repository import worktime_repository
from workmate.worktime.schemas import AbsenceCreate, ContractCreate, SettingsUpdate, parse_month
from workmate.worktime.sheets import month_end, sheet_service
from workmate.worktime.team import calendar_service

router = APIRouter(prefix="/worktime")

Read = Annotated[Principal, Depends(require("worktime", "read"))]
Write = Annotated[Principal, Depends(require("worktime", "write"))]
Approve = Annotated[Principal, Depends(require("worktime", "approve"))]
Manage = Annotated[Principal, Depends(require("worktime", "manage"))]
Configure = Annotated[Principal, Depends(require("worktime", "configure"))]

KINDS = (
    N_("vacation"),
    N_("sick"),
    N_("special_leave"),
    N_("overtime_compensation"),
    N_("training"),
)
STATES = (
    N_("open"),
    N_("submitted"),
    N_("approved"),
    N_("returned"),
    N_("reopened"),
    N_("locked"),
    N_("requested"),
    N_("declined"),
    N_("absent"),
)
# Refusals the services send to these pages, so they are shown in the reader's language.
MESSAGES = (
    N_("month {month} of this employee is closed; a manager must reopen it first"),
    N_("month {month} is not over yet"),
    N_("month {month} is approved already"),
    N_("month {month} is {state}; only a submitted month can be approved"),
    N_("month {month} is {state}; only a submitted month can be sent back"),
    N_("month {month} is not locked"),
    N_("a timer started on {day} still runs; stop it before closing the month"),
    N_("not enough vacation left in {year}: {available} days available, {wanted} asked for"),
    N_("the absence covers no working day of the employee's contract"),
    N_("the absence overlaps another absence of the employee"),
    N_("you cannot decide on your own working time; ask another manager"),
    N_("an absence that has begun is cancelled by a manager"),
)

# The time sheet PDF (worktime/exports.py) speaks the reader's language too.
SHEET = (
    N_("Time sheet"), N_("Date"), N_("Absence / holiday"), N_("From"), N_("To"),
    N_("Break (min)"), N_("Worked"), N_("Deducted (min)"), N_("Actual"), N_("Target"),
    N_("Difference"), N_("Total"), N_("Overtime balance at the start of the month"),
    N_("Overtime balance at the end of the month"), N_("Vacation days"), N_("Sick days"),
    N_("Approved by %(name)s on %(when)s"), N_("Locked by the company's month close."),
    N_("Not approved yet (status: %(status)s)."), N_("Half day"), N_("Vacation"),
    N_("Sick leave"), N_("Special leave"), N_("Overtime compensation"), N_("Training"),
)  # fmt: skip


def message(exc: BaseException, fmt: Formatter) -> str:
    """A service or database refusal in the reader's language (web/forms.translate)."""
    return translate(refusal(exc), fmt)


def chosen_month(value: str | None) -> date:
    if value:
        try:
            return parse_month(value)
        except WorkmateError:
            pass
    return clock.today().replace(day=1)


def shift(month: date, by: int) -> str:
    index = month.year * 12 + month.month - 1 + by
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


async def _month_page(
    request: Request,
    who: Principal,
    db: AsyncSession,
    month: date,
    employee_id: uuid.UUID | None,
    *,
    error: str | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> Response:
    sheet = await sheet_service.month(db, who, employee_id, month)
    owner = sheet.employee_id
    own = owner == who.employee_id
    vacation = await account_service.vacation(db, owner, month.year)
    may_decide = (
        not own and (who.can("worktime", "approve")) and await scope.in_scope(db, who, owner)
    )
    contracts = await contract_service.list(db, who, owner) if who.can("worktime", "manage") else []
    return render(
        request,
        "worktime/month.html",
        who,
        status_code=status_code,
        timer=await timer_context(db, who),
        sheet=sheet,
        vacation=vacation,
        month=month,
        month_text=month.strftime("%Y-%m"),
        prev_month=shift(month, -1),
        next_month=shift(month, 1),
        own=own,
        over=month_end(month) < clock.today(),
        may_decide=may_decide,
        query=f"&employee_id={owner}" if not own else "",
        error=error,
        notice=notice,
        today=clock.today(),
        contracts=contracts,
        states=FEDERAL_STATES,
    )


@router.get("")
async def month_page(
    request: Request,
    who: Read,
    db: SessionDep,
    month: Annotated[str | None, Query(max_length=7)] = None,
    employee_id: uuid.UUID | None = None,
) -> Response:
    """One month: each day's target, actual, difference, breaks, ArbZG warnings; totals,
    overtime balance, vacation, closing status (own, or an employee one decides for)."""
    return await _month_page(request, who, db, chosen_month(month), employee_id)


async def _act(
    request: Request,
    who: Principal,
    db: AsyncSession,
    month: date,
    employee_id: uuid.UUID | None,
    action: Any,
    done: str,
) -> Response:
    fmt = formatter(who.locale)
    try:
        await action()
    except REFUSALS as exc:
        await undo(db, exc)
        return await _month_page(
            request, who, db, month, employee_id, error=message(exc, fmt), status_code=409
        )
    suffix = f"&employee_id={employee_id}" if employee_id and employee_id != who.employee_id else ""
    await db.commit()
    return see_other(f"/worktime?month={month:%Y-%m}{suffix}&done={done}")


def _employee(form: dict[str, str]) -> uuid.UUID:
    try:
        return uuid.UUID(form.get("employee_id", ""))
    except ValueError:
        raise NotFound("employee", field="employee_id") from None


@router.post("/months/{month}/submit")
async def submit(request: Request, month: str, who: Write, db: SessionDep) -> Response:
    """Hand in one's month for approval."""
    first = parse_month(month)
    return await _act(
        request, who, db, first, None, lambda: month_service.submit(db, who, first), "submitted"
    )


@router.post("/months/{month}/{step}")
async def decide_month(
    request: Request, month: str, step: str, who: Approve, db: SessionDep
) -> Response:
    """Approve, send back (with a comment) or reopen (with a reason) an employee's month."""
    first = parse_month(month)
    form = await form_data(request)
    employee_id = _employee(form)
    text = (form.get("comment") or "").strip()[:1000]
    fmt = formatter(who.locale)
    if step == "approve":
        action: Any = lambda: month_service.approve(db, who, employee_id, first)  # noqa: E731
    elif step in ("return", "reopen"):
        if not text:
            return await _month_page(
                request,
                who,
                db,
                first,
                employee_id,
                status_code=422,
                error=fmt.gettext("Please give a reason."),
            )
        if step == "return":
            action = lambda: month_service.send_back(db, who, employee_id, first, text)  # noqa: E731
        else:
            action = lambda: month_service.reopen(db, who, employee_id, first, text)  # noqa: E731
    else:
        raise NotFound("page")
    return await _act(request, who, db, first, employee_id, action, step)


@router.post("/deductions/{deduction_id}/reverse")
async def reverse(
    request: Request, deduction_id: uuid.UUID, who: Approve, db: SessionDep
) -> Response:
    """Take back an automatic break deduction, with a reason."""
    form = await form_data(request)
    month = chosen_month(form.get("month"))
    employee_id = _employee(form)
    reason = (form.get("reason") or "").strip()[:1000]
    fmt = formatter(who.locale)
    if not reason:
        return await _month_page(
            request,
            who,
            db,
            month,
            employee_id,
            status_code=422,
            error=fmt.gettext("Please give a reason."),
        )
    return await _act(
        request,
        who,
        db,
        month,
        employee_id,
        lambda: break_service.reverse(db, who, deduction_id, reason),
        "reversed",
    )


@router.post("/contracts")
async def add_contract(request: Request, who: Manage, db: SessionDep) -> Response:
    """Add a work contract for an employee (a running open-ended one ends the day before)."""
    form = await form_data(request)
    employee_id = _employee(form)
    month = chosen_month(form.get("month"))
    workdays = [d for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun") if form.get(d)]
    try:
        data = ContractCreate.model_validate(
            {
                "employee_id": str(employee_id),
                "valid_from": form.get("valid_from") or None,
                "weekly_hours": (form.get("weekly_hours") or "").replace(",", ".") or None,
                "workdays": workdays or None,
                "vacation_days": (form.get("vacation_days") or "").replace(",", ".") or None,
                "federal_state": form.get("federal_state") or None,
            }
        )
    except ValidationError as exc:
        first = next(iter(validation_errors(exc, formatter(who.locale)).values()))
        return await _month_page(request, who, db, month, employee_id, status_code=422, error=first)
    return await _act(
        request,
        who,
        db,
        month,
        employee_id,
        lambda: contract_service.create(db, who, data),
        "contract",
    )


# ---- absences ----


async def _absence_page(
    request: Request,
    who: Principal,
    db: AsyncSession,
    year: int,
    *,
    values: dict[str, str] | None = None,
    error: str | None = None,
    notice: str | None = None,
    feed_url: str | None = None,
    status_code: int = 200,
) -> Response:
    mine, _ = await absence_service.list(
        db,
        who,
        employee_id=who.employee_id,
        first=date(year, 1, 1),
        last=date(year, 12, 31),
        status=None,
        kind=None,
        limit=200,
        offset=0,
    )
    pending: list[Any] = []
    names: dict[uuid.UUID, str] = {}
    if who.can("worktime", "approve"):
        found, _ = await absence_service.list(
            db,
            who,
            employee_id=None,
            first=None,
            last=None,
            status="requested",
            kind=None,
            limit=200,
            offset=0,
        )
        pending = [a for a in found if a.employee_id != who.employee_id]
        people = await worktime_repository.people(db, ids={a.employee_id for a in pending})
        names = {p.id: p.name for p in people}
    days = await absence_service.days(db, [*mine, *pending])
    try:
        feed = await feed_service.get(db, who)
    except NotFound:
        feed = None
    return render(
        request,
        "worktime/absences.html",
        who,
        status_code=status_code,
        timer=await timer_context(db, who),
        year=year,
        vacation=await account_service.vacation(db, who.employee_id, year),
        mine=mine,
        pending=pending,
        names=names,
        days=days,
        kinds=KINDS,
        values=values or {"kind": "vacation"},
        error=error,
        notice=notice,
        feed=feed,
        feed_url=feed_url,
        today=clock.today(),
    )


@router.get("/absences")
async def absences_page(
    request: Request,
    who: Read,
    db: SessionDep,
    year: Annotated[int | None, Query(ge=1990, le=2100)] = None,
) -> Response:
    """My vacation account and absences, the request form, and requests to decide."""
    chosen = year if year and 1990 <= year <= 2100 else clock.today().year
    return await _absence_page(request, who, db, chosen)


@router.post("/absences")
async def request_absence(request: Request, who: Write, db: SessionDep) -> Response:
    """Request an absence (sick leave stands at once)."""
    form = await form_data(request)
    fmt = formatter(who.locale)
    data = {
        "kind": form.get("kind", ""),
        "start_date": form.get("start_date") or None,
        "end_date": form.get("end_date") or form.get("start_date") or None,
        "half_day_start": form.get("half_day_start") == "true",
        "half_day_end": form.get("half_day_end") == "true",
        "certificate": form.get("certificate") == "true",
        "note": (form.get("note") or "").strip() or None,
    }
    year = clock.today().year
    try:
        parsed = AbsenceCreate.model_validate(data)
        await absence_service.create(db, who, parsed)
    except ValidationError as exc:
        first = next(iter(validation_errors(exc, fmt).values()))
        return await _absence_page(
            request, who, db, year, values=form, status_code=422, error=first
        )
    except REFUSALS as exc:
        await undo(db, exc)
        return await _absence_page(
            request, who, db, year, values=form, status_code=409, error=message(exc, fmt)
        )
    await db.commit()
    return see_other(f"/worktime/absences?year={parsed.start_date.year}")


@router.post("/absences/{absence_id}/{step}")
async def decide_absence(
    request: Request, absence_id: uuid.UUID, step: str, who: Write, db: SessionDep
) -> Response:
    """Approve, decline (as manager) or cancel an absence."""
    form = await form_data(request)
    fmt = formatter(who.locale)
    comment = (form.get("comment") or "").strip()[:1000] or None
    try:
        if step == "approve":
            await absence_service.approve(db, who, absence_id, comment)
        elif step == "decline":
            await absence_service.decline(db, who, absence_id, comment)
        elif step == "cancel":
            await absence_service.cancel(db, who, absence_id)
        else:
            raise NotFound("page")
    except REFUSALS as exc:
        if refusal(exc).status_code == 404:
            raise
        await undo(db, exc)
        return await _absence_page(
            request, who, db, clock.today().year, status_code=409, error=message(exc, fmt)
        )
    await db.commit()
    return see_other("/worktime/absences")


@router.post("/feed")
async def new_feed(request: Request, who: Write, db: SessionDep) -> Response:
    """A new private calendar URL (shown once)."""
    token, _ = await feed_service.create(db, who)
    url = str(request.url_for("calendar_feed", token=token))
    return await _absence_page(request, who, db, clock.today().year, feed_url=url)


@router.post("/feed/revoke")
async def revoke_feed(request: Request, who: Write, db: SessionDep) -> Response:
    """Revoke the calendar URL."""
    with contextlib.suppress(NotFound):
        await feed_service.revoke(db, who)
    return see_other("/worktime/absences")


# ---- team ----


@router.get("/team")
async def team_page(
    request: Request,
    who: Read,
    db: SessionDep,
    month: Annotated[str | None, Query(max_length=7)] = None,
    department_id: uuid.UUID | None = None,
    done: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    """The team's month: who is away when; for managers the months to approve with their
    figures and ArbZG warnings; for who configures working time the company's month lock."""
    notice = formatter(who.locale).gettext("Months locked.") if done == "locked" else None
    return await _team_page(request, who, db, chosen_month(month), department_id, notice=notice)


@router.post("/lock")
async def lock_months(request: Request, who: Configure, db: SessionDep) -> Response:
    """Lock every employee's months up to and including the chosen one (only forward; the
    month service's rule); a refusal is shown on the team page."""
    form = await form_data(request)
    try:
        await month_service.lock_through(db, who, parse_month(form.get("through", ""), "through"))
    except REFUSALS as exc:
        await undo(db, exc)
        return await _team_page(
            request,
            who,
            db,
            chosen_month(None),
            None,
            error=message(exc, formatter(who.locale)),
            status_code=refusal(exc).status_code,
        )
    return see_other("/worktime/team?done=locked")


async def _team_page(
    request: Request,
    who: Principal,
    db: AsyncSession,
    first: date,
    department_id: uuid.UUID | None,
    *,
    notice: str | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    calendar = await calendar_service.month(db, who, first, department_id)
    rows = (
        await sheet_service.team(db, who, first, department_id)
        if who.can("worktime", "approve")
        else []
    )
    visible = await scope.visible(db, who)
    departments = [
        (d, name)
        for d, name in await worktime_repository.departments(db)
        if visible is None or d in visible or d == calendar.department_id
    ]
    return render(
        request,
        "worktime/team.html",
        who,
        timer=await timer_context(db, who),
        calendar=calendar,
        rows=rows,
        month=first,
        month_text=first.strftime("%Y-%m"),
        prev_month=shift(first, -1),
        next_month=shift(first, 1),
        departments=departments,
        department_id=calendar.department_id,
        days=[first + timedelta(days=i) for i in range((month_end(first) - first).days + 1)],
        lock=await _lock_context(db, who),
        notice=notice,
        error=error,
        status_code=status_code,
    )


# ---- the company's rules ----

SETTING_FIELDS = ("break_mode", "half_days", "carry_over_expiry", "catholic_holidays")
BREAK_MODES = (
    ("deduct", N_("deduct the missing minutes")),
    ("warn", N_("only warn")),
)


async def _settings_page(
    request: Request,
    who: Principal,
    db: AsyncSession,
    values: dict[str, Any],
    errors: dict[str, Any],
    *,
    notice: str | None = None,
    status_code: int = 200,
) -> Response:
    fmt = formatter(who.locale)
    return render(
        request,
        "worktime/settings.html",
        who,
        status_code=status_code,
        timer=await timer_context(db, who),
        values=values,
        errors=errors,
        break_modes=[(k, fmt.gettext(v)) for k, v in BREAK_MODES],
        notice=notice,
    )


@router.get("/settings")
async def settings_page(
    request: Request, who: Configure, db: SessionDep, saved: bool = False
) -> Response:
    """The company's working-time rules: break mode, half days, carry-over, Catholic holidays."""
    current = await month_service.settings(db)
    values = {
        "break_mode": current.break_mode,
        "half_days": ", ".join(current.half_days),
        "carry_over_expiry": current.carry_over_expiry or "",
        "catholic_holidays": current.catholic_holidays,
    }
    notice = formatter(who.locale).gettext("Saved.") if saved else None
    return await _settings_page(request, who, db, values, {}, notice=notice)


@router.post("/settings")
async def save_settings(request: Request, who: Configure, db: SessionDep) -> Response:
    """Save the rules through the same schema and service as the API (audited)."""
    fmt = formatter(who.locale)
    form = await form_data(request)
    values: dict[str, Any] = {k: form.get(k, "") for k in SETTING_FIELDS}
    values["catholic_holidays"] = form.get("catholic_holidays") == "true"
    data = {
        "break_mode": values["break_mode"] or None,
        "half_days": [d.strip() for d in values["half_days"].split(",") if d.strip()],
        "carry_over_expiry": values["carry_over_expiry"].strip() or None,
        "catholic_holidays": values["catholic_holidays"],
    }
    parsed, errors = parse(SettingsUpdate, data, fmt)
    if parsed is not None:
        try:
            await month_service.update_settings(db, who, parsed)
        except REFUSALS as exc:
            await undo(db, exc)
            errors = domain_error(exc, SETTING_FIELDS)
        else:
            return see_other("/worktime/settings?saved=1")
    # "half_days.1" names the second day: show it at the field.
    errors = {k.split(".")[0]: v for k, v in errors.items()}
    return await _settings_page(request, who, db, values, errors, status_code=422)


async def _lock_context(db: AsyncSession, who: Principal) -> dict[str, Any] | None:
    """The company's month lock for who may move it: locked through when, and the month
    offered (the last one that is over)."""
    if not who.can("worktime", "configure"):
        return None
    settings = await month_service.settings(db)
    last_over = clock.today().replace(day=1) - timedelta(days=1)
    return {
        "through": settings.locked_through.strftime("%Y-%m") if settings.locked_through else None,
        "offered": last_over.strftime("%Y-%m"),
    }

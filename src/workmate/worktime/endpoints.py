"""HTTP routes of working time (thin: parse, call the service, shape the answer)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from workmate import clock
from workmate.auth.deps import Public
from workmate.db import SessionDep
from workmate.errors import Invalid
from workmate.models import (
    Absence,
    AccountBooking,
    BreakDeduction,
    MonthClosing,
    TimeEntry,
    WorkBreak,
    WorkContract,
    WorktimeSettings,
)
from workmate.pagination import Page, Paging
from workmate.time_entries.schemas import TimeEntryRead
from workmate.worktime.absences import absence_service
from workmate.worktime.accounts import account_service
from workmate.worktime.auth import WorkApprove, WorkConfigure, WorkManage, WorkRead, WorkWrite
from workmate.worktime.breaks import break_service
from workmate.worktime.contracts import contract_service
from workmate.worktime.exports import export_service
from workmate.worktime.holidays import holiday_service
from workmate.worktime.ical import feed_service
from workmate.worktime.months import month_service
from workmate.worktime.schemas import (
    FIRST_DAY,
    LAST_DAY,
    AbsenceCreate,
    AbsenceRead,
    BalanceRead,
    BookingCreate,
    BookingRead,
    BreakCreate,
    BreakRead,
    ClosingRead,
    ContractCreate,
    ContractRead,
    ContractUpdate,
    DayRead,
    Decision,
    DeductionRead,
    FeedRead,
    HolidayRead,
    Kind,
    LockInput,
    MonthAction,
    MonthRead,
    MonthReopen,
    MonthReturn,
    Resume,
    Reversal,
    SettingsRead,
    SettingsUpdate,
    State,
    TeamCalendar,
    TeamRow,
    VacationRead,
    WeekRead,
    parse_month,
)
from workmate.worktime.scope import subject
from workmate.worktime.sheets import sheet_service
from workmate.worktime.team import calendar_service

router = APIRouter(prefix="/worktime", tags=["working time"])

From = Annotated[date, Query(alias="from", ge=FIRST_DAY, le=LAST_DAY, description="First day.")]
To = Annotated[date, Query(alias="to", ge=FIRST_DAY, le=LAST_DAY, description="Last day.")]
Year = Annotated[int, Query(ge=FIRST_DAY.year, le=LAST_DAY.year)]
Month = Annotated[str, Query(max_length=7, description="Month as 2026-05.")]
Who = Annotated[uuid.UUID | None, Query(description="Another employee (in your scope).")]
CSV = "text/csv; charset=utf-8"
CSV_DOC: dict[int | str, dict[str, Any]] = {200: {"content": {"text/csv": {}}}}


def attachment(data: bytes, media_type: str, filename: str) -> Response:
    return Response(
        data,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# ---- settings and the company lock ----


@router.get("/settings", response_model=SettingsRead)
async def get_settings(who: WorkRead, db: SessionDep) -> WorktimeSettings:
    """The company's rules: break mode, half days, carry-over expiry, locked months."""
    return await month_service.settings(db)


@router.patch("/settings", response_model=SettingsRead)
async def update_settings(
    data: SettingsUpdate, who: WorkConfigure, db: SessionDep
) -> WorktimeSettings:
    """Change the company's rules (audited)."""
    return await month_service.update_settings(db, who, data)


@router.post("/lock", response_model=SettingsRead)
async def lock_months(data: LockInput, who: WorkConfigure, db: SessionDep) -> WorktimeSettings:
    """Lock every employee's months up to and including `through` (only forward)."""
    return await month_service.lock_through(db, who, parse_month(data.through, "through"))


# ---- contracts ----


@router.get("/contracts", response_model=list[ContractRead])
async def list_contracts(who: WorkRead, db: SessionDep, employee_id: Who = None) -> Any:
    """An employee's work contracts, oldest first (own, or in your scope)."""
    return await contract_service.list(db, who, employee_id)


@router.post("/contracts", response_model=ContractRead, status_code=201)
async def create_contract(data: ContractCreate, who: WorkManage, db: SessionDep) -> WorkContract:
    """Add a contract; an open-ended one running at its start ends the day before."""
    return await contract_service.create(db, who, data)


@router.patch("/contracts/{contract_id}", response_model=ContractRead)
async def update_contract(
    contract_id: uuid.UUID, data: ContractUpdate, who: WorkManage, db: SessionDep
) -> WorkContract:
    """Change a contract; a closed month it touches refuses (409)."""
    return await contract_service.update(db, who, contract_id, data)


@router.delete("/contracts/{contract_id}", status_code=204)
async def delete_contract(contract_id: uuid.UUID, who: WorkManage, db: SessionDep) -> Response:
    """Delete a contract entered by mistake; a closed month it touches refuses (409)."""
    await contract_service.delete(db, who, contract_id)
    return Response(status_code=204)


# ---- holidays ----


@router.get("/holidays", response_model=list[HolidayRead])
async def list_holidays(
    who: WorkRead, db: SessionDep, year: Year, state: State | None = None
) -> Any:
    """Public holidays of a year, of one federal state or all (from the `holidays` library)."""
    return await holiday_service.list(db, year=year, state=state)


# ---- absences ----


async def _with_days(db: Any, items: list[Absence]) -> list[AbsenceRead]:
    days = await absence_service.days(db, items)
    return [
        AbsenceRead.model_validate(a).model_copy(update={"days": days.get(a.id)}) for a in items
    ]


@router.get("/absences", response_model=Page[AbsenceRead])
async def list_absences(
    who: WorkRead,
    db: SessionDep,
    paging: Paging,
    employee_id: Who = None,
    start: Annotated[date | None, Query(alias="from", ge=FIRST_DAY, le=LAST_DAY)] = None,
    end: Annotated[date | None, Query(alias="to", ge=FIRST_DAY, le=LAST_DAY)] = None,
    status: Annotated[str | None, Query(pattern="^(requested|approved|declined|cancelled)$")] = (
        None
    ),
    kind: Kind | None = None,
) -> dict[str, Any]:
    """Absences: own, one employee's in your scope, or all you see; newest first."""
    items, total = await absence_service.list(
        db,
        who,
        employee_id=employee_id,
        first=start,
        last=end,
        status=status,
        kind=kind,
        limit=paging.limit,
        offset=paging.offset,
    )
    return {
        "items": await _with_days(db, items),
        "total": total,
        "limit": paging.limit,
        "offset": paging.offset,
    }


@router.post("/absences", response_model=AbsenceRead, status_code=201)
async def create_absence(data: AbsenceCreate, who: WorkWrite, db: SessionDep) -> AbsenceRead:
    """Request an absence (sick leave stands at once); for another employee as their
    manager (approved at once)."""
    absence = await absence_service.create(db, who, data)
    return (await _with_days(db, [absence]))[0]


@router.get("/absences/{absence_id}", response_model=AbsenceRead)
async def get_absence(absence_id: uuid.UUID, who: WorkRead, db: SessionDep) -> AbsenceRead:
    """One absence with the working days it uses."""
    absence = await absence_service.get(db, who, absence_id)
    return (await _with_days(db, [absence]))[0]


@router.post("/absences/{absence_id}/approve", response_model=AbsenceRead)
async def approve_absence(
    absence_id: uuid.UUID, who: WorkApprove, db: SessionDep, data: Decision | None = None
) -> AbsenceRead:
    """Approve a request (409 if decided already); vacation must still be available."""
    absence = await absence_service.approve(db, who, absence_id, data.comment if data else None)
    return (await _with_days(db, [absence]))[0]


@router.post("/absences/{absence_id}/decline", response_model=AbsenceRead)
async def decline_absence(
    absence_id: uuid.UUID, who: WorkApprove, db: SessionDep, data: Decision | None = None
) -> AbsenceRead:
    """Decline a request (409 if decided already)."""
    absence = await absence_service.decline(db, who, absence_id, data.comment if data else None)
    return (await _with_days(db, [absence]))[0]


@router.post("/absences/{absence_id}/cancel", response_model=AbsenceRead)
async def cancel_absence(absence_id: uuid.UUID, who: WorkWrite, db: SessionDep) -> AbsenceRead:
    """Withdraw an absence (own request or future absence; a manager any in an open month)."""
    absence = await absence_service.cancel(db, who, absence_id)
    return (await _with_days(db, [absence]))[0]


@router.get("/vacation", response_model=VacationRead)
async def vacation(
    who: WorkRead, db: SessionDep, year: Year | None = None, employee_id: Who = None
) -> VacationRead:
    """The vacation account of a year: entitlement (pro rata), carried over, expired, taken,
    planned, requested, left."""
    owner = await subject(db, who, employee_id)
    chosen = year or clock.today().year
    account = await account_service.vacation(db, owner, chosen)
    return VacationRead(employee_id=owner, **_fields(account))


def _fields(obj: Any) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in obj.__slots__}


@router.get("/calendar", response_model=TeamCalendar)
async def team_calendar(
    who: WorkRead, db: SessionDep, month: Month, department_id: uuid.UUID | None = None
) -> TeamCalendar:
    """Who is away on which day of a month, per department (your own by default); the kind
    of absence only where you decide for the employee."""
    return await calendar_service.month(db, who, parse_month(month), department_id)


# ---- breaks and deductions ----


@router.post("/timer/pause", response_model=BreakRead, status_code=201)
async def pause(who: WorkWrite, db: SessionDep) -> WorkBreak:
    """Stop the running timer and start a break at the same instant."""
    return await break_service.pause(db, who)


@router.post("/timer/resume", response_model=TimeEntryRead, status_code=201)
async def resume(who: WorkWrite, db: SessionDep, data: Resume | None = None) -> TimeEntry:
    """End the pause and start the timer again (on the paused project unless one is named)."""
    return await break_service.resume(db, who, data.project_id if data else None)


@router.get("/timer/pause", response_model=BreakRead | None)
async def running_pause(who: WorkRead, db: SessionDep) -> WorkBreak | None:
    """The caller's running pause, or null."""
    return await break_service.running(db, who)


@router.get("/breaks", response_model=list[BreakRead])
async def list_breaks(
    who: WorkRead, db: SessionDep, start: From, end: To, employee_id: Who = None
) -> Any:
    """Recorded breaks in a period (own, or in your scope)."""
    _span(start, end)
    return await break_service.list(db, who, employee_id, start, end)


@router.post("/breaks", response_model=BreakRead, status_code=201)
async def record_break(data: BreakCreate, who: WorkWrite, db: SessionDep) -> WorkBreak:
    """Record a finished break between work spans (may not overlap a time entry)."""
    return await break_service.record(db, who, **data.model_dump())


@router.delete("/breaks/{break_id}", status_code=204)
async def delete_break(break_id: uuid.UUID, who: WorkWrite, db: SessionDep) -> Response:
    """Delete a recorded break."""
    await break_service.delete(db, who, break_id)
    return Response(status_code=204)


@router.get("/deductions", response_model=list[DeductionRead])
async def list_deductions(
    who: WorkRead, db: SessionDep, start: From, end: To, employee_id: Who = None
) -> Any:
    """Automatic break deductions (§4 ArbZG) in a period, with their reason."""
    _span(start, end)
    return await break_service.deductions(db, who, employee_id, start, end)


@router.post("/deductions/{deduction_id}/reverse", response_model=DeductionRead)
async def reverse_deduction(
    deduction_id: uuid.UUID, data: Reversal, who: WorkApprove, db: SessionDep
) -> BreakDeduction:
    """Take back a deduction with a reason (audited); not on oneself."""
    return await break_service.reverse(db, who, deduction_id, data.reason)


@router.post("/deductions/{deduction_id}/restore", response_model=DeductionRead)
async def restore_deduction(
    deduction_id: uuid.UUID, who: WorkApprove, db: SessionDep
) -> BreakDeduction:
    """Apply a reversed deduction again (audited)."""
    return await break_service.restore(db, who, deduction_id)


# ---- days, weeks, months, balances ----


@router.get("/days", response_model=list[DayRead])
async def days(
    who: WorkRead, db: SessionDep, start: From, end: To, employee_id: Who = None
) -> list[DayRead]:
    """Each day of a period (≤ 1 year): target, actual, difference, breaks, ArbZG warnings."""
    return await sheet_service.days(db, who, employee_id, start, end)


@router.get("/weeks/{week}", response_model=WeekRead)
async def week(week: str, who: WorkRead, db: SessionDep, employee_id: Who = None) -> WeekRead:
    """An ISO week (2026-W19): days, totals, overtime balance."""
    return await sheet_service.week(db, who, employee_id, _monday(week))


@router.get("/balance", response_model=BalanceRead)
async def balance(
    who: WorkRead,
    db: SessionDep,
    at: Annotated[date | None, Query(ge=FIRST_DAY, le=LAST_DAY)] = None,
    employee_id: Who = None,
) -> BalanceRead:
    """The overtime balance (hours) at the end of a day (default today)."""
    day = at or clock.today()
    owner, hours = await sheet_service.balance(db, who, employee_id, day)
    return BalanceRead(employee_id=owner, at=day, balance_hours=hours)


@router.get("/months", response_model=list[TeamRow])
async def team_months(
    who: WorkApprove, db: SessionDep, month: Month, department_id: uuid.UUID | None = None
) -> list[TeamRow]:
    """The month of everyone you decide for: status, figures, ArbZG warnings."""
    return await sheet_service.team(db, who, parse_month(month), department_id)


@router.get("/closings", response_model=list[ClosingRead])
async def closings(
    who: WorkRead, db: SessionDep, year: Year, employee_id: Who = None
) -> list[MonthClosing]:
    """An employee's month closings of a year."""
    return await month_service.closings(db, who, employee_id, year)


@router.get("/months/{month}", response_model=MonthRead)
async def month(month: str, who: WorkRead, db: SessionDep, employee_id: Who = None) -> MonthRead:
    """A month's days and totals with its closing status."""
    return await sheet_service.month(db, who, employee_id, parse_month(month))


@router.post("/months/{month}/submit", response_model=ClosingRead)
async def submit_month(month: str, who: WorkWrite, db: SessionDep) -> MonthClosing:
    """Hand in your month (once it is over) for approval."""
    return await month_service.submit(db, who, parse_month(month))


@router.post("/months/{month}/approve", response_model=ClosingRead)
async def approve_month(
    month: str, data: MonthAction, who: WorkApprove, db: SessionDep
) -> MonthClosing:
    """Approve a submitted month; it is locked from now on (409 if not submitted)."""
    return await month_service.approve(db, who, data.employee_id, parse_month(month))


@router.post("/months/{month}/return", response_model=ClosingRead)
async def return_month(
    month: str, data: MonthReturn, who: WorkApprove, db: SessionDep
) -> MonthClosing:
    """Send a submitted month back with a comment."""
    return await month_service.send_back(
        db, who, data.employee_id, parse_month(month), data.comment
    )


@router.post("/months/{month}/reopen", response_model=ClosingRead)
async def reopen_month(
    month: str, data: MonthReopen, who: WorkApprove, db: SessionDep
) -> MonthClosing:
    """Unlock a locked month for a correction, with the reason (audited)."""
    return await month_service.reopen(db, who, data.employee_id, parse_month(month), data.reason)


@router.get(
    "/months/{month}/sheet.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
async def sheet_pdf(month: str, who: WorkRead, db: SessionDep, employee_id: Who = None) -> Response:
    """The month's time sheet as PDF, signed off by its approval."""
    sheet = await export_service.sheet(db, who, employee_id, parse_month(month))
    data = export_service.sheet_pdf(sheet, who.locale)
    return attachment(data, "application/pdf", f"time-sheet-{month}-{sheet.employee_id}.pdf")


@router.get("/months/{month}/sheet.csv", response_class=Response, responses=CSV_DOC)
async def sheet_csv(month: str, who: WorkRead, db: SessionDep, employee_id: Who = None) -> Response:
    """The month's time sheet as CSV, one row per day."""
    sheet = await export_service.sheet(db, who, employee_id, parse_month(month))
    return attachment(
        export_service.sheet_csv(sheet), CSV, f"time-sheet-{month}-{sheet.employee_id}.csv"
    )


@router.get("/payroll/{month}.csv", response_class=Response, responses=CSV_DOC)
async def payroll(
    month: str, who: WorkApprove, db: SessionDep, department_id: uuid.UUID | None = None
) -> Response:
    """Overtime and vacation per employee you decide for, for payroll."""
    data = await export_service.payroll(db, who, parse_month(month), department_id)
    return attachment(data, CSV, f"payroll-{month}.csv")


# ---- bookings ----


@router.get("/bookings", response_model=list[BookingRead])
async def list_bookings(who: WorkRead, db: SessionDep, employee_id: Who = None) -> Any:
    """An employee's account bookings: opening balances, payouts, corrections."""
    return await month_service.bookings(db, who, employee_id)


@router.post("/bookings", response_model=BookingRead, status_code=201)
async def create_booking(data: BookingCreate, who: WorkManage, db: SessionDep) -> AccountBooking:
    """Book an opening balance, a payout or a correction on the overtime or vacation account."""
    return await month_service.book(db, who, data)


@router.delete("/bookings/{booking_id}", status_code=204)
async def delete_booking(booking_id: uuid.UUID, who: WorkManage, db: SessionDep) -> Response:
    """Delete a booking made by mistake (a closed month refuses)."""
    await month_service.unbook(db, who, booking_id)
    return Response(status_code=204)


# ---- the iCal feed ----


@router.get("/feed", response_model=FeedRead)
async def get_feed(request: Request, who: WorkRead, db: SessionDep) -> FeedRead:
    """Whether you have a feed (the URL itself is only shown when it is created)."""
    feed = await feed_service.get(db, who)
    return FeedRead(url="", created_at=feed.updated_at)


@router.post("/feed", response_model=FeedRead, status_code=201)
async def create_feed(request: Request, who: WorkWrite, db: SessionDep) -> FeedRead:
    """A new private iCal URL of your approved absences (the previous URL stops working)."""
    token, feed = await feed_service.create(db, who)
    url = str(request.url_for("calendar_feed", token=token))
    return FeedRead(url=url, created_at=feed.updated_at)


@router.delete("/feed", status_code=204)
async def revoke_feed(who: WorkWrite, db: SessionDep) -> Response:
    """Revoke your iCal URL."""
    await feed_service.revoke(db, who)
    return Response(status_code=204)


@router.get(
    "/feed/{token}.ics",
    name="calendar_feed",
    dependencies=[Public],
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}}},
)
async def calendar_feed(token: str, db: SessionDep) -> Response:
    """An employee's approved absences as iCalendar; the token is the credential."""
    return Response(
        await feed_service.render(db, token),
        media_type="text/calendar; charset=utf-8",
        headers={"Cache-Control": "private, max-age=300"},
    )


def _span(first: date, last: date) -> None:
    if last < first:
        raise Invalid("'to' must not be before 'from'", field="to")
    if last - first > timedelta(days=366):
        raise Invalid("a period spans at most a year", field="to")


def _monday(week: str) -> date:
    import re

    match = re.fullmatch(r"(\d{4})-W(\d{2})", week)
    try:
        if match is None:
            raise ValueError(week)
        monday = date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError:
        raise Invalid("week must look like 2026-W10", field="week") from None
    if not FIRST_DAY <= monday <= LAST_DAY:
        raise Invalid("week must look like 2026-W10", field="week")
    return monday

"""HTTP routes for time entries (thin: validate, call the service, shape the answer)."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response

from workmate.config import get_settings
from workmate.db import SessionDep, read_only
from workmate.errors import Invalid
from workmate.models import TimeEntry
from workmate.pagination import Page, Paging
from workmate.reads import ReaderDep, json_response, page_response
from workmate.time_entries.auth import TimeDelete, TimeManage, TimeRead, TimeWrite
from workmate.time_entries.repository import BERLIN
from workmate.time_entries.schemas import (
    ComplianceReport,
    GroupBy,
    Report,
    RunningTimer,
    StaleTimer,
    TimeEntryCreate,
    TimeEntryRead,
    TimeEntryUpdate,
    TimerStart,
    Timesheet,
)
from workmate.time_entries.service import time_entry_service, utcnow

router = APIRouter(prefix="/time-entries", tags=["time entries"])

# Near year 1 or 9999 the Berlin period bounds (and the day before or after them) overflow,
# and a request ended in a 500 instead of a 422; no one books time outside these days.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(9998, 12, 31)
From = Annotated[
    date,
    Query(alias="from", ge=FIRST_DAY, le=LAST_DAY, description="First day (Europe/Berlin)."),
]
To = Annotated[
    date,
    Query(
        alias="to", ge=FIRST_DAY, le=LAST_DAY, description="Last day, inclusive (Europe/Berlin)."
    ),
]
WEEK = re.compile(r"^(\d{4})-W(\d{2})$")

# Static paths come before /{entry_id}, which would otherwise swallow them.


@router.get("/timer", response_model=RunningTimer | None)
async def get_timer(who: TimeRead, db: SessionDep) -> dict[str, Any] | None:
    """The caller's running timer with the seconds elapsed on the server's clock, or null."""
    entry = await time_entry_service.running(db, who)
    if entry is None:
        return None
    elapsed = int((utcnow() - entry.start_time).total_seconds())
    return {"entry": entry, "elapsed_seconds": max(elapsed, 0)}


@router.post("/timer/start", response_model=TimeEntryRead, status_code=201)
async def start_timer(
    data: TimerStart,
    who: TimeWrite,
    db: SessionDep,
    switch: Annotated[bool, Query(description="Stop a running timer first.")] = False,
) -> TimeEntry:
    """Start the caller's timer now; 409 naming the running one unless switch=true."""
    return await time_entry_service.start_timer(
        db,
        who,
        project_id=data.project_id,
        note=data.note,
        billable=data.billable,
        hourly_rate=data.hourly_rate,
        switch=switch,
    )


@router.post("/timer/stop", response_model=TimeEntryRead)
async def stop_timer(who: TimeWrite, db: SessionDep) -> TimeEntry:
    """Stop the caller's running timer now; a second stop returns the same entry."""
    return await time_entry_service.stop_timer(db, who)


@router.get("/timers/stale", response_model=list[StaleTimer])
async def stale_timers(who: TimeManage, db: SessionDep) -> list[dict[str, Any]]:
    """Timers of all employees running longer than the configured limit (default 12 h)."""
    now = utcnow()
    found = await time_entry_service.stale(
        db, limit_hours=get_settings().stale_timer_hours, now=now
    )
    return [
        {
            "entry": entry,
            "employee_name": name,
            "running_hours": (Decimal((now - entry.start_time).total_seconds()) / 3600).quantize(
                Decimal("0.01")
            ),
        }
        for entry, name in found
    ]


@router.get(
    "/reports",
    response_model=Report,
    responses={200: {"content": {"text/csv": {}}}},
)
async def report(
    who: TimeRead,
    db: SessionDep,
    start: From,
    end: To,
    group_by: GroupBy = "project",
    employee_id: uuid.UUID | None = None,
    project_id: uuid.UUID | None = None,
    format: Literal["json", "csv"] = "json",
) -> Any:
    """Hours per project, employee, customer, day, ISO week or month; billable vs not;
    own entries only unless the caller may manage time entries."""
    result = await time_entry_service.report(
        db,
        who,
        group_by=group_by,
        start=start,
        end=end,
        employee_id=employee_id,
        project_id=project_id,
    )
    if format == "csv":
        filename = f"time-report-{group_by}-{start}-{end}.csv"
        return Response(
            time_entry_service.report_csv(result),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
    return result


@router.get("/timesheet", response_model=Timesheet)
async def timesheet(
    who: TimeRead,
    db: SessionDep,
    employee_id: uuid.UUID | None = None,
    week: Annotated[
        str | None, Query(max_length=10, description="ISO week, e.g. 2026-W10.")
    ] = None,
) -> Timesheet:
    """Hours per project and day of one ISO week (default: this week) for the caller, or
    another employee with manage."""
    if week is None:
        today = utcnow().astimezone(BERLIN).date()
        monday = today - timedelta(days=today.weekday())
    else:
        match = WEEK.match(week)
        try:
            if match is None:
                raise ValueError(week)
            monday = date.fromisocalendar(int(match[1]), int(match[2]), 1)
            if not FIRST_DAY <= monday <= LAST_DAY:
                raise ValueError(week)
        except ValueError:
            raise Invalid("week must look like 2026-W10", field="week") from None
    return await time_entry_service.timesheet(db, who, employee_id=employee_id, monday=monday)


@router.get("/compliance", response_model=ComplianceReport)
async def compliance(
    who: TimeRead,
    db: SessionDep,
    start: From,
    end: To,
    employee_id: uuid.UUID | None = None,
) -> ComplianceReport:
    """German working-time rules (ArbZG) broken in the period, reported, never corrected."""
    return await time_entry_service.compliance(
        db, who, employee_id=employee_id, start=start, end=end
    )


@router.get("", response_model=Page[TimeEntryRead])
@read_only
async def list_entries(
    who: TimeRead,
    db: SessionDep,
    paging: Paging,
    employee_id: uuid.UUID | None = None,
    project_id: uuid.UUID | None = None,
    start: Annotated[date | None, Query(alias="from", ge=FIRST_DAY, le=LAST_DAY)] = None,
    end: Annotated[date | None, Query(alias="to", ge=FIRST_DAY, le=LAST_DAY)] = None,
    billable: bool | None = None,
) -> Response:
    """Entries the caller may see (own, or everyone's with manage), newest first."""
    items, total = await time_entry_service.search(
        db,
        who,
        employee_id=employee_id,
        project_id=project_id,
        start=start,
        end=end,
        billable=billable,
        limit=paging.limit,
        offset=paging.offset,
        as_json=True,
    )
    return page_response(items, total, paging)


@router.post("", response_model=TimeEntryRead, status_code=201)
async def create_entry(data: TimeEntryCreate, who: TimeWrite, db: SessionDep) -> TimeEntry:
    """Book finished time for the caller (for someone else only with manage)."""
    return await time_entry_service.create(db, who, **data.model_dump())


@router.get("/{entry_id}", response_model=TimeEntryRead)
@read_only
async def get_entry(entry_id: uuid.UUID, who: TimeRead, reader: ReaderDep) -> Response:
    """One entry; another employee's is 404 without manage."""
    return json_response(await time_entry_service.get_json(reader, who, entry_id))


@router.patch("/{entry_id}", response_model=TimeEntryRead)
async def update_entry(
    entry_id: uuid.UUID, data: TimeEntryUpdate, who: TimeWrite, db: SessionDep
) -> TimeEntry:
    """Change an entry; 409 once it is billed on an issued invoice."""
    return await time_entry_service.update(db, who, entry_id, data.model_dump(exclude_unset=True))


@router.delete("/{entry_id}", status_code=204)
async def delete_entry(entry_id: uuid.UUID, who: TimeDelete, db: SessionDep) -> Response:
    """Delete an entry; 409 once it is billed on an issued invoice."""
    await time_entry_service.delete(db, who, entry_id)
    return Response(status_code=204)

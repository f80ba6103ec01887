"""Request and response shapes of working time. Hours are decimal hours (2 places), vacation in
days (½ steps), months as `YYYY-MM`, days as ISO dates (Europe/Berlin calendar)."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from workmate.inputs import Input, Line, Note
from workmate.models.work_contract import FEDERAL_STATES, WEEKDAYS
from workmate.types import Instant

# Days the domain accepts: the holiday library's useful range, far from date overflow.
FIRST_DAY, LAST_DAY = date(1990, 1, 1), date(2100, 12, 31)
WorkDay = Annotated[date, Field(ge=FIRST_DAY, le=LAST_DAY)]
MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
MonthText = Annotated[str, StringConstraints(pattern=MONTH.pattern, max_length=7)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
State = Literal[
    "BW",
    "BY",
    "BE",
    "BB",
    "HB",
    "HH",
    "HE",
    "MV",
    "NI",
    "NW",
    "RP",
    "SL",
    "SN",
    "ST",
    "SH",
    "TH",
]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
DayHours = Annotated[Decimal, Field(ge=0, le=10, max_digits=4, decimal_places=2)]
Kind = Literal["vacation", "sick", "special_leave", "overtime_compensation", "training"]
assert set(State.__args__) == set(FEDERAL_STATES)  # type: ignore[attr-defined]


def parse_month(value: str, field: str = "month") -> date:
    """`2026-05` -> 2026-05-01; a clear 422 naming the field otherwise."""
    from workmate.errors import Invalid

    match = MONTH.match(value or "")
    if match is None or not FIRST_DAY.year <= int(match[1]) <= LAST_DAY.year:
        raise Invalid("month must look like 2026-05", field=field)
    return date(int(match[1]), int(match[2]), 1)


# ---- contracts ----


class ContractTerms(Input):
    """Hours per weekday (`day_hours`, Monday first) or weekly hours spread evenly over the
    `workdays` (default Monday to Friday)."""

    day_hours: list[DayHours] | None = Field(None, min_length=7, max_length=7)
    weekly_hours: Decimal | None = Field(None, gt=0, le=70, max_digits=5, decimal_places=2)
    workdays: list[Weekday] | None = Field(None, min_length=1, max_length=7)
    vacation_days: Decimal | None = Field(None, ge=0, le=100, max_digits=4, decimal_places=1)
    federal_state: State | None = None
    note: Note | None = None

    @model_validator(mode="after")
    def _one_way(self) -> ContractTerms:
        if self.day_hours is not None and (
            self.weekly_hours is not None or self.workdays is not None
        ):
            raise ValueError("give day_hours or weekly_hours (with workdays), not both")
        if self.workdays is not None and self.weekly_hours is None:
            raise ValueError("workdays need weekly_hours")
        return self

    def hours(self) -> list[Decimal] | None:
        """The hours Monday..Sunday, spreading weekly hours in cents (rest to the first days)."""
        if self.day_hours is not None:
            return list(self.day_hours)
        if self.weekly_hours is None:
            return None
        chosen = self.workdays or ["mon", "tue", "wed", "thu", "fri"]
        picked = [d for d in WEEKDAYS if d in set(chosen)]
        cents = int(self.weekly_hours * 100)
        base, rest = divmod(cents, len(picked))
        spread: dict[str, int] = {d: base + (1 if i < rest else 0) for i, d in enumerate(picked)}
        return [Decimal(spread.get(d, 0)) / 100 for d in WEEKDAYS]


class ContractCreate(ContractTerms):
    employee_id: uuid.UUID
    valid_from: WorkDay
    valid_to: WorkDay | None = None
    vacation_days: Decimal = Field(..., ge=0, le=100, max_digits=4, decimal_places=1)
    federal_state: State

    @model_validator(mode="after")
    def _hours_given(self) -> ContractCreate:
        if self.day_hours is None and self.weekly_hours is None:
            raise ValueError("give day_hours or weekly_hours")
        return self


class ContractUpdate(ContractTerms):
    valid_from: WorkDay | None = None
    valid_to: WorkDay | None = None


class ContractRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    employee_id: uuid.UUID
    valid_from: date
    valid_to: date | None
    hours_mon: Decimal
    hours_tue: Decimal
    hours_wed: Decimal
    hours_thu: Decimal
    hours_fri: Decimal
    hours_sat: Decimal
    hours_sun: Decimal
    weekly_hours: Decimal
    vacation_days: Decimal
    federal_state: str
    note: str | None
    created_at: datetime
    updated_at: datetime


# ---- holidays ----


class HolidayRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    federal_state: str
    day: date
    name: str
    name_en: str
    category: str


# ---- absences ----


class AbsenceCreate(Input):
    kind: Kind
    start_date: WorkDay
    end_date: WorkDay
    # The first day counts only its afternoon / the last day only its morning.
    half_day_start: bool = False
    half_day_end: bool = False
    certificate: bool = False
    note: Note | None = None
    # Someone else's absence: only for who decides for them (it is approved at once).
    employee_id: uuid.UUID | None = None

    @model_validator(mode="after")
    def _dates(self) -> AbsenceCreate:
        if self.end_date < self.start_date:
            raise ValueError("end_date must not be before start_date")
        if (self.end_date - self.start_date).days > 366:
            raise ValueError("an absence spans at most a year; book a second one")
        if self.start_date == self.end_date and self.half_day_start and self.half_day_end:
            raise ValueError("a single day cannot be half at both ends; book a whole day")
        if self.certificate and self.kind != "sick":
            raise ValueError("only sick leave has a doctor's certificate")
        return self


class Decision(Input):
    comment: Line | None = None


class AbsenceRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    employee_id: uuid.UUID
    kind: str
    start_date: date
    end_date: date
    half_day_start: bool
    half_day_end: bool
    certificate: bool
    status: str
    note: str | None
    requested_by: uuid.UUID | None
    decided_by: uuid.UUID | None
    decided_at: datetime | None
    decision_comment: str | None
    # Working days the absence uses under the employee's contracts.
    days: Decimal | None = None
    created_at: datetime
    updated_at: datetime


class VacationRead(BaseModel):
    employee_id: uuid.UUID
    year: int
    entitlement: Decimal
    carried_over: Decimal
    carry_over_expires: date | None
    expired: Decimal
    corrections: Decimal
    paid_out: Decimal
    taken: Decimal
    planned: Decimal
    requested: Decimal
    left: Decimal


# ---- breaks ----


class BreakCreate(Input):
    start_time: Instant
    end_time: Instant
    note: Line | None = None
    employee_id: uuid.UUID | None = None


class Resume(Input):
    project_id: uuid.UUID | None = None


class BreakRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    employee_id: uuid.UUID
    start_time: datetime
    end_time: datetime | None
    paused_entry_id: uuid.UUID | None
    note: str | None


class Reversal(Input):
    reason: Reason


class DeductionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    employee_id: uuid.UUID
    day: date
    minutes: int
    worked_minutes: int
    break_minutes: int
    rule: str
    reversed_at: datetime | None
    reversed_by: uuid.UUID | None
    reversal_reason: str | None


# ---- days, months, balances ----


class Warning(BaseModel):
    rule: str
    message: str
    hours_worked: Decimal | None = None
    break_minutes: int | None = None
    rest_hours: Decimal | None = None


class AbsenceOnDay(BaseModel):
    id: uuid.UUID
    kind: str
    status: str
    fraction: Decimal


class DayRead(BaseModel):
    day: date
    contract_hours: Decimal
    holiday: Decimal
    holiday_name: str | None
    absence: AbsenceOnDay | None
    target_hours: Decimal
    worked_hours: Decimal
    deduction_minutes: int
    deduction_id: uuid.UUID | None
    deduction_reversed: bool
    actual_hours: Decimal
    difference_hours: Decimal | None
    in_contract: bool
    first_start: datetime | None = None
    last_end: datetime | None = None
    break_minutes: int = 0
    warnings: list[Warning] = []


class MonthRead(BaseModel):
    employee_id: uuid.UUID
    employee_name: str
    month: str
    status: str  # open, submitted, approved, returned, reopened, locked
    locked: bool
    submitted_at: datetime | None
    decided_at: datetime | None
    decided_by: uuid.UUID | None
    decided_by_name: str | None
    comment: str | None
    target_hours: Decimal
    actual_hours: Decimal
    difference_hours: Decimal
    balance_start_hours: Decimal
    balance_end_hours: Decimal
    vacation_days: Decimal
    sick_days: Decimal
    deduction_minutes: int
    days: list[DayRead]


class WeekRead(BaseModel):
    employee_id: uuid.UUID
    week: str
    target_hours: Decimal
    actual_hours: Decimal
    difference_hours: Decimal
    balance_hours: Decimal
    days: list[DayRead]


class BalanceRead(BaseModel):
    employee_id: uuid.UUID
    at: date
    balance_hours: Decimal


class MonthAction(Input):
    employee_id: uuid.UUID


class MonthReturn(Input):
    employee_id: uuid.UUID
    comment: Reason


class MonthReopen(Input):
    employee_id: uuid.UUID
    reason: Reason


class ClosingRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    employee_id: uuid.UUID
    month: date
    status: str
    submitted_at: datetime | None
    submitted_by: uuid.UUID | None
    decided_at: datetime | None
    decided_by: uuid.UUID | None
    comment: str | None
    target_hours: Decimal | None
    actual_hours: Decimal | None
    balance_hours: Decimal | None


class TeamRow(BaseModel):
    employee_id: uuid.UUID
    name: str
    department: str | None
    status: str
    target_hours: Decimal
    actual_hours: Decimal
    difference_hours: Decimal
    balance_hours: Decimal
    warnings: int


class LockInput(Input):
    through: MonthText


class SettingsRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    break_mode: str
    half_days: list[str]
    catholic_holidays: bool
    carry_over_expiry: str | None
    locked_through: date | None


HalfDay = Annotated[
    str, StringConstraints(pattern=r"^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$", max_length=5)
]


class SettingsUpdate(Input):
    break_mode: Literal["deduct", "warn"] | None = None
    half_days: list[HalfDay] | None = Field(None, max_length=20)
    catholic_holidays: bool | None = None
    carry_over_expiry: HalfDay | None = None


# ---- bookings ----


class BookingCreate(Input):
    employee_id: uuid.UUID
    account: Literal["overtime", "vacation"]
    kind: Literal["opening", "payout", "correction"]
    day: WorkDay
    # Hours (overtime) or days (vacation); a payout is positive and reduces the balance.
    quantity: Decimal = Field(..., ge=-10000, le=10000, max_digits=8, decimal_places=2)
    note: Line | None = None


class BookingRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    employee_id: uuid.UUID
    account: str
    kind: str
    day: date
    quantity: Decimal
    note: str | None
    created_by: uuid.UUID | None
    created_at: datetime


# ---- team calendar and feed ----


class CalendarCell(BaseModel):
    day: date
    # The absence kind, or "absent" where the caller may not see the kind; None: present.
    absence: str | None
    status: str | None
    half: bool
    holiday: str | None
    workday: bool


class CalendarRow(BaseModel):
    employee_id: uuid.UUID
    name: str
    cells: list[CalendarCell]


class TeamCalendar(BaseModel):
    month: str
    department_id: uuid.UUID | None
    rows: list[CalendarRow]


class FeedRead(BaseModel):
    url: str
    created_at: datetime

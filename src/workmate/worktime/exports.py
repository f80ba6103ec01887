"""Exports: an employee's monthly time sheet as PDF (for the personnel file, signed off by the
approval) and CSV, and the month's overtime and vacation overview for payroll as CSV.

CSV files are for German spreadsheets: semicolon-separated, decimal comma, UTF-8 with a byte
order mark, CRLF; a cell that would start a formula is prefixed with an apostrophe.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Sequence
from datetime import date
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors  # type: ignore[import-untyped]
from reportlab.lib.pagesizes import A4, landscape  # type: ignore[import-untyped]
from reportlab.lib.styles import ParagraphStyle  # type: ignore[import-untyped]
from reportlab.lib.units import mm  # type: ignore[import-untyped]
from reportlab.pdfbase import pdfmetrics  # type: ignore[import-untyped]
from reportlab.pdfbase.ttfonts import TTFont  # type: ignore[import-untyped]
from reportlab.platypus import (  # type: ignore[import-untyped]
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from sqlalchemy.ext.asyncio import AsyncSession

from workmate import clock
from workmate.auth.principal import Principal
from workmate.exports import csvfile
from workmate.web.i18n import Formatter, formatter
from workmate.worktime.accounts import account_service
from workmate.worktime.calc import ZERO, hours
from workmate.worktime.repository import worktime_repository
from workmate.worktime.schemas import DayRead, MonthRead
from workmate.worktime.sheets import month_end, sheet_service

FONT = "WmSheetVera"
FONT_BOLD = "WmSheetVeraBd"
KINDS = {
    "vacation": "Vacation",
    "sick": "Sick leave",
    "special_leave": "Special leave",
    "overtime_compensation": "Overtime compensation",
    "training": "Training",
}


@lru_cache(maxsize=1)
def _fonts() -> None:
    pdfmetrics.registerFont(TTFont(FONT, "Vera.ttf"))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, "VeraBd.ttf"))


def write_csv(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    """German spreadsheet CSV by the one export writer: decimal comma, BOM, formulas defused."""
    return csvfile.write_csv(header, rows, decimal_comma=True).encoded(bom=True)


def _clock(value: Any) -> str:
    return clock.local(value).strftime("%H:%M") if value is not None else ""


def _absence(d: DayRead, fmt: Formatter) -> str:
    if d.absence is None:
        return d.holiday_name or (fmt.gettext("Half day") if d.holiday else "")
    label = fmt.gettext(KINDS.get(d.absence.kind, d.absence.kind))
    if d.absence.fraction < 1:
        label += " (½)"
    if d.absence.status != "approved":
        label += " · " + fmt.gettext(d.absence.status)
    return label


class ExportService:
    async def sheet(
        self, db: AsyncSession, who: Principal, employee_id: uuid.UUID | None, month: date
    ) -> MonthRead:
        return await sheet_service.month(db, who, employee_id, month)

    def sheet_csv(self, sheet: MonthRead) -> bytes:
        """One row per day: times, breaks, worked, deduction, actual, target, difference."""
        header = [
            "date",
            "absence_or_holiday",
            "first_start",
            "last_end",
            "break_minutes",
            "worked_hours",
            "deduction_minutes",
            "actual_hours",
            "target_hours",
            "difference_hours",
        ]
        fmt = formatter("en")
        rows: list[list[Any]] = [
            [
                d.day.isoformat(),
                _absence(d, fmt),
                _clock(d.first_start),
                _clock(d.last_end),
                d.break_minutes,
                d.worked_hours,
                d.deduction_minutes,
                d.actual_hours,
                d.target_hours,
                d.difference_hours if d.difference_hours is not None else "",
            ]
            for d in sheet.days
        ]
        rows.append(
            [
                "total",
                "",
                "",
                "",
                "",
                "",
                sheet.deduction_minutes,
                sheet.actual_hours,
                sheet.target_hours,
                sheet.difference_hours,
            ]
        )
        rows.append(["balance_start", "", "", "", "", "", "", "", "", sheet.balance_start_hours])
        rows.append(["balance_end", "", "", "", "", "", "", "", "", sheet.balance_end_hours])
        return write_csv(header, rows)

    def sheet_pdf(self, sheet: MonthRead, locale: str) -> bytes:
        """The month on A4 landscape with the approval (who, when) as its sign-off."""
        _fonts()
        fmt = formatter(locale)
        _ = fmt.gettext
        out = io.BytesIO()
        doc = SimpleDocTemplate(
            out,
            pagesize=landscape(A4),
            leftMargin=15 * mm,
            rightMargin=15 * mm,
            topMargin=15 * mm,
            bottomMargin=15 * mm,
            title=f"{_('Time sheet')} {sheet.month} {sheet.employee_name}",
            author="Workmate",
        )
        body = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12)
        title = ParagraphStyle("title", fontName=FONT_BOLD, fontSize=14, leading=18)
        h = fmt.number
        story: list[Any] = [
            Paragraph(escape(f"{_('Time sheet')} · {fmt.month(sheet.month)}"), title),
            Paragraph(escape(sheet.employee_name), body),
            Spacer(1, 4 * mm),
        ]
        rows: list[list[str]] = [
            [
                _("Date"),
                _("Absence / holiday"),
                _("From"),
                _("To"),
                _("Break (min)"),
                _("Worked"),
                _("Deducted (min)"),
                _("Actual"),
                _("Target"),
                _("Difference"),
            ]
        ]
        for d in sheet.days:
            rows.append(
                [
                    f"{fmt.weekday(d.day)}",
                    _absence(d, fmt),
                    _clock(d.first_start),
                    _clock(d.last_end),
                    str(d.break_minutes) if d.first_start else "",
                    h(d.worked_hours) if d.worked_hours else "",
                    str(d.deduction_minutes) if d.deduction_minutes else "",
                    h(d.actual_hours) if d.actual_hours else "",
                    h(d.target_hours) if d.target_hours else "",
                    h(d.difference_hours) if d.difference_hours is not None else "",
                ]
            )
        rows.append(
            [
                _("Total"),
                "",
                "",
                "",
                "",
                "",
                str(sheet.deduction_minutes or ""),
                h(sheet.actual_hours),
                h(sheet.target_hours),
                h(sheet.difference_hours),
            ]
        )
        table = Table(rows, repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (-1, -1), FONT, 7.5),
                    ("FONT", (0, 0), (-1, 0), FONT_BOLD, 7.5),
                    ("FONT", (0, -1), (-1, -1), FONT_BOLD, 7.5),
                    ("ALIGN", (4, 0), (-1, -1), "RIGHT"),
                    ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
                    ("LINEABOVE", (0, -1), (-1, -1), 0.5, colors.black),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                    ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ]
            )
        )
        story += [table, Spacer(1, 4 * mm)]
        facts = [
            f"{_('Overtime balance at the start of the month')}: {h(sheet.balance_start_hours)} h",
            f"{_('Overtime balance at the end of the month')}: {h(sheet.balance_end_hours)} h",
            f"{_('Vacation days')}: {h(sheet.vacation_days, 1)} · "
            f"{_('Sick days')}: {h(sheet.sick_days, 1)}",
        ]
        if sheet.status == "approved" and sheet.decided_at is not None:
            facts.append(
                _(
                    "Approved by %(name)s on %(when)s",
                    name=sheet.decided_by_name or "",
                    when=fmt.datetime(sheet.decided_at),
                )
            )
        elif sheet.status == "locked":
            facts.append(_("Locked by the company's month close."))
        else:
            facts.append(_("Not approved yet (status: %(status)s).", status=_(sheet.status)))
        story += [Paragraph(escape(f), body) for f in facts]
        doc.build(story)
        return out.getvalue()

    async def payroll(
        self, db: AsyncSession, who: Principal, month: date, department_id: uuid.UUID | None
    ) -> bytes:
        """Per employee the caller sees: the month's target, actual, difference, payouts, the
        overtime balance at month end, vacation and sick days, the vacation left, status."""
        people = await sheet_service.team_people(db, who, department_id)
        last = month_end(month)
        ids = [p.id for p in people]
        accounts = await account_service.accounts(db, ids, month, last) if ids else {}
        vacations = await account_service.vacations(db, ids, month.year, last) if ids else {}
        locked_through = (await worktime_repository.settings(db)).locked_through
        rows: list[list[Any]] = []
        for p in people:
            account = accounts[p.id]
            target, actual, difference = account.totals()
            records = account.records
            assert records is not None
            payouts = sum(
                (
                    b.quantity
                    for b in records.bookings
                    if b.account == "overtime" and b.kind == "payout" and month <= b.day <= last
                ),
                ZERO,
            )
            vacation = sum(
                (
                    d.plan.absence_days
                    for d in account.days
                    if d.plan.absence is not None and d.plan.absence.kind == "vacation"
                ),
                ZERO,
            )
            sick = sum(
                (
                    d.plan.absence_days
                    for d in account.days
                    if d.plan.absence is not None and d.plan.absence.kind == "sick"
                ),
                ZERO,
            )
            closing = records.closings.get(month)
            status = (
                closing.status
                if closing is not None
                else "locked"
                if locked_through is not None and month <= locked_through
                else "open"
            )
            rows.append(
                [
                    p.name,
                    p.email,
                    p.department or "",
                    month.strftime("%Y-%m"),
                    hours(target),
                    hours(actual),
                    hours(difference),
                    payouts,
                    hours(account_service.balance(account, last)),
                    vacation,
                    sick,
                    vacations[p.id].left,
                    status,
                ]
            )
        header = [
            "employee",
            "email",
            "department",
            "month",
            "target_hours",
            "actual_hours",
            "difference_hours",
            "paid_out_hours",
            "overtime_balance_hours",
            "vacation_days",
            "sick_days",
            "vacation_left_days",
            "status",
        ]
        return write_csv(header, rows)


export_service = ExportService()

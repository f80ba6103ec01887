"""Rules for dashboards: one per employee, own only unless dashboards.manage; widget data for
the requester's permissions. Flushes, never commits."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from workmate import clock
from workmate.audit.service import audit_service, diff, entry
from workmate.auth.permissions import allows
from workmate.auth.principal import Principal
from workmate.dashboards import schemas as s
from workmate.dashboards.repository import dashboard_repository as repo
from workmate.dashboards.widgets import (
    WIDGETS,
    Can,
    default_layout,
    usable,
    validate_layout,
    visible_layout,
)
from workmate.errors import Forbidden, NotFound
from workmate.invoices.overdue import BUSINESS_ZONE
from workmate.models import Dashboard
from workmate.models.expense import EXPENSE_CATEGORIES

LIST_SIZE = 10
RECENT_CUSTOMERS = 5
TWO_PLACES = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Period:
    """The instants and calendar dates a request's widgets are computed for (German time)."""

    now: datetime

    @property
    def today(self) -> date:
        return self.now.astimezone(BUSINESS_ZONE).date()

    def midnight(self, day: date) -> datetime:
        return datetime.combine(day, time(), BUSINESS_ZONE)

    @property
    def month_start(self) -> date:
        return self.today.replace(day=1)

    @property
    def week_start(self) -> date:
        return self.today - timedelta(days=self.today.weekday())


def add_months(day: date, months: int) -> date:
    """The first of the month `months` after (or before) day's month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _can(permissions: dict[str, Any]) -> Can:
    return partial(allows, permissions)


def _infos(can: Can) -> list[s.WidgetInfo]:
    return [
        s.WidgetInfo(id=w.id, title=w.title, module=w.module, w=w.w, h=w.h) for w in usable(can)
    ]


class DashboardService:
    async def get(
        self, db: AsyncSession, who: Principal, employee_id: uuid.UUID | None = None
    ) -> s.DashboardRead:
        """An employee's dashboard (own, or anyone's with dashboards.manage); the role's
        default layout while none is saved."""
        target, can = await self._target(db, who, employee_id)
        dashboard = await repo.get(db, target)
        return self._read(target, dashboard, can)

    async def save(
        self,
        db: AsyncSession,
        who: Principal,
        data: s.DashboardUpdate,
        employee_id: uuid.UUID | None = None,
    ) -> s.DashboardRead:
        """Save layout and theme; the layout must hold known widgets the owner may read,
        inside the 12-column grid, without overlaps (422 naming the widget)."""
        target, can = await self._target(db, who, employee_id)
        current = await repo.get(db, target)
        before = audit_service.snapshot(current, ("layout_json", "theme")) if current else None
        if data.layout_json is not None:
            layout = validate_layout(data.layout_json, can)
        elif current is not None:
            layout = visible_layout(current.layout_json, can)
        else:
            layout = default_layout(can)
        theme = data.theme or (current.theme if current else "light")
        saved = await repo.upsert(db, target, layout, theme)
        await audit_service.record(
            db,
            who,
            "update" if current else "create",
            "dashboards",
            saved.id,
            diff(before, {"layout_json": saved.layout_json, "theme": saved.theme}),
        )
        return self._read(target, saved, can)

    def available(self, who: Principal) -> list[s.WidgetInfo]:
        """The widgets the caller's role may show."""
        return _infos(who.can)

    async def widget(
        self, db: AsyncSession, who: Principal, widget_id: str, now: datetime | None = None
    ) -> s.WidgetData:
        """One widget's data, computed in SQL for the caller; 403 when the caller's role may
        not read the widget's module, 404 for an unknown widget."""
        widget = WIDGETS.get(widget_id)
        if widget is None:
            raise NotFound("widget", field="widget_id")
        if not who.can(widget.module, "read"):
            denied = Forbidden(
                f"your role may not read {widget.module.replace('_', ' ')}", field="widget_id"
            )
            denied.after_rollback = [
                entry(
                    who,
                    "permission_denied",
                    widget.module,
                    None,
                    {"action": [None, "read"], "widget": [None, widget_id]},
                )
            ]
            raise denied
        period = Period(now or clock.now())
        compute = self._computers()[widget_id]
        return s.WidgetData(
            widget=widget_id, generated_at=period.now, data=await compute(db, who, period)
        )

    # ---- widgets ----

    def _computers(
        self,
    ) -> dict[str, Callable[[AsyncSession, Principal, Period], Awaitable[BaseModel]]]:
        return {
            "crm-stats": self._crm_stats,
            "recent-customers": self._recent_customers,
            "project-timeline": self._project_timeline,
            "my-hours-week": self._hours_week,
            "my-timer": self._timer,
            "my-reminders": self._reminders,
            "receivables": self._receivables,
            "revenue-month": self._revenue,
            "expenses-category": self._expenses,
        }

    async def _crm_stats(self, db: AsyncSession, who: Principal, p: Period) -> s.CrmStats:
        total, new, archived = await repo.crm_stats(db, p.midnight(p.month_start))
        return s.CrmStats(
            customers_total=total, new_this_month=new, archived=archived, month_start=p.month_start
        )

    async def _recent_customers(
        self, db: AsyncSession, who: Principal, p: Period
    ) -> s.RecentCustomers:
        rows = await repo.recent_customers(db, RECENT_CUSTOMERS)
        return s.RecentCustomers(
            items=[
                s.RecentCustomer(id=r[0], number=r[1], name=r[2], city=r[3], created_at=r[4])
                for r in rows
            ]
        )

    async def _project_timeline(
        self, db: AsyncSession, who: Principal, p: Period
    ) -> s.ProjectTimeline:
        rows = await repo.project_timeline(db, LIST_SIZE)
        return s.ProjectTimeline(
            total=int(rows[0].total) if rows else 0,
            items=[
                s.TimelineProject(
                    id=r.id,
                    title=r.title,
                    status=r.status,
                    start_date=r.start_date,
                    end_date=r.end_date,
                    customer_id=r.customer_id,
                    customer_name=r.customer_name,
                )
                for r in rows
            ],
        )

    async def _hours_week(self, db: AsyncSession, who: Principal, p: Period) -> s.HoursWeek:
        start = p.week_start
        hours = await repo.hours_per_day(
            db, who.employee_id, p.midnight(start), p.midnight(start + timedelta(days=7))
        )
        days = [start + timedelta(days=i) for i in range(7)]
        per_day = [
            s.DayHours(date=d, hours=hours.get(d, Decimal(0)).quantize(TWO_PLACES)) for d in days
        ]
        total = sum(hours.values(), Decimal(0)).quantize(TWO_PLACES)
        return s.HoursWeek(week_start=start, total_hours=total, days=per_day)

    async def _timer(self, db: AsyncSession, who: Principal, p: Period) -> s.Timer:
        row = await repo.running_timer(db, who.employee_id)
        if row is None:
            return s.Timer(running=False)
        entry_id, start, project_id, title = row
        return s.Timer(
            running=True,
            entry_id=entry_id,
            project_id=project_id,
            project_title=title,
            start_time=start,
            elapsed_seconds=max(0, int((p.now - start).total_seconds())),
        )

    async def _reminders(self, db: AsyncSession, who: Principal, p: Period) -> s.MyReminders:
        today = p.today
        rows = await repo.open_reminders(db, who.employee_id, today, LIST_SIZE)
        return s.MyReminders(
            open_total=int(rows[0].total) if rows else 0,
            overdue=int(rows[0].overdue) if rows else 0,
            items=[
                s.ReminderItem(
                    id=r.id,
                    title=r.title,
                    due_date=r.due_date,
                    priority=r.priority,
                    overdue=r.due_date < today,
                )
                for r in rows
            ],
        )

    async def _receivables(self, db: AsyncSession, who: Principal, p: Period) -> s.Receivables:
        open_n, open_sum, overdue_n, overdue_sum = await repo.receivables(db, p.today)
        return s.Receivables(
            open_count=open_n,
            open_amount=open_sum,
            overdue_count=overdue_n,
            overdue_amount=overdue_sum,
        )

    async def _revenue(self, db: AsyncSession, who: Principal, p: Period) -> s.RevenueMonths:
        first = add_months(p.month_start, -11)
        found = await repo.revenue_months(db, first, add_months(p.month_start, 1))
        months = []
        for i in range(12):
            key = add_months(first, i).strftime("%Y-%m")
            net, gross = found.get(key, (Decimal("0.00"), Decimal("0.00")))
            months.append(s.MonthRevenue(month=key, net=net, gross=gross))
        return s.RevenueMonths(months=months)

    async def _expenses(self, db: AsyncSession, who: Principal, p: Period) -> s.ExpensesByCategory:
        year = p.today.year
        found = await repo.expenses_by_category(db, date(year, 1, 1), date(year + 1, 1, 1))
        categories = [
            s.CategoryAmount(
                category=c,
                amount=found.get(c, (Decimal("0.00"), 0))[0],
                count=found.get(c, (Decimal("0.00"), 0))[1],
            )
            for c in EXPENSE_CATEGORIES
        ]
        total = sum((c.amount for c in categories), Decimal("0.00"))
        return s.ExpensesByCategory(year=year, total=total, categories=categories)

    # ---- helpers ----

    async def _target(
        self, db: AsyncSession, who: Principal, employee_id: uuid.UUID | None
    ) -> tuple[uuid.UUID, Can]:
        """Whose dashboard, and what that employee's role may read (404 for a stranger's
        dashboard without dashboards.manage, so existence does not leak)."""
        if employee_id is None or employee_id == who.employee_id:
            return who.employee_id, who.can
        if not who.can("dashboards", "manage"):
            raise NotFound("dashboard")
        permissions = await repo.permissions_of(db, employee_id)
        if permissions is None:
            raise NotFound("employee")
        return employee_id, _can(permissions)

    def _read(
        self, employee_id: uuid.UUID, dashboard: Dashboard | None, can: Can
    ) -> s.DashboardRead:
        widgets = _infos(can)
        if dashboard is None:
            return s.DashboardRead(
                employee_id=employee_id,
                layout_json=default_layout(can),
                theme="light",
                is_default=True,
                available_widgets=widgets,
            )
        return s.DashboardRead(
            employee_id=employee_id,
            layout_json=visible_layout(dashboard.layout_json, can),
            theme="dark" if dashboard.theme == "dark" else "light",
            is_default=False,
            available_widgets=widgets,
        )


dashboard_service = DashboardService()

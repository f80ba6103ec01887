"""The dashboard: the employee's widgets from layout_json, computed by the dashboards service."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from workmate.auth.deps import LoggedIn
from workmate.dashboards.service import dashboard_service
from workmate.db import SessionDep
from workmate.web.catalogs import N_
from workmate.web.render import page_theme, render
from workmate.web.routes.timer import timer_context

router = APIRouter()

# The service names widgets in German; the page shows them in the employee's language.
WIDGET_TITLES = {
    "crm-stats": N_("Customers"),
    "my-timer": N_("Running timer"),
    "my-hours-week": N_("My hours this week"),
    "my-reminders": N_("My reminders"),
    "receivables": N_("Open items"),
    "revenue-month": N_("Revenue per month"),
    "expenses-category": N_("Expenses by category"),
    "recent-customers": N_("New customers"),
    "project-timeline": N_("Projects"),
}


@router.get("/")
async def dashboard(request: Request, who: LoggedIn, db: SessionDep) -> Response:
    """Every logged-in employee has a start page; widgets need dashboards.read."""
    widgets: list[dict[str, Any]] = []
    theme = None
    if who.can("dashboards", "read"):
        board = await dashboard_service.get(db, who)
        theme = board.theme
        placed = board.layout_json.get("widgets", [])
        for spot in sorted(placed, key=lambda w: (w.get("y", 0), w.get("x", 0))):
            data = await dashboard_service.widget(db, who, str(spot["id"]))
            widgets.append({**spot, "title": WIDGET_TITLES.get(spot["id"]), "data": data.data})
    response = render(
        request,
        "dashboard.html",
        who,
        timer=await timer_context(db, who),
        widgets=widgets,
        theme=page_theme(request) or theme or "",
        can_save=who.can("dashboards", "write"),
    )
    return response

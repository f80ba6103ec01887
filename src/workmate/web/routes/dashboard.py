"""The dashboard: the employee's widgets from layout_json, computed by the dashboards service."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from workmate.auth.deps import LoggedIn, require
from workmate.auth.principal import Principal
from workmate.company.service import company_service
from workmate.dashboards.schemas import DashboardUpdate
from workmate.dashboards.service import dashboard_service
from workmate.db import SessionDep
from workmate.web.catalogs import N_
from workmate.web.i18n import formatter
from workmate.web.render import THEME_COOKIE, THEMES, page_theme, render
from workmate.web.routes.common import see_other
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


SETUP_STEPS = (
    # (what, fields that must all be set, anchor on the company page)
    (N_("Company name and address"), ("name", "street", "postal_code", "city"), "f-name"),
    (N_("Tax number or VAT ID"), ("tax_number or vat_id",), "f-tax_number"),
    (N_("Bank details (IBAN, BIC) for transfers"), ("iban",), "f-iban"),
    (
        N_("Commercial register and managing directors (GmbH, UG, AG, KG ...)"),
        ("register_court", "register_number", "managing_directors"),
        "f-legal_form",
    ),
)


async def setup_checklist(db: AsyncSession, who: Principal) -> list[dict[str, Any]] | None:
    """What a legal invoice still needs, for the admin, until the seller data is complete."""
    if not who.can("admin_panel", "access"):
        return None
    settings = await company_service.read(db)
    missing = set(settings.missing_for_invoicing)
    if not missing:
        return None
    steps: list[dict[str, Any]] = [
        {"label": label, "done": not missing.intersection(fields), "href": f"/admin/company#{a}"}
        for label, fields, a in SETUP_STEPS
    ]
    steps.insert(
        3,
        {
            "label": N_("Legal form"),
            "done": settings.legal_form is not None,
            "href": "/admin/company#f-legal_form",
        },
    )
    steps.append(
        {"label": N_("Logo (optional)"), "done": settings.has_logo, "href": "/admin/company#logo"}
    )
    return steps


DashboardsWrite = Annotated[Principal, Depends(require("dashboards", "write"))]
THEME_MAX_AGE = 365 * 24 * 3600


@router.get("/")
async def dashboard(
    request: Request, who: LoggedIn, db: SessionDep, saved: bool = False
) -> Response:
    """Every logged-in employee has a start page; widgets need dashboards.read."""
    widgets: list[dict[str, Any]] = []
    theme = None
    placed: list[dict[str, Any]] = []
    if who.can("dashboards", "read"):
        board = await dashboard_service.get(db, who)
        theme = board.theme
        placed = board.layout_json.get("widgets", [])
        for spot in sorted(placed, key=lambda w: (w.get("y", 0), w.get("x", 0))):
            data = await dashboard_service.widget(db, who, str(spot["id"]))
            widgets.append({**spot, "title": WIDGET_TITLES.get(spot["id"]), "data": data.data})
    shown = {w.get("id") for w in placed}
    response = render(
        request,
        "dashboard.html",
        who,
        timer=await timer_context(db, who),
        widgets=widgets,
        setup=await setup_checklist(db, who),
        theme=page_theme(request) or theme or "",
        can_save=who.can("dashboards", "write"),
        choices=[
            {"id": w.id, "title": WIDGET_TITLES.get(w.id, w.title), "shown": w.id in shown}
            for w in dashboard_service.available(who)
        ]
        if who.can("dashboards", "write")
        else [],
        notice=formatter(who.locale).gettext("Dashboard saved.") if saved else None,
    )
    # The employee's saved theme follows them to every page of a new browser (the toggle keeps
    # cookie and dashboard in step afterwards), not to the dashboard only.
    if theme in THEMES and not page_theme(request):
        response.set_cookie(THEME_COOKIE, theme, max_age=THEME_MAX_AGE, samesite="lax")
    return response


@router.post("/dashboard/widgets")
async def choose_widgets(request: Request, who: DashboardsWrite, db: SessionDep) -> Response:
    """Show exactly the ticked widgets: kept ones stay where they are, new ones go below."""
    form = await request.form()
    wanted = {str(v) for v in form.getlist("widget")}
    board = await dashboard_service.get(db, who)
    kept = [w for w in board.layout_json.get("widgets", []) if w.get("id") in wanted]
    bottom = max((int(w["y"]) + int(w["h"]) for w in kept), default=0)
    known = {w["id"] for w in kept}
    for info in dashboard_service.available(who):
        if info.id in wanted and info.id not in known:
            kept.append({"id": info.id, "x": 0, "y": bottom, "w": info.w, "h": info.h})
            bottom += info.h
    await dashboard_service.save(db, who, DashboardUpdate(layout_json={"widgets": kept}))
    return see_other("/?saved=1")

"""The dashboard: the employee's widgets from layout_json, computed by the dashboards service."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from workmate.auth.deps import LoggedIn
from workmate.auth.principal import Principal
from workmate.company.service import company_service
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
        setup=await setup_checklist(db, who),
        theme=page_theme(request) or theme or "",
        can_save=who.can("dashboards", "write"),
    )
    return response

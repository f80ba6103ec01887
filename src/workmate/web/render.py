"""Rendering pages: one Jinja2 environment, per-request locale, navigation and CSRF token."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from workmate import __version__
from workmate.auth.principal import Principal
from workmate.web.catalogs import N_
from workmate.web.forms import localize
from workmate.web.i18n import LOCALES, Formatter, formatter

TEMPLATE_DIR = Path(__file__).parent / "templates"
THEME_COOKIE = "wm_theme"
LOCALE_COOKIE = "wm_locale"
THEMES = ("light", "dark")
# Context keys that may hold refusals kept as exceptions (web/forms.domain_error).
LOCALIZED = (
    "errors",
    "error",
    "message",
    "line_errors",
    "payment_errors",
    "send_errors",
    "credit_errors",
)
# Pages load only our own files: no inline script can run even if some text slipped through
# escaping, and no other site may frame a page to trick a click.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; object-src 'none'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

env = Environment(
    loader=FileSystemLoader(TEMPLATE_DIR),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True, slots=True)
class NavItem:
    href: str
    label: str  # message id, translated at render time
    module: str | None  # None: every logged-in employee
    action: str = "read"


# Only pages that exist are listed; each appears only to roles that may open it, so a click
# never ends on a 403 page.
NAV: tuple[NavItem, ...] = (
    NavItem("/", N_("Dashboard"), None),
    NavItem("/customers", N_("Customers"), "crm"),
    NavItem("/projects", N_("Projects"), "projects"),
    NavItem("/time", N_("Time"), "time_entries"),
    NavItem("/worktime", N_("Working time"), "worktime"),
    NavItem("/invoices", N_("Invoices"), "invoices"),
    NavItem("/sales/quotes", N_("Sales"), "invoices"),
    NavItem("/banking", N_("Banking"), "banking"),
    NavItem("/expenses", N_("Expenses"), "expenses"),
    NavItem("/purchases", N_("Purchases"), "purchases", "submit"),
    NavItem("/reminders", N_("Reminders"), "reminders"),
    NavItem("/exports", N_("Exports"), "reports"),
    NavItem("/admin", N_("Admin"), "admin_panel", "access"),
)


# Status values stored in English; shown translated (`_(status)` in templates).
STATUS_LABELS = (
    N_("planned"),
    N_("in_progress"),
    N_("completed"),
    N_("cancelled"),
    N_("draft"),
    N_("sent"),
    N_("paid"),
    N_("overdue"),
    N_("credit_note"),
    N_("invoice"),
    N_("open"),
    N_("regular"),
    N_("small_business"),
    N_("reverse_charge"),
    N_("non_taxable"),
    N_("intra_eu_goods"),
)


# UN/ECE Rec 20 unit codes on invoice lines, in words.
UNIT_LABELS = {
    "HUR": N_("hrs"),
    "C62": N_("pcs"),
    "DAY": N_("days"),
    "MON": N_("months"),
    "KMT": N_("km"),
    "LS": N_("flat rate"),
}
env.globals["units"] = UNIT_LABELS

# Permission modules and actions (auth/permissions.py) as the admin's matrix shows them.
MODULE_LABELS = {
    "crm": N_("Customers"),
    "projects": N_("Projects"),
    "time_entries": N_("Time entries"),
    "invoices": N_("Invoices"),
    "payments": N_("Payments"),
    "banking": N_("Banking"),
    "expenses": N_("Expenses"),
    "purchases": N_("Purchases"),
    "documents": N_("Documents"),
    "reminders": N_("Reminders"),
    "dashboards": N_("Dashboards"),
    "chat": N_("Project chat"),
    "employees": N_("Employees"),
    "reports": N_("Reports"),
    "admin_panel": N_("Admin area"),
    "worktime": N_("Working time"),
}
ACTION_LABELS = {
    "read": N_("read"),
    "write": N_("write"),
    "delete": N_("delete"),
    "manage": N_("manage all"),
    "confidential": N_("confidential"),
    "access": N_("access"),
    "submit": N_("hand in"),
    "approve": N_("approve"),
    "configure": N_("configure"),
}
# The seed roles' names (auth/permissions.SEED_ROLES) in the reader's language; names an
# admin gave a role are shown as written ("Admin" and "Manager" read the same in German).
ROLE_LABELS = {"Employee": N_("Employee")}
# Stored category and method values, shown translated (`_(value)`).
VALUE_LABELS = (
    N_("material"),
    N_("personnel"),
    N_("service"),
    N_("other"),
    N_("bank_transfer"),
    N_("credit_card"),
    N_("cash"),
    N_("paypal"),
    N_("contract"),
    N_("report"),
    N_("receipt"),
    N_("B2B"),
    N_("B2C"),
)
# What the audit log records (audit_service.record calls): action and object type.
AUDIT_ACTIONS = {
    "create": N_("created"),
    "update": N_("changed"),
    "delete": N_("deleted"),
    "login": N_("logged in"),
    "logout": N_("logged out"),
    "issue": N_("issued"),
    "cancel": N_("cancelled (credit note)"),
    "dunning": N_("dunning letter"),
    "mark_overdue": N_("marked overdue"),
    "permission_denied": N_("access denied"),
    "password_change": N_("password changed"),
    "password_set": N_("password set"),
    "sessions_revoked": N_("sessions ended"),
    "gdpr_export": N_("GDPR export"),
    "revoke": N_("revoked"),
    "receive": N_("received"),
}
AUDIT_ENTITIES = {
    "customer": N_("Customer"),
    "contact": N_("Contact person"),
    "employee": N_("Employee"),
    "invoice": N_("Invoice"),
    "invoice_line": N_("Invoice item"),
    "payment": N_("Payment"),
    "expense": N_("Expense"),
    "project": N_("Project"),
    "reminder": N_("Reminder"),
    "role": N_("Role"),
    "department": N_("Department"),
    "company_settings": N_("Company settings"),
    "document": N_("Document"),
    "documents": N_("Document"),
    "chat_message": N_("Chat message"),
    "time_entry": N_("Time entry"),
    "auth_session": N_("Session"),
    "api_token": N_("API token"),
    "incoming_invoice": N_("Received invoice"),
    "supplier_bill": N_("Supplier bill"),
    "supplier_payment": N_("Supplier payment"),
}
AUDIT_LABELS = {**AUDIT_ACTIONS, **AUDIT_ENTITIES, **MODULE_LABELS}
env.globals["audit_labels"] = AUDIT_LABELS
env.globals["audit_actions"] = AUDIT_ACTIONS
env.globals["audit_entities"] = AUDIT_ENTITIES
env.globals["module_labels"] = MODULE_LABELS
env.globals["action_labels"] = ACTION_LABELS
env.globals["role_labels"] = ROLE_LABELS


def navigation(who: Principal | None) -> list[NavItem]:
    if who is None:
        return []
    return [item for item in NAV if item.module is None or who.can(item.module, item.action)]


def page_locale(request: Request, who: Principal | None) -> str:
    """The employee's language; before login the browser's choice (cookie, then header)."""
    if who is not None:
        return who.locale
    chosen = request.cookies.get(LOCALE_COOKIE)
    if chosen:
        return chosen
    accept = request.headers.get("accept-language", "")
    first = accept.split(",")[0].strip()
    return first or "de"


def page_theme(request: Request) -> str:
    theme = request.cookies.get(THEME_COOKIE, "")
    return theme if theme in THEMES else ""


def render(
    request: Request,
    template: str,
    who: Principal | None = None,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    fmt: Formatter = formatter(page_locale(request, who))
    nav = navigation(who)
    path = request.url.path
    values: dict[str, Any] = {
        "request": request,
        "who": who,
        "fmt": fmt,
        "_": fmt.gettext,
        "ngettext": fmt.ngettext,
        "lang": fmt.locale,
        "locales": LOCALES,
        "nav": nav,
        "active": next(
            (i.href for i in reversed(nav) if path == i.href or path.startswith(i.href + "/")),
            "/",
        ),
        "theme": page_theme(request),
        "csrf_token": who.extra.get("csrf_token", "") if who else "",
        "version": __version__,
    }
    values.update(context)
    for key in LOCALIZED:
        if key in values:
            values[key] = localize(values[key], fmt)
    html = env.get_template(template).render(values)
    return HTMLResponse(
        html, status_code=status_code, headers={**SECURITY_HEADERS, **(headers or {})}
    )

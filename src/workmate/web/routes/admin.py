"""Admin area: employees and roles with their permission matrix (admin_panel.access)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from workmate.audit.repository import AuditFilter
from workmate.audit.service import audit_service
from workmate.auth.deps import require
from workmate.auth.permissions import MODULES
from workmate.auth.principal import Principal
from workmate.company.schemas import CompanySettingsUpdate
from workmate.company.service import company_service
from workmate.db import SessionDep
from workmate.employees.schemas import EmployeeCreate, EmployeeUpdate, RoleCreate, RoleUpdate
from workmate.employees.service import (
    base_url,
    department_service,
    employee_service,
    invitation_service,
    only_here,
    role_service,
)
from workmate.errors import WorkmateError
from workmate.models import Employee
from workmate.models.company_settings import VAT_MODES
from workmate.outbox.service import mail_server_configured
from workmate.pagination import PageParams
from workmate.web.catalogs import N_
from workmate.web.forms import (
    FORM,
    REFUSALS,
    FieldErrors,
    blank_to_none,
    domain_error,
    parse,
    refusal,
)
from workmate.web.i18n import LOCALES, formatter
from workmate.web.render import ROLE_LABELS, render
from workmate.web.routes.common import form_data, page_numbers, see_other, undo
from workmate.web.routes.timer import timer_context

router = APIRouter(prefix="/admin")

admin_access = require("admin_panel", "access")
AdminAccess = Annotated[Principal, Depends(admin_access)]
# Employees are the API's employees.write; in the web UI they live in the admin area as well.
EmployeesWrite = Annotated[Principal, Depends(require("employees", "write"))]
IN_ADMIN = [Depends(admin_access)]
PER_PAGE = 25
# Every column any module knows, in the vocabulary's order, for the matrix header.
ACTIONS = tuple(dict.fromkeys(a for actions in MODULES.values() for a in actions))


@router.get("")
async def admin_home(
    request: Request,
    who: AdminAccess,
    db: SessionDep,
    q: Annotated[str, Query(max_length=200)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    saved: bool = False,
) -> Response:
    """Employees (searchable, paged) and the roles' permission matrix."""
    employees: list[Any] = []
    total = 0
    # The list is the API's employees.read; an admin role without it sees roles only.
    if who.can("employees", "read"):
        employees, total = await employee_service.search(
            db, PageParams(limit=PER_PAGE, offset=(page - 1) * PER_PAGE), q=q.strip() or None
        )
    roles, _ = await role_service.search(db, PageParams(limit=200, offset=0))
    role_names = {r.id: r.name for r in roles}
    departments, _ = await department_service.search(db, PageParams(limit=200, offset=0))
    return render(
        request,
        "admin/index.html",
        who,
        department_names={d.id: d.name for d in departments},
        timer=await timer_context(db, who),
        employees=employees,
        role_names=role_names,
        roles=roles,
        modules=MODULES,
        actions=ACTIONS,
        q=q,
        paging=page_numbers(page, PER_PAGE, total),
        notice=formatter(who.locale).gettext("Saved.") if saved else None,
    )


def _matrix(form: list[str]) -> dict[str, list[str]]:
    """Checked boxes `module.action` into the role JSON; the service validates the names."""
    permissions: dict[str, list[str]] = {}
    for value in form:
        module, _, action = value.partition(".")
        permissions.setdefault(module, []).append(action)
    return permissions


async def _role_form(
    request: Request,
    who: Principal,
    db: AsyncSession,
    role: dict[str, Any],
    *,
    error: str | WorkmateError | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "admin/role.html",
        who,
        status_code=status_code,
        timer=await timer_context(db, who),
        role=role,
        modules=MODULES,
        actions=ACTIONS,
        error=error,
    )


@router.get("/roles/new")
async def new_role(request: Request, who: AdminAccess, db: SessionDep) -> Response:
    """An empty permission matrix for a new role."""
    return await _role_form(request, who, db, {"id": None, "name": "", "permissions": {}})


@router.post("/roles/new")
async def create_role(request: Request, who: AdminAccess, db: SessionDep) -> Response:
    """Create a role through the role service (unique name, known permissions only)."""
    fmt = formatter(who.locale)
    form = await request.form()
    name = str(form.get("name") or "").strip()
    permissions = _matrix([v for v in form.getlist("perm") if isinstance(v, str)])
    current = {"id": None, "name": name, "permissions": permissions}
    data, errors = parse(RoleCreate, {"name": name, "permissions": permissions}, fmt)
    if data is None:
        message = "; ".join(f"{k}: {v}" for k, v in errors.items())
        return await _role_form(request, who, db, current, error=message, status_code=422)
    try:
        await role_service.create(db, who, data)
    except REFUSALS as exc:
        await undo(db, exc)
        return await _role_form(
            request, who, db, current, error=refusal(exc), status_code=refusal(exc).status_code
        )
    return see_other("/admin?saved=1#roles")


@router.get("/roles/{role_id}")
async def edit_role(
    request: Request, role_id: uuid.UUID, who: AdminAccess, db: SessionDep
) -> Response:
    """The permission matrix of one role: module × action checkboxes."""
    role = await role_service.get(db, role_id)
    values = {"id": role.id, "name": role.name, "permissions": dict(role.permissions)}
    return await _role_form(request, who, db, values)


@router.post("/roles/{role_id}")
async def save_role(
    request: Request, role_id: uuid.UUID, who: AdminAccess, db: SessionDep
) -> Response:
    """Save name and permissions through the role service (which refuses self lock-out)."""
    fmt = formatter(who.locale)
    form = await request.form()
    name = str(form.get("name") or "").strip()
    permissions = _matrix([v for v in form.getlist("perm") if isinstance(v, str)])
    role = await role_service.get(db, role_id)
    current = {"id": role.id, "name": name or role.name, "permissions": permissions}
    data, errors = parse(RoleUpdate, {"name": name, "permissions": permissions}, fmt)
    if data is None:
        message = "; ".join(f"{k}: {v}" for k, v in errors.items())
        return await _role_form(request, who, db, current, error=message, status_code=422)
    try:
        await role_service.update(db, who, role_id, data.model_dump(exclude_unset=True))
    except REFUSALS as exc:
        await undo(db, exc)
        return await _role_form(
            request, who, db, current, error=refusal(exc), status_code=refusal(exc).status_code
        )
    return see_other("/admin?saved=1#roles")


COMPANY_FIELDS = (
    "name",
    "street",
    "postal_code",
    "city",
    "country",
    "tax_number",
    "vat_id",
    "iban",
    "bic",
    "bank_name",
    "contact_name",
    "contact_email",
    "contact_phone",
    "payment_terms_days",
    "vat_mode",
    "legal_form",
    "register_court",
    "register_number",
    "managing_directors",
)
# What missing_for_invoicing names, as the form labels it.
COMPANY_LABELS = {
    "name": N_("Company name"),
    "street": N_("Street"),
    "postal_code": N_("Postal code"),
    "city": N_("City"),
    "tax_number or vat_id": N_("Tax number or VAT ID"),
    "iban": N_("IBAN"),
    "register_court": N_("Register court"),
    "register_number": N_("Register number"),
    "managing_directors": N_("Managing directors"),
}
LEGAL_FORM_LABELS = {
    "sole_proprietor": N_("Sole proprietorship"),
    "freelancer": N_("Freelancer"),
    "gbr": N_("GbR"),
    "ohg": N_("OHG"),
    "kg": N_("KG"),
    "gmbh": N_("GmbH"),
    "ug": N_("UG (limited liability)"),
    "gmbh_co_kg": N_("GmbH & Co. KG"),
    "ag": N_("AG"),
    "ev": N_("Registered association (e. V.)"),
    "other": N_("Other"),
}


async def _company_form(
    request: Request,
    who: Principal,
    db: AsyncSession,
    values: dict[str, Any],
    errors: FieldErrors,
    missing: list[str],
    *,
    notice: str | None = None,
    status_code: int = 200,
    has_logo: bool = False,
) -> Response:
    fmt = formatter(who.locale)
    return render(
        request,
        "admin/company.html",
        who,
        status_code=status_code,
        timer=await timer_context(db, who),
        values=values,
        errors=errors,
        missing=[fmt.gettext(COMPANY_LABELS.get(m, m)) for m in missing],
        vat_modes=[(m, fmt.gettext(m)) for m in VAT_MODES],
        legal_forms=[("", "–")] + [(k, fmt.gettext(v)) for k, v in LEGAL_FORM_LABELS.items()],
        has_logo=has_logo,
        notice=notice,
    )


@router.get("/company")
async def company_settings(
    request: Request, who: AdminAccess, db: SessionDep, saved: bool = False
) -> Response:
    """The seller's data printed on every invoice, and what invoicing still misses."""
    current = await company_service.read(db)
    values = {
        f: "" if getattr(current, f) is None else str(getattr(current, f)) for f in COMPANY_FIELDS
    }
    notice = formatter(who.locale).gettext("Saved.") if saved else None
    return await _company_form(
        request,
        who,
        db,
        values,
        {},
        current.missing_for_invoicing,
        notice=notice,
        has_logo=current.has_logo,
    )


@router.post("/company")
async def save_company_settings(request: Request, who: AdminAccess, db: SessionDep) -> Response:
    """Save through the company service (IBAN, BIC, tax number and VAT ID are checked)."""
    fmt = formatter(who.locale)
    raw = {k: v for k, v in (await form_data(request)).items() if k in COMPANY_FIELDS}
    parsed, errors = parse(CompanySettingsUpdate, blank_to_none(raw), fmt)
    if parsed is not None:
        try:
            await company_service.update(db, who, parsed)
        except REFUSALS as exc:
            await undo(db, exc)
            errors = domain_error(exc, COMPANY_FIELDS)
        else:
            return see_other("/admin/company?saved=1")
    current = await company_service.read(db)
    return await _company_form(
        request,
        who,
        db,
        raw,
        errors,
        current.missing_for_invoicing,
        status_code=422,
        has_logo=current.has_logo,
    )


@router.get("/audit")
async def audit_log(
    request: Request,
    who: AdminAccess,
    db: SessionDep,
    entity: Annotated[str, Query(max_length=40)] = "",
    action: Annotated[str, Query(max_length=40)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """Who changed what, newest first; filter by object type and action."""
    rows, total = await audit_service.search(
        db,
        AuditFilter(entity=entity.strip() or None, action=action.strip() or None),
        PER_PAGE,
        (page - 1) * PER_PAGE,
    )
    return render(
        request,
        "admin/audit.html",
        who,
        timer=await timer_context(db, who),
        rows=rows,
        entity=entity,
        action=action,
        paging=page_numbers(page, PER_PAGE, total),
    )


def role_label(name: str, locale: str) -> str:
    """A seed role's name in the reader's language; other names as the admin wrote them."""
    return formatter(locale).gettext(ROLE_LABELS[name]) if name in ROLE_LABELS else name


EMPLOYEE_FIELDS = ("firstname", "lastname", "email", "role_id", "department_id", "locale")


async def _employee_form(
    request: Request,
    who: Principal,
    db: AsyncSession,
    values: dict[str, Any],
    errors: FieldErrors,
    employee_id: uuid.UUID | None = None,
    status_code: int = 200,
    invitation: dict[str, Any] | None = None,
    notice: str | None = None,
) -> Response:
    roles, _ = await role_service.search(db, PageParams(limit=200, offset=0))
    departments, _ = await department_service.search(db, PageParams(limit=200, offset=0))
    if employee_id is None and not values.get("role_id"):
        # A new employee starts with the least privileged seed role, never Admin.
        least = next((str(r.id) for r in roles if r.name == "Employee"), "")
        values = {**values, "role_id": least} if least else values
    return render(
        request,
        "admin/employee.html",
        who,
        status_code=status_code,
        timer=await timer_context(db, who),
        values=values,
        errors=errors,
        employee_id=employee_id,
        roles=[(str(r.id), role_label(r.name, who.locale)) for r in roles],
        departments=[("", "–"), *((str(d.id), d.name) for d in departments)],
        languages=[(code, formatter(who.locale).language_name(code)) for code in LOCALES],
        invitation=invitation,
        notice=notice,
    )


@router.get("/employees/new", dependencies=IN_ADMIN)
async def new_employee(request: Request, who: EmployeesWrite, db: SessionDep) -> Response:
    """An empty employee form."""
    return await _employee_form(request, who, db, {"locale": "de", "is_active": "true"}, {})


@router.post("/employees/new", dependencies=IN_ADMIN)
async def create_employee(request: Request, who: EmployeesWrite, db: SessionDep) -> Response:
    """Create through the employee service (unique email, a role the creator may assign)."""
    fmt = formatter(who.locale)
    form = await form_data(request)
    raw = {k: v for k, v in form.items() if k in (*EMPLOYEE_FIELDS, "password")}
    data = blank_to_none(raw, keep=("firstname", "lastname", "email"))
    parsed, errors = parse(EmployeeCreate, data, fmt)
    if parsed is not None:
        try:
            employee = await employee_service.create(db, who, parsed)
        except REFUSALS as exc:
            await undo(db, exc)
            errors = domain_error(exc, EMPLOYEE_FIELDS)
        else:
            # On to the new employee's page, where the invitation link is one click away.
            created = "password" if parsed.password else "invite"
            return see_other(f"/admin/employees/{employee.id}?created={created}")
    raw.pop("password", None)  # never echoed back into the page
    return await _employee_form(request, who, db, raw, errors, status_code=422)


@router.get("/employees/{employee_id}", dependencies=IN_ADMIN)
async def edit_employee(
    request: Request,
    employee_id: uuid.UUID,
    who: EmployeesWrite,
    db: SessionDep,
    created: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    """The employee's form: name, email, role, department, language, active; just created,
    a notice points to the invitation link."""
    e = await employee_service.get(db, employee_id)
    notices = {
        "invite": N_(
            "Employee created. Create an invitation link below so they can set their own password."
        ),
        "password": N_("Employee created with the initial password."),
    }
    notice = formatter(who.locale).gettext(notices[created]) if created in notices else None
    return await _employee_form(
        request, who, db, _employee_values(e), {}, employee_id=employee_id, notice=notice
    )


@router.post("/employees/{employee_id}", dependencies=IN_ADMIN)
async def update_employee(
    request: Request, employee_id: uuid.UUID, who: EmployeesWrite, db: SessionDep
) -> Response:
    """Save through the employee service; deactivating ends the employee's sessions."""
    fmt = formatter(who.locale)
    form = await form_data(request)
    raw = {k: v for k, v in form.items() if k in EMPLOYEE_FIELDS}
    data: dict[str, Any] = blank_to_none(raw, keep=("firstname", "lastname", "email"))
    parsed, errors = parse(EmployeeUpdate, data, fmt)
    if parsed is not None:
        try:
            # Activity has its own confirmed action (set_employee_active), never a side effect.
            await employee_service.update(
                db, who, employee_id, parsed.model_dump(include=set(EMPLOYEE_FIELDS))
            )
        except REFUSALS as exc:
            await undo(db, exc)
            errors = domain_error(exc, EMPLOYEE_FIELDS)
        else:
            return see_other("/admin?saved=1")
    current = await employee_service.get(db, employee_id)
    values: dict[str, Any] = {**raw, "is_active": "true" if current.is_active else ""}
    return await _employee_form(
        request, who, db, values, errors, employee_id=employee_id, status_code=422
    )


def _employee_values(e: Employee) -> dict[str, Any]:
    values = {f: "" if getattr(e, f) is None else str(getattr(e, f)) for f in EMPLOYEE_FIELDS}
    values["is_active"] = "true" if e.is_active else ""
    return values


@router.post("/employees/{employee_id}/invitation", dependencies=IN_ADMIN)
async def invite_employee(
    request: Request, employee_id: uuid.UUID, who: EmployeesWrite, db: SessionDep
) -> Response:
    """A new one-time set-password link (7 days), shown once to pass on and e-mailed to the
    employee through the outbox; older ones stop."""
    try:
        new = await invitation_service.invite(db, who, employee_id, base_url(request))
    except REFUSALS as exc:
        await undo(db, exc)
        e = await employee_service.get(db, employee_id)
        return await _employee_form(
            request,
            who,
            db,
            _employee_values(e),
            {FORM: refusal(exc)},
            employee_id=employee_id,
            status_code=refusal(exc).status_code,
        )
    e = await employee_service.get(db, employee_id)
    shown = {
        "url": new.url,
        "expires_at": new.invitation.expires_at,
        "emailed_to": new.message.to_addresses[0],
        "mail_server": mail_server_configured(),
        "only_here": only_here(new.url),
    }
    return await _employee_form(
        request, who, db, _employee_values(e), {}, employee_id=employee_id, invitation=shown
    )


@router.post("/employees/{employee_id}/active", dependencies=IN_ADMIN)
async def set_employee_active(
    request: Request, employee_id: uuid.UUID, who: EmployeesWrite, db: SessionDep
) -> Response:
    """Deactivate (their sessions end, they can no longer log in) or reactivate an employee;
    the service refuses to deactivate oneself."""
    form = await form_data(request)
    active = form.get("active") == "true"
    try:
        await employee_service.update(db, who, employee_id, {"is_active": active})
    except REFUSALS as exc:
        await undo(db, exc)
        e = await employee_service.get(db, employee_id)
        values = {f: "" if getattr(e, f) is None else str(getattr(e, f)) for f in EMPLOYEE_FIELDS}
        values["is_active"] = "true" if e.is_active else ""
        return await _employee_form(
            request,
            who,
            db,
            values,
            {FORM: refusal(exc)},
            employee_id=employee_id,
            status_code=refusal(exc).status_code,
        )
    return see_other("/admin?saved=1")

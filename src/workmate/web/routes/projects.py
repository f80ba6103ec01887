"""Projects: list by status, detail with hours and money, create; via the projects service."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from babel.numbers import NumberFormatError, parse_decimal
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from workmate.auth.deps import require
from workmate.auth.principal import Principal
from workmate.chat.schemas import ChatMessageCreate
from workmate.chat.service import chat_service
from workmate.customers.service import customer_service
from workmate.db import SessionDep
from workmate.errors import NotFound
from workmate.models.project import PROJECT_STATUSES
from workmate.projects.schemas import ProjectCreate, ProjectUpdate
from workmate.projects.service import TRANSITIONS, project_service
from workmate.web.forms import REFUSALS, FieldErrors, blank_to_none, domain_error, parse
from workmate.web.i18n import formatter
from workmate.web.render import render
from workmate.web.routes.common import form_data, page_numbers, see_other, undo
from workmate.web.routes.documents import attached
from workmate.web.routes.timer import timer_context

router = APIRouter(prefix="/projects")

ProjectsRead = Annotated[Principal, Depends(require("projects", "read"))]
ProjectsWrite = Annotated[Principal, Depends(require("projects", "write"))]
ChatWrite = Annotated[Principal, Depends(require("chat", "write"))]
# Older messages are in the API (cursor paging); the page shows the latest ones.
CHAT_HISTORY = 50
PER_PAGE = 25
FIELDS = ("customer_id", "title", "status", "start_date", "end_date", "hourly_rate", "description")
# A customer picker beyond this size needs a search; the demo company is far smaller.
MAX_CUSTOMERS = 200


@router.get("")
async def project_list(
    request: Request,
    who: ProjectsRead,
    db: SessionDep,
    status: Annotated[str, Query(max_length=20)] = "",
    q: Annotated[str, Query(max_length=200)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """Projects filtered by status and title."""
    chosen = status if status in PROJECT_STATUSES else None
    items, total = await project_service.list(
        db, status=chosen, q=q.strip() or None, limit=PER_PAGE, offset=(page - 1) * PER_PAGE
    )
    names = {}
    for customer_id in {p.customer_id for p in items}:
        names[customer_id] = (await customer_service.get(db, customer_id)).name
    return render(
        request,
        "projects/list.html",
        who,
        timer=await timer_context(db, who),
        projects=items,
        names=names,
        status=chosen or "",
        statuses=PROJECT_STATUSES,
        q=q,
        paging=page_numbers(page, PER_PAGE, total),
    )


async def _form(
    request: Request,
    who: Principal,
    db: AsyncSession,
    values: dict[str, Any],
    errors: FieldErrors,
    status_code: int = 200,
    project: dict[str, Any] | None = None,
) -> Response:
    customers, _ = await customer_service.list(db, limit=MAX_CUSTOMERS)
    fmt = formatter(who.locale)
    # A new project starts planned or running; an existing one offers the moves it allows.
    choices = (
        (project["status"], *TRANSITIONS[project["status"]])
        if project
        else ("planned", "in_progress")
    )
    return render(
        request,
        "projects/form.html",
        who,
        status_code=status_code,
        timer=await timer_context(db, who),
        values=values,
        errors=errors,
        customers=[(str(c.id), f"{c.name} ({c.number})") for c in customers],
        statuses=[(s, fmt.gettext(s)) for s in choices],
        project=project,
    )


@router.get("/new")
async def new_project(
    request: Request,
    who: ProjectsWrite,
    db: SessionDep,
    customer_id: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    """An empty project form, optionally for one customer."""
    return await _form(request, who, db, {"customer_id": customer_id, "status": "planned"}, {})


@router.post("/new")
async def create_project(request: Request, who: ProjectsWrite, db: SessionDep) -> Response:
    """Create through the projects service; errors return the form with messages per field."""
    fmt = formatter(who.locale)
    raw = {k: v for k, v in (await form_data(request)).items() if k in FIELDS}
    data = blank_to_none(raw, keep=("title",))
    errors: FieldErrors = {}
    if data.get("hourly_rate"):
        try:
            data["hourly_rate"] = parse_decimal(
                data["hourly_rate"], locale=fmt.babel_locale, strict=True
            )
        except NumberFormatError:
            errors["hourly_rate"] = fmt.gettext(
                "Enter an amount like %(example)s.", example=fmt.number(95)
            )
    parsed, schema_errors = parse(ProjectCreate, data, fmt)
    errors = {**schema_errors, **errors}
    if parsed is not None and not errors:
        try:
            project = await project_service.create(db, who, parsed)
        except REFUSALS as exc:
            await undo(db, exc)
            errors = domain_error(exc, FIELDS)
        else:
            return see_other(f"/projects/{project.id}")
    return await _form(request, who, db, raw, errors, status_code=422)


EDIT_FIELDS = tuple(f for f in FIELDS if f != "customer_id")


def _rate(data: dict[str, Any], fmt: Any) -> FieldErrors:
    """The hourly rate as the reader writes it (95,00 in German)."""
    if not data.get("hourly_rate"):
        return {}
    try:
        data["hourly_rate"] = parse_decimal(
            data["hourly_rate"], locale=fmt.babel_locale, strict=True
        )
    except NumberFormatError:
        return {
            "hourly_rate": fmt.gettext("Enter an amount like %(example)s.", example=fmt.number(95))
        }
    return {}


@router.get("/{project_id}/edit")
async def edit_project(
    request: Request, project_id: uuid.UUID, who: ProjectsWrite, db: SessionDep
) -> Response:
    """The project form, filled in; the status offers the moves the project allows."""
    project = await project_service.get(db, project_id)
    fmt = formatter(who.locale)
    values = {f: getattr(project, f) or "" for f in FIELDS}
    values["customer_id"] = str(project.customer_id)
    if project.hourly_rate is not None:
        values["hourly_rate"] = fmt.number(project.hourly_rate)
    head = {"id": project.id, "title": project.title, "status": project.status}
    return await _form(request, who, db, values, {}, project=head)


@router.post("/{project_id}/edit")
async def update_project(
    request: Request, project_id: uuid.UUID, who: ProjectsWrite, db: SessionDep
) -> Response:
    """Save title, dates, rate, description and status through the projects service."""
    fmt = formatter(who.locale)
    current = await project_service.get(db, project_id)
    head = {"id": current.id, "title": current.title, "status": current.status}
    raw = {k: v for k, v in (await form_data(request)).items() if k in FIELDS}
    data = {k: v for k, v in blank_to_none(raw, keep=("title",)).items() if k in EDIT_FIELDS}
    errors = _rate(data, fmt)
    parsed, schema_errors = parse(ProjectUpdate, data, fmt)
    errors = {**schema_errors, **errors}
    if parsed is not None and not errors:
        try:
            await project_service.update(db, who, project_id, parsed)
        except REFUSALS as exc:
            await undo(db, exc)
            errors = domain_error(exc, FIELDS)
        else:
            return see_other(f"/projects/{project_id}?saved=1")
    return await _form(request, who, db, raw, errors, status_code=422, project=head)


@router.get("/{project_id}")
async def project_detail(
    request: Request, project_id: uuid.UUID, who: ProjectsRead, db: SessionDep, saved: bool = False
) -> Response:
    """A project with hours booked, billable value, invoiced, paid and margin; its chat."""
    notice = formatter(who.locale).gettext("Saved.") if saved else None
    return await _detail(request, who, db, project_id, notice=notice)


async def _detail(
    request: Request,
    who: Principal,
    db: AsyncSession,
    project_id: uuid.UUID,
    chat_error: str = "",
    status_code: int = 200,
    notice: str | None = None,
) -> Response:
    project = await project_service.get(db, project_id)
    overview = await project_service.overview(db, who, project_id)
    customer = await customer_service.get(db, project.customer_id)
    chat: list[Any] | None = None
    if who.can("chat", "read"):
        try:
            page = await chat_service.list(db, who, project_id, before=None, limit=CHAT_HISTORY)
            chat = list(reversed(page.items))
        except NotFound:
            chat = None  # not on this project: no chat, the rest of the page stays
    return render(
        request,
        "projects/detail.html",
        who,
        status_code=status_code,
        timer=await timer_context(db, who),
        p=project,
        o=overview,
        customer=customer,
        chat=chat,
        chat_error=chat_error,
        docs=await attached(db, who, "project", project_id),
        notice=notice,
    )


@router.post("/{project_id}/messages")
async def post_message(
    request: Request, project_id: uuid.UUID, who: ChatWrite, db: SessionDep
) -> Response:
    """Post to the project's chat without JavaScript (the page's script posts via the API)."""
    fmt = formatter(who.locale)
    parsed, errors = parse(ChatMessageCreate, await form_data(request), fmt)
    if parsed is None:
        if not who.can("projects", "read"):
            return see_other(f"/projects/{project_id}")
        message = errors.get("message", "")
        return await _detail(request, who, db, project_id, message, status_code=422)
    await chat_service.post(db, who, project_id, parsed)
    return see_other(f"/projects/{project_id}#chat")

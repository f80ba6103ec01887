"""HTTP routes for recurring invoices."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from workmate.db import SessionDep
from workmate.invoices.auth import InvoicesRead, InvoicesWrite
from workmate.pagination import Page, Paging
from workmate.recurring.schemas import RecurringCreate, RecurringRead, RecurringUpdate
from workmate.recurring.service import recurring_service

router = APIRouter(prefix="/recurring-invoices", tags=["recurring invoices"])


@router.get("", response_model=Page[RecurringRead])
async def list_recurring(who: InvoicesRead, db: SessionDep, paging: Paging) -> Page[RecurringRead]:
    """Recurring invoice templates, newest first, with the periods billed."""
    return await recurring_service.list_templates(db, paging)


@router.post("", response_model=RecurringRead, status_code=201)
async def create_recurring(
    data: RecurringCreate, who: InvoicesWrite, db: SessionDep
) -> RecurringRead:
    """A template that bills the customer each period from first_date."""
    return await recurring_service.create(db, who, data)


@router.get("/{template_id}", response_model=RecurringRead)
async def get_recurring(template_id: uuid.UUID, who: InvoicesRead, db: SessionDep) -> RecurringRead:
    """One template with its lines and billed periods."""
    return await recurring_service.get(db, template_id)


@router.patch("/{template_id}", response_model=RecurringRead)
async def update_recurring(
    template_id: uuid.UUID, data: RecurringUpdate, who: InvoicesWrite, db: SessionDep
) -> RecurringRead:
    """Change a template; prices and lines apply from the next period created."""
    return await recurring_service.update(db, who, template_id, data)


@router.post("/{template_id}/pause", response_model=RecurringRead)
async def pause_recurring(
    template_id: uuid.UUID, who: InvoicesWrite, db: SessionDep
) -> RecurringRead:
    """Stop billing until resumed."""
    return await recurring_service.set_status(db, who, template_id, "paused")


@router.post("/{template_id}/resume", response_model=RecurringRead)
async def resume_recurring(
    template_id: uuid.UUID, who: InvoicesWrite, db: SessionDep
) -> RecurringRead:
    """Bill again from the period running today (paused periods are not billed)."""
    return await recurring_service.set_status(db, who, template_id, "active")


@router.post("/{template_id}/end", response_model=RecurringRead)
async def end_recurring(
    template_id: uuid.UUID, who: InvoicesWrite, db: SessionDep
) -> RecurringRead:
    """End the template for good; billed invoices stay."""
    return await recurring_service.set_status(db, who, template_id, "ended")

"""Recurring invoice rules: templates (lines, interval, first and optional end date, mode),
pausing and ending, and the run that creates each due period's invoice exactly once: one run
row per template and period (unique), templates locked while billed, missed periods caught
up. Never commits."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from workmate import clock
from workmate.audit.service import audit_service, diff
from workmate.auth.principal import Principal
from workmate.customers.service import customer_service
from workmate.errors import Conflict, Invalid, NotFound, WorkmateError
from workmate.invoices.schemas import InvoiceCreate, LineIn
from workmate.invoices.sending import invoice_sending
from workmate.invoices.service import invoice_service
from workmate.invoices.totals import check_line_amount
from workmate.models import Employee, RecurringInvoice, RecurringInvoiceLine, Role
from workmate.outbox.schemas import SendByEmail
from workmate.pagination import Page, PageParams
from workmate.recurring import periods, repository
from workmate.recurring.schemas import (
    RecurringCreate,
    RecurringLineRead,
    RecurringRead,
    RecurringUpdate,
    RunRead,
)

log = logging.getLogger(__name__)
_AUDITED = ("title", "interval", "first_date", "end_date", "mode", "status", "next_period_start")


class RecurringService:
    async def create(
        self, db: AsyncSession, who: Principal, data: RecurringCreate
    ) -> RecurringRead:
        """A template; its first period starts on first_date."""
        await customer_service.billable(db, data.customer_id)
        if data.end_date is not None and data.end_date < data.first_date:
            raise Invalid("end_date must not be before first_date", field="end_date")
        template = RecurringInvoice(
            **data.model_dump(exclude={"lines"}),
            next_period_start=data.first_date,
            status="active",
            created_by_id=who.employee_id,
        )
        db.add(template)
        await db.flush()
        await self._replace_lines(db, template, data.lines)
        await audit_service.record(
            db, who, "create", "recurring_invoice", template.id, diff(None, _snap(template))
        )
        return await self.get(db, template.id)

    async def update(
        self, db: AsyncSession, who: Principal, template_id: uuid.UUID, data: RecurringUpdate
    ) -> RecurringRead:
        """Change a template; new prices and lines apply from the next period created."""
        template = await self._get(db, template_id, for_update=True)
        if template.status == "ended":
            raise Conflict("the recurring invoice has ended", field="status")
        before = _snap(template)
        for key, value in data.model_dump(exclude_unset=True, exclude={"lines"}).items():
            if value is None and key in ("title", "mode"):
                raise Invalid("{field} cannot be empty", field=key, params={"field": key})
            setattr(template, key, value)
        if template.end_date is not None and template.end_date < template.first_date:
            raise Invalid("end_date must not be before first_date", field="end_date")
        await db.flush()
        if data.lines is not None:
            await self._replace_lines(db, template, data.lines)
        await audit_service.record(
            db, who, "update", "recurring_invoice", template.id, diff(before, _snap(template))
        )
        return await self.get(db, template.id)

    async def set_status(
        self, db: AsyncSession, who: Principal, template_id: uuid.UUID, status: str
    ) -> RecurringRead:
        """Pause, resume (active) or end a template; an ended one stays ended. Resuming does
        not bill the paused periods: it continues with the period running today."""
        template = await self._get(db, template_id, for_update=True)
        if template.status == "ended":
            raise Conflict("the recurring invoice has ended", field="status")
        before = _snap(template)
        if status == "active" and template.status == "paused":
            today = clock.today()
            while (
                periods.following(
                    template.first_date, template.interval, template.next_period_start
                )
                <= today
            ):
                template.next_period_start = periods.following(
                    template.first_date, template.interval, template.next_period_start
                )
        template.status = status
        await db.flush()
        await audit_service.record(
            db, who, status, "recurring_invoice", template.id, diff(before, _snap(template))
        )
        return await self.get(db, template.id)

    async def get(self, db: AsyncSession, template_id: uuid.UUID) -> RecurringRead:
        """One template with its lines and the periods billed so far."""
        template = await self._get(db, template_id)
        await db.refresh(template)
        return RecurringRead.model_validate(
            {
                **{
                    f: getattr(template, f)
                    for f in RecurringRead.model_fields
                    if hasattr(template, f)
                },
                "lines": [
                    RecurringLineRead.model_validate(ln)
                    for ln in await repository.lines(db, template.id)
                ],
                "runs": [RunRead.model_validate(r) for r in await repository.runs(db, template.id)],
            }
        )

    async def list_templates(self, db: AsyncSession, paging: PageParams) -> Page[RecurringRead]:
        """Templates newest first."""
        rows, total = await repository.page(db, paging.limit, paging.offset)
        items = [await self.get(db, t.id) for t in rows]
        return Page(items=items, total=total, limit=paging.limit, offset=paging.offset)

    # ---- the run ----

    async def run_due(self, db: AsyncSession, today: date | None = None) -> int:
        """Create the invoice of every due period of every active template (catching up missed
        ones), each exactly once; returns how many invoices were created."""
        today = today or clock.today()
        created = 0
        for template in await repository.lock_due(db, today):
            created += await self._bill_due(db, template, today)
        return created

    async def _bill_due(self, db: AsyncSession, template: RecurringInvoice, today: date) -> int:
        created = 0
        who = await self._principal(db, template)
        while template.next_period_start <= today:
            start = template.next_period_start
            if template.end_date is not None and start > template.end_date:
                template.status = "ended"
                break
            _, end = periods.period(
                template.first_date, template.interval, start, template.end_date
            )
            run_id = await repository.claim_period(db, template.id, start, end)
            if run_id is not None:
                invoice_id = await self._invoice(db, who, template, start, end)
                await repository.set_invoice(db, run_id, invoice_id)
                created += 1
            template.next_period_start = periods.following(
                template.first_date, template.interval, start
            )
        if template.end_date is not None and template.next_period_start > template.end_date:
            template.status = "ended"
        await db.flush()
        return created

    async def _invoice(
        self, db: AsyncSession, who: Principal, template: RecurringInvoice, start: date, end: date
    ) -> uuid.UUID:
        lines = await repository.lines(db, template.id)
        draft = await invoice_service.create(
            db,
            who,
            InvoiceCreate(
                customer_id=template.customer_id,
                project_id=template.project_id,
                vat_treatment=template.vat_treatment,
                service_start=start,
                service_end=end,
                payment_terms_days=template.payment_terms_days,
                note=template.note,
                lines=[_line_in(ln) for ln in lines],
            ),
        )
        await audit_service.record(
            db,
            who,
            "recurring_run",
            "invoice",
            draft.id,
            {"template": [None, str(template.id)], "period": [None, f"{start}..{end}"]},
        )
        if template.mode in ("issue", "issue_and_send"):
            await self._issue_and_send(db, who, template, draft.id)
        return draft.id

    async def _issue_and_send(
        self, db: AsyncSession, who: Principal, template: RecurringInvoice, invoice_id: uuid.UUID
    ) -> None:
        # A refusal (settings incomplete, no e-mail address) leaves the draft or the issued
        # invoice for a person; the period still counts as billed.
        try:
            async with db.begin_nested():
                await invoice_service.issue(db, who, invoice_id)
        except WorkmateError as exc:
            log.warning("recurring %s: invoice %s stays a draft: %s", template.id, invoice_id, exc)
            return
        if template.mode != "issue_and_send":
            return
        try:
            async with db.begin_nested():
                await invoice_sending.send_by_email(db, who, invoice_id, SendByEmail())
        except WorkmateError as exc:
            log.warning("recurring %s: invoice %s not e-mailed: %s", template.id, invoice_id, exc)

    async def _principal(self, db: AsyncSession, template: RecurringInvoice) -> Principal:
        """The employee who set the template up acts for it (audit log, document owner)."""
        employee = (
            await db.get(Employee, template.created_by_id) if template.created_by_id else None
        )
        role = await db.get(Role, employee.role_id) if employee else None
        if employee is None or role is None:
            raise Conflict("the recurring invoice has no owner", field="created_by_id")
        return Principal(
            employee_id=employee.id,
            email=employee.email,
            role_id=role.id,
            role_name=role.name,
            permissions=role.permissions,
            via="job",
        )

    # ---- helpers ----

    async def _get(
        self, db: AsyncSession, template_id: uuid.UUID, *, for_update: bool = False
    ) -> RecurringInvoice:
        template = await repository.get(db, template_id, for_update=for_update)
        if template is None:
            raise NotFound("recurring invoice", field="template_id")
        return template

    async def _replace_lines(
        self, db: AsyncSession, template: RecurringInvoice, lines: Sequence[LineIn]
    ) -> None:
        await repository.delete_lines(db, template.id)
        # Refused here, not in every run: each invoice made from the template must be storable.
        for i, ln in enumerate(lines):
            check_line_amount(ln.quantity, ln.unit_price, f"lines.{i}.unit_price")
        db.add_all(
            RecurringInvoiceLine(
                template_id=template.id,
                position=i,
                description=ln.description,
                quantity=ln.quantity,
                unit=ln.unit,
                unit_price=ln.unit_price,
                vat_rate=ln.vat_rate,
                discount_percent=ln.discount_percent,
            )
            for i, ln in enumerate(lines, start=1)
        )
        await db.flush()


def _line_in(line: RecurringInvoiceLine) -> LineIn:
    return LineIn(
        description=line.description,
        quantity=line.quantity,
        unit=line.unit,
        unit_price=line.unit_price,
        vat_rate=line.vat_rate,
        discount_percent=line.discount_percent,
    )


def _snap(template: RecurringInvoice) -> dict[str, Any]:
    return audit_service.snapshot(template, _AUDITED)


recurring_service = RecurringService()

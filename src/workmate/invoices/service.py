"""Invoice rules: drafts, totals, issuing with gapless numbers (§14 UStG), credit notes,
overdue marking and dunning, statistics. Never commits; the caller's transaction does."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession
from stdnum.eu import vat as eu_vat

from workmate.audit.service import audit_service, diff
from workmate.auth.principal import Principal
from workmate.company.service import company_service, dunning_levels, missing_for_invoicing
from workmate.customers.service import customer_service
from workmate.errors import Conflict, Invalid, NotFound, msg
from workmate.invoices import repository
from workmate.invoices.overdue import BUSINESS_ZONE, status_of
from workmate.invoices.overdue import today as business_today
from workmate.invoices.schemas import (
    DunningLevelRead,
    DunningRead,
    FromTimeEntries,
    InvoiceCreate,
    InvoiceRead,
    InvoiceSummary,
    InvoiceUpdate,
    LineIn,
    LineRead,
    LineUpdate,
    MonthAmount,
    PartialCreditCreate,
    RateTotalRead,
    Statistics,
    TopCustomer,
)
from workmate.invoices.totals import (
    LEGAL_NOTES,
    MAX_AMOUNT,
    billed_hours,
    cents,
    check_line_amount,
    compute,
    effective_rate,
    line_net,
)
from workmate.models import CompanySettings, Customer, Invoice, InvoiceLine
from workmate.pagination import Page, PageParams
from workmate.projects.service import project_service
from workmate.reads import Reader

if TYPE_CHECKING:
    from workmate.time_entries.service import BillableEntry

# Member states for the reverse-charge check (ISO codes; Greece is GR here, EL in VAT ids).
EU_COUNTRIES = frozenset(
    {
        *("AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU"),
        *("IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"),
    }
)

# What the company settings still miss, one item each (translated in the web UI).
SELLER_ITEMS = {
    "name": msg("company settings: name"),
    "street": msg("company settings: street"),
    "postal_code": msg("company settings: postal_code"),
    "city": msg("company settings: city"),
    "tax_number or vat_id": msg("company settings: tax_number or vat_id"),
    "register_court": msg("company settings: register_court"),
    "register_number": msg("company settings: register_number"),
    "managing_directors": msg("company settings: managing_directors"),
}


class InvoiceNotDraft(Conflict):
    def __init__(self, invoice: Invoice) -> None:
        super().__init__(
            f"invoice {invoice.number} is already issued; cancel it with a credit note",
            field="status",
        )


def _line_read(line: InvoiceLine) -> LineRead:
    return LineRead.model_validate(line)


def _time_lines(entries: Sequence[BillableEntry], grouping: str) -> list[LineIn]:
    if grouping == "per_entry":
        return [
            LineIn(
                description=(
                    f"{e.start_time.astimezone(BUSINESS_ZONE):%d.%m.%Y} {e.project_title}, "
                    f"{e.employee_name}" + (f": {e.note}" if e.note else "")
                ),
                quantity=billed_hours(e.hours),
                unit="HUR",
                unit_price=e.rate,
            )
            for e in entries
        ]
    groups: dict[tuple[uuid.UUID, uuid.UUID, Decimal], list[BillableEntry]] = {}
    for e in entries:
        groups.setdefault((e.project_id, e.employee_id, e.rate), []).append(e)
    result = []
    for (_project, _employee, rate), group in groups.items():
        first = group[0].start_time.astimezone(BUSINESS_ZONE)
        last = group[-1].start_time.astimezone(BUSINESS_ZONE)
        result.append(
            LineIn(
                description=(
                    f"{group[0].project_title}, {group[0].employee_name}: "
                    f"{len(group)} Einträge {first:%d.%m.%Y}–{last:%d.%m.%Y}"
                ),
                # Sum the exact hours first, round once: the time report's figure.
                quantity=billed_hours(sum((e.hours for e in group), Decimal(0))),
                unit="HUR",
                unit_price=rate,
            )
        )
    return result


class InvoiceService:
    # ---- reading ----

    async def get(self, db: AsyncSession, invoice_id: uuid.UUID) -> InvoiceRead:
        """One invoice with lines, VAT per rate, paid and open amount, effective status."""
        invoice = await self._get(db, invoice_id)
        return await self._read(db, invoice, reread=False)

    async def get_json(self, reader: Reader, invoice_id: uuid.UUID) -> str:
        """The same answer as `get`, as JSON built by PostgreSQL (the API's bytes path), or 404."""
        body = await repository.detail_json(reader, invoice_id, business_today())
        if body is None:
            raise NotFound("invoice", field="invoice_id")
        return body

    async def list_invoices(
        self, db: AsyncSession, filters: repository.ListFilter, paging: PageParams
    ) -> Page[InvoiceSummary]:
        """A page of invoices; the count uses the same filters, 'overdue' the shared rule."""
        rows, total = await repository.page(
            db, filters, business_today(), paging.limit, paging.offset
        )
        items = [
            self._summary(invoice, status, paid, credited)
            for invoice, status, paid, credited in rows
        ]
        return Page(items=items, total=total, limit=paging.limit, offset=paging.offset)

    async def list_sums(
        self, db: AsyncSession, filters: repository.ListFilter
    ) -> tuple[Decimal, Decimal]:
        """Gross total and open amount over every invoice the filters list (not one page)."""
        return await repository.sums(db, filters, business_today())

    async def list_invoices_json(
        self, db: AsyncSession, filters: repository.ListFilter, paging: PageParams
    ) -> tuple[list[str], int]:
        """The same page as list_invoices, its items as JSON built by PostgreSQL (bytes path)."""
        return await repository.page_json(
            db, filters, business_today(), paging.limit, paging.offset
        )

    # ---- drafts ----

    async def create(self, db: AsyncSession, who: Principal, data: InvoiceCreate) -> InvoiceRead:
        """A draft for a customer; totals are computed from its lines."""
        await customer_service.billable(db, data.customer_id)
        await project_service.check_for_customer(db, data.project_id, data.customer_id)
        settings = await company_service.get(db)
        treatment = data.vat_treatment or (
            "small_business"
            if settings is not None and settings.vat_mode == "small_business"
            else "regular"
        )
        invoice = Invoice(
            customer_id=data.customer_id,
            project_id=data.project_id,
            vat_treatment=treatment,
            service_start=data.service_start,
            service_end=data.service_end,
            payment_terms_days=data.payment_terms_days,
            note=data.note,
            buyer_reference=data.buyer_reference,
            status="draft",
            kind="invoice",
        )
        db.add(invoice)
        await db.flush()
        await self._replace_lines(db, invoice, data.lines)
        await audit_service.record(
            db, who, "create", "invoice", invoice.id, diff(None, self._snapshot(invoice))
        )
        return await self._read(db, invoice)

    async def update(
        self, db: AsyncSession, who: Principal, invoice_id: uuid.UUID, data: InvoiceUpdate
    ) -> InvoiceRead:
        """Change a draft (409 once issued); `lines` replaces all lines; totals recomputed."""
        invoice = await self._draft(db, invoice_id)
        before = self._snapshot(invoice)
        changes = data.model_dump(exclude_unset=True, exclude={"lines"})
        if changes.get("customer_id") is None:
            changes.pop("customer_id", None)
        else:
            await customer_service.billable(db, changes["customer_id"])
        if changes.get("vat_treatment") is None:
            changes.pop("vat_treatment", None)
        for key, value in changes.items():
            setattr(invoice, key, value)
        await project_service.check_for_customer(db, invoice.project_id, invoice.customer_id)
        if (
            invoice.service_start
            and invoice.service_end
            and invoice.service_end < invoice.service_start
        ):
            raise Invalid("service_end must not be before service_start", field="service_end")
        await db.flush()
        if data.lines is not None:
            await self._replace_lines(db, invoice, data.lines)
        else:
            await self._recompute(db, invoice)
        await audit_service.record(
            db, who, "update", "invoice", invoice.id, diff(before, self._snapshot(invoice))
        )
        return await self._read(db, invoice)

    async def add_line(
        self, db: AsyncSession, who: Principal, invoice_id: uuid.UUID, data: LineIn
    ) -> InvoiceRead:
        """Append a line to a draft; totals recomputed."""
        invoice = await self._draft(db, invoice_id)
        existing = await repository.lines(db, invoice.id)
        position = max((ln.position for ln in existing), default=0) + 1
        line = self._new_line(invoice, position, data)
        db.add(line)
        await db.flush()
        await self._recompute(db, invoice)
        await audit_service.record(
            db, who, "create", "invoice_line", line.id, diff(None, audit_service.snapshot(line))
        )
        return await self._read(db, invoice)

    async def update_line(
        self,
        db: AsyncSession,
        who: Principal,
        invoice_id: uuid.UUID,
        line_id: uuid.UUID,
        data: LineUpdate,
    ) -> InvoiceRead:
        """Change one line of a draft; totals recomputed."""
        invoice = await self._draft(db, invoice_id)
        line = await repository.get_line(db, invoice.id, line_id)
        if line is None:
            raise NotFound("invoice line", field="line_id")
        before = audit_service.snapshot(line)
        for key, value in data.model_dump(exclude_unset=True).items():
            if value is not None:
                setattr(line, "chosen_vat_rate" if key == "vat_rate" else key, value)
        line.vat_rate = effective_rate(invoice.vat_treatment, Decimal(line.chosen_vat_rate))
        check_line_amount(
            Decimal(line.quantity),
            Decimal(line.unit_price),
            "quantity" if data.unit_price is None else "unit_price",
        )
        line.net_amount = line_net(
            Decimal(line.quantity), Decimal(line.unit_price), Decimal(line.discount_percent)
        )
        await db.flush()
        await self._recompute(db, invoice)
        await audit_service.record(
            db, who, "update", "invoice_line", line.id, diff(before, audit_service.snapshot(line))
        )
        return await self._read(db, invoice)

    async def delete_line(
        self, db: AsyncSession, who: Principal, invoice_id: uuid.UUID, line_id: uuid.UUID
    ) -> InvoiceRead:
        """Remove one line of a draft; totals recomputed."""
        invoice = await self._draft(db, invoice_id)
        line = await repository.get_line(db, invoice.id, line_id)
        if line is None:
            raise NotFound("invoice line", field="line_id")
        before = audit_service.snapshot(line)
        await db.delete(line)
        await db.flush()
        await self._recompute(db, invoice)
        await audit_service.record(db, who, "delete", "invoice_line", line_id, diff(before, None))
        return await self._read(db, invoice)

    async def delete(self, db: AsyncSession, who: Principal, invoice_id: uuid.UUID) -> None:
        """Delete a draft (its time entries become unbilled); issued invoices never (GoBD)."""
        invoice = await self._draft(db, invoice_id)
        before = self._snapshot(invoice)
        await db.delete(invoice)
        await db.flush()
        await audit_service.record(db, who, "delete", "invoice", invoice_id, diff(before, None))

    # ---- issuing ----

    async def issue(self, db: AsyncSession, who: Principal, invoice_id: uuid.UUID) -> InvoiceRead:
        """Issue a draft: §14 UStG checks, next gapless number, buyer frozen, status sent."""
        invoice = await self._get(db, invoice_id, for_update=True)
        if invoice.status != "draft":
            raise InvoiceNotDraft(invoice)
        settings = await company_service.get(db, for_share=True)
        customer = await repository.customer(db, invoice.customer_id)
        lines = await repository.lines(db, invoice.id)
        self._check_issuable(invoice, settings, customer, lines)
        assert settings is not None
        assert customer is not None
        before = self._snapshot(invoice)
        today = business_today()
        seq = await repository.next_number(db, "invoice", today.year)
        invoice.number = settings.invoice_number_format.format(year=today.year, seq=seq)
        invoice.buyer_name = customer.name
        invoice.buyer_address = customer.address or self._address(customer)
        invoice.buyer_street = customer.street
        invoice.buyer_postal_code = customer.postal_code
        invoice.buyer_city = customer.city
        invoice.buyer_country = customer.country
        invoice.buyer_tax_id = customer.tax_id
        invoice.buyer_reference = invoice.buyer_reference or customer.buyer_reference
        terms = (
            invoice.payment_terms_days
            if invoice.payment_terms_days is not None
            else settings.payment_terms_days
        )
        invoice.payment_terms_days = terms
        invoice.issued_date = today
        invoice.due_date = today + timedelta(days=terms)
        # Nothing to pay is fully paid: 'paid' means the payments (none) sum to the total.
        invoice.status = "paid" if invoice.total == 0 else "sent"
        await db.flush()
        await audit_service.record(
            db, who, "issue", "invoice", invoice.id, diff(before, self._snapshot(invoice))
        )
        await self._store_document(db, who, invoice.id)
        return await self._read(db, invoice)

    async def credit_note(
        self, db: AsyncSession, who: Principal, invoice_id: uuid.UUID
    ) -> InvoiceRead:
        """Cancel an issued invoice by a credit note with its own number and the same lines."""
        original, settings = await self._to_credit(db, invoice_id, whole=True)
        today = business_today()
        note = Invoice(
            kind="credit_note",
            cancels_id=original.id,
            status="draft",
            # The whole invoice is cancelled: its totals too, not only what any credit copies.
            **{
                key: getattr(original, key)
                for key in (*_CREDIT_COPIED, "total", "net_total", "tax_total")
            },
            note=f"Stornorechnung zu Rechnung {original.number} vom "
            f"{original.issued_date:%d.%m.%Y}",
        )
        db.add(note)
        await db.flush()
        for line in await repository.lines(db, original.id):
            db.add(
                InvoiceLine(
                    invoice_id=note.id,
                    **{
                        key: getattr(line, key)
                        for key in (
                            "position",
                            "description",
                            "quantity",
                            "unit",
                            "unit_price",
                            "chosen_vat_rate",
                            "vat_rate",
                            "discount_percent",
                            "net_amount",
                        )
                    },
                )
            )
        await db.flush()
        seq = await repository.next_number(db, "credit_note", today.year)
        note.number = settings.credit_note_number_format.format(year=today.year, seq=seq)
        note.issued_date = today
        note.status = "sent"
        original.status = "cancelled"
        await db.flush()
        await audit_service.record(
            db, who, "issue", "invoice", note.id, diff(None, self._snapshot(note))
        )
        await audit_service.record(
            db, who, "cancel", "invoice", original.id, {"status": [None, "cancelled"]}
        )
        await self._store_document(db, who, note.id)
        return await self._read(db, note)

    async def _to_credit(
        self, db: AsyncSession, invoice_id: uuid.UUID, *, whole: bool
    ) -> tuple[Invoice, CompanySettings]:
        """The issued, not cancelled invoice a credit note (whole or partial) refers to, locked,
        and the company settings the note is issued under."""
        original = await self._get(db, invoice_id, for_update=True)
        # Literal messages, one per case: the web UI's catalog is extracted from them.
        if original.kind != "invoice" and whole:
            raise Conflict("a credit note cannot be cancelled", field="kind")
        if original.kind != "invoice":
            raise Conflict("a credit note cannot be credited", field="kind")
        if original.status == "draft" and whole:
            raise Conflict("a draft is not cancelled but deleted", field="status")
        if original.status == "draft":
            raise Conflict("a draft is not credited but edited", field="status")
        if original.status == "cancelled":
            raise Conflict(
                "invoice {number} is already cancelled",
                field="status",
                params={"number": original.number},
            )
        settings = await company_service.get(db, for_share=True)
        if settings is None:
            raise Conflict("cannot issue a credit note: missing company settings")
        return original, settings

    async def partial_credit_note(
        self, db: AsyncSession, who: Principal, invoice_id: uuid.UUID, data: PartialCreditCreate
    ) -> InvoiceRead:
        """Correct an issued invoice by a partial credit note (own gapless number, references
        it): chosen lines with at most their quantity, or free amounts at the invoice's VAT
        rates; all partial credit notes together never exceed the invoice's total (checked
        here under the invoice's row lock, and by trigger wm_credit_note_guard)."""
        original, settings = await self._to_credit(db, invoice_id, whole=False)
        by_id = {line.id: line for line in await repository.lines(db, original.id)}
        rates = {Decimal(line.vat_rate) for line in by_id.values()}
        # What earlier partial credit notes credited of each line, plus this note's lines so
        # far: a line is never credited beyond its quantity (the invoice row is locked).
        credited = await repository.credited_quantities(db, original.id)
        new_lines: list[InvoiceLine] = []
        for i, item in enumerate(data.lines, start=1):
            if item.line_id is not None:
                source = by_id.get(item.line_id)
                if source is None:
                    raise Invalid(
                        "line {position}: not a line of invoice {number}",
                        field=f"lines.{i - 1}.line_id",
                        params={"position": i, "number": original.number},
                    )
                assert item.quantity is not None
                before = credited.get(source.id, Decimal(0))
                if item.quantity > abs(Decimal(source.quantity)) or source.quantity < 0:
                    raise Invalid(
                        "line {position}: at most {quantity} can be credited",
                        field=f"lines.{i - 1}.quantity",
                        params={"position": i, "quantity": source.quantity},
                    )
                if before + item.quantity > Decimal(source.quantity):
                    raise Invalid(
                        "line {position}: {credited} of {quantity} are credited already; "
                        "at most {left} can still be credited",
                        field=f"lines.{i - 1}.quantity",
                        params={
                            "position": i,
                            "credited": before,
                            "quantity": source.quantity,
                            "left": Decimal(source.quantity) - before,
                        },
                    )
                credited[source.id] = before + item.quantity
                new_lines.append(
                    InvoiceLine(
                        position=i,
                        description=source.description,
                        quantity=item.quantity,
                        unit=source.unit,
                        unit_price=source.unit_price,
                        chosen_vat_rate=source.chosen_vat_rate,
                        vat_rate=source.vat_rate,
                        discount_percent=source.discount_percent,
                        net_amount=line_net(
                            item.quantity,
                            Decimal(source.unit_price),
                            Decimal(source.discount_percent),
                        ),
                        credits_line_id=source.id,
                    )
                )
            else:
                assert item.vat_rate is not None
                assert item.net_amount is not None
                if Decimal(item.vat_rate) not in rates:
                    raise Invalid(
                        "line {position}: VAT rate {rate} % is not a rate of invoice {number}",
                        field=f"lines.{i - 1}.vat_rate",
                        params={"position": i, "rate": item.vat_rate, "number": original.number},
                    )
                new_lines.append(
                    InvoiceLine(
                        position=i,
                        description=item.description,
                        quantity=Decimal(1),
                        unit="C62",
                        unit_price=item.net_amount,
                        chosen_vat_rate=item.vat_rate,
                        vat_rate=item.vat_rate,
                        discount_percent=Decimal(0),
                        net_amount=item.net_amount,
                    )
                )
        totals = compute((Decimal(ln.net_amount), Decimal(ln.vat_rate)) for ln in new_lines)
        remaining = Decimal(original.total) - await repository.credited(db, original.id)
        if totals.gross > remaining:
            raise Conflict(
                "the credit note of {amount} EUR exceeds what invoice {number} still allows: "
                "{remaining} EUR",
                field="lines",
                params={"amount": totals.gross, "number": original.number, "remaining": remaining},
            )
        today = business_today()
        text = (
            f"Rechnungskorrektur (Teilgutschrift) zu Rechnung {original.number} vom "
            f"{original.issued_date:%d.%m.%Y}"
        )
        note = Invoice(
            kind="credit_note",
            cancels_id=original.id,
            partial=True,
            status="draft",
            total=totals.gross,
            net_total=totals.net,
            tax_total=totals.tax,
            **{key: getattr(original, key) for key in _CREDIT_COPIED},
            note=f"{text}\n{data.reason}" if data.reason else text,
        )
        db.add(note)
        await db.flush()
        for line in new_lines:
            line.invoice_id = note.id
            db.add(line)
        await db.flush()
        seq = await repository.next_number(db, "credit_note", today.year)
        note.number = settings.credit_note_number_format.format(year=today.year, seq=seq)
        note.issued_date = today
        note.status = "sent"
        await db.flush()
        await db.refresh(original)
        await audit_service.record(
            db, who, "issue", "invoice", note.id, diff(None, self._snapshot(note))
        )
        await audit_service.record(
            db,
            who,
            "credit",
            "invoice",
            original.id,
            {"credited": [None, str(totals.gross)], "credit_note": [None, note.number]},
        )
        await self._store_document(db, who, note.id)
        return await self._read(db, note)

    @staticmethod
    async def _store_document(db: AsyncSession, who: Principal, invoice_id: uuid.UUID) -> None:
        # What was sent is what is kept: the PDF (with its embedded e-invoice) is rendered and
        # stored in the issuing transaction, showing the amount due at issue. If rendering
        # fails, issuing fails; an issued invoice never lacks its document.
        from workmate.einvoice.flows import einvoice_flows

        await einvoice_flows.stored_pdf(db, who, invoice_id)

    # ---- from time entries ----

    async def from_time_entries(
        self, db: AsyncSession, who: Principal, data: FromTimeEntries
    ) -> InvoiceRead:
        """Draft from uninvoiced billable time in a period; the entries are locked and bound
        to it in this transaction, so a parallel request cannot bill them again."""
        from workmate.time_entries.service import time_entry_service

        customer_id = data.customer_id
        if data.project_id is not None:
            project = await repository.project(db, data.project_id)
            if project is None:
                raise Invalid("project does not exist", field="project_id")
            customer_id = project.customer_id
        assert customer_id is not None
        entries = await time_entry_service.uninvoiced_billable(
            db,
            project_id=data.project_id,
            customer_id=data.customer_id,
            start=data.start,
            end=data.end,
            for_update=True,
        )
        if not entries:
            raise Conflict(
                "no uninvoiced billable time entries in this period", field="time_entries"
            )
        lines = [ln for ln in _time_lines(entries, data.grouping) if ln.quantity != 0]
        days = [e.start_time.astimezone(BUSINESS_ZONE).date() for e in entries]
        created = await self.create(
            db,
            who,
            InvoiceCreate(
                customer_id=customer_id,
                project_id=data.project_id,
                service_start=min(days),
                service_end=max(days),
                lines=lines,
            ),
        )
        ids = [e.id for e in entries]
        await repository.bind_time_entries(db, created.id, ids)
        await audit_service.record(
            db,
            who,
            "bill_time_entries",
            "invoice",
            created.id,
            {"time_entries": [None, [str(i) for i in ids]]},
        )
        return created

    # ---- overdue and dunning ----

    async def mark_overdue(
        self, db: AsyncSession, today: date, who: Principal | None = None
    ) -> int:
        """Store 'overdue' on every sent invoice past its due date and raise dunning levels."""
        marked = await repository.mark_overdue(db, today)
        for invoice_id, _number in marked:
            await audit_service.record(
                db, who, "mark_overdue", "invoice", invoice_id, {"status": ["sent", "overdue"]}
            )
        levels = dunning_levels(await company_service.get(db))
        raised = await repository.raise_dunning(db, today, [lvl.days for lvl in levels])
        for invoice_id, old, new in raised:
            await audit_service.record(
                db, who, "dunning", "invoice", invoice_id, {"dunning_level": [old, new]}
            )
        return len(marked)

    async def dunning(self, db: AsyncSession, invoice_id: uuid.UUID) -> DunningRead:
        """The dunning levels of an invoice: which are reached, when, and their fees."""
        invoice = await self._get(db, invoice_id)
        today = business_today()
        levels = dunning_levels(await company_service.get(db))
        overdue = status_of(invoice, today) == "overdue"
        days = (today - invoice.due_date).days if overdue and invoice.due_date else 0
        rows = [
            DunningLevelRead(
                level=i,
                days=lvl.days,
                fee=lvl.fee,
                due_on=invoice.due_date + timedelta(days=lvl.days) if invoice.due_date else None,
                reached=i <= invoice.dunning_level,
            )
            for i, lvl in enumerate(levels, start=1)
        ]
        return DunningRead(
            invoice_id=invoice.id,
            level=invoice.dunning_level,
            last_dunned_on=invoice.last_dunned_on,
            days_overdue=days,
            fees=sum((r.fee for r in rows if r.reached), Decimal("0.00")),
            levels=rows,
        )

    # ---- statistics ----

    async def statistics(
        self, db: AsyncSession, start: date | None = None, end: date | None = None
    ) -> Statistics:
        """Revenue per month (issued, paid), open and overdue receivables, days to pay, top
        customers; all aggregated in SQL with the shared overdue rule."""
        today = business_today()
        months = await repository.revenue_per_month(db, start, end)
        open_sum, open_n, overdue_sum, overdue_n = await repository.receivables(db, today)
        top = await repository.top_customers(db, start, end, 10)
        return Statistics(
            revenue_per_month=[
                MonthAmount(month=m, issued=cents(i), paid=cents(p)) for m, i, p in months
            ],
            open_receivables=cents(open_sum),
            open_count=open_n,
            overdue_receivables=cents(overdue_sum),
            overdue_count=overdue_n,
            average_days_to_pay=await repository.average_days_to_pay(db),
            top_customers=[TopCustomer(customer_id=c, name=n, revenue=r) for c, n, r in top],
        )

    # ---- helpers ----

    async def _get(
        self, db: AsyncSession, invoice_id: uuid.UUID, *, for_update: bool = False
    ) -> Invoice:
        invoice = await repository.get(db, invoice_id, for_update=for_update)
        if invoice is None:
            raise NotFound("invoice", field="invoice_id")
        return invoice

    async def _draft(self, db: AsyncSession, invoice_id: uuid.UUID) -> Invoice:
        # Locked: an edit and an issue of the same draft must not interleave.
        invoice = await self._get(db, invoice_id, for_update=True)
        if invoice.status != "draft":
            raise InvoiceNotDraft(invoice)
        return invoice

    def _new_line(
        self, invoice: Invoice, position: int, data: LineIn, field: str = ""
    ) -> InvoiceLine:
        check_line_amount(data.quantity, data.unit_price, f"{field}unit_price")
        return InvoiceLine(
            invoice_id=invoice.id,
            position=position,
            description=data.description,
            quantity=data.quantity,
            unit=data.unit,
            unit_price=data.unit_price,
            chosen_vat_rate=data.vat_rate,
            vat_rate=effective_rate(invoice.vat_treatment, data.vat_rate),
            discount_percent=data.discount_percent,
            net_amount=line_net(data.quantity, data.unit_price, data.discount_percent),
        )

    async def _replace_lines(
        self, db: AsyncSession, invoice: Invoice, lines: Sequence[LineIn]
    ) -> None:
        await repository.delete_lines(db, invoice.id)
        db.add_all(
            [
                self._new_line(invoice, i, data, f"lines.{i - 1}.")
                for i, data in enumerate(lines, start=1)
            ]
        )
        await db.flush()
        await self._recompute(db, invoice)

    async def _recompute(self, db: AsyncSession, invoice: Invoice) -> None:
        """Store net, VAT and gross from the lines; each line's effective rate is derived from
        its chosen rate and the treatment (reverse charge / §19: 0), so switching back and
        forth never loses the chosen rate."""
        lines = await repository.lines(db, invoice.id)
        for line in lines:
            rate = effective_rate(invoice.vat_treatment, Decimal(line.chosen_vat_rate))
            if line.vat_rate != rate:
                line.vat_rate = rate
        totals = compute((Decimal(ln.net_amount), Decimal(ln.vat_rate)) for ln in lines)
        if max(abs(totals.net), abs(totals.gross)) >= MAX_AMOUNT:
            raise Invalid(
                "the invoice total must stay below {limit} (split it into several invoices)",
                field="lines",
                params={"limit": MAX_AMOUNT},
            )
        invoice.net_total = totals.net
        invoice.tax_total = totals.tax
        # A final invoice is due less the down payments it deducts (0 for all others).
        invoice.total = totals.gross - Decimal(invoice.prepaid_total or 0)
        await db.flush()

    def _check_issuable(
        self,
        invoice: Invoice,
        settings: CompanySettings | None,
        customer: Customer | None,
        lines: Sequence[InvoiceLine],
    ) -> None:
        """§14 UStG: collect everything missing, refuse with one 409 naming all of it."""
        missing: list[str] = []
        seller = missing_for_invoicing(settings)
        if "iban" in seller:
            seller.remove("iban")
            if invoice.total > 0:
                # The payment terms ask for a transfer; without an account it cannot be paid.
                missing.append(
                    msg("bank details (IBAN) for the transfer the payment terms ask for")
                )
        missing += [SELLER_ITEMS.get(field, field) for field in seller]
        if customer is None:
            missing.append(msg("buyer"))
        else:
            if not customer.name:
                missing.append(msg("buyer name"))
            if not (customer.street and customer.postal_code and customer.city) and not (
                customer.address
            ):
                missing.append(msg("buyer address (street, postal_code, city)"))
        if not lines:
            missing.append(msg("at least one line"))
        if invoice.service_start is None:
            missing.append(msg("service date (service_start)"))
        if invoice.total < 0:
            missing.append(msg("a non-negative total (use a credit note to refund)"))
        if invoice.vat_treatment == "reverse_charge":
            if settings is not None and not settings.vat_id:
                missing.append(msg("company vat_id (reverse charge)"))
            if customer is not None:
                if not customer.tax_id or not eu_vat.is_valid(customer.tax_id):
                    missing.append(msg("a valid buyer VAT id (reverse charge)"))
                if customer.type != "B2B":
                    missing.append(msg("a business buyer (reverse charge is B2B only)"))
                seller_country = settings.country if settings is not None else "DE"
                if customer.country == seller_country or customer.country not in EU_COUNTRIES:
                    missing.append(msg("a buyer in another EU country (reverse charge)"))
        missing += _export_missing(invoice, settings, customer)
        small = settings is not None and settings.vat_mode == "small_business"
        if invoice.vat_treatment == "small_business" and settings is not None and not small:
            missing.append(msg("company vat_mode small_business (§19 UStG)"))
        if small and invoice.vat_treatment != "small_business":
            missing.append(
                msg("vat_treatment small_business: the company charges no VAT (§19 UStG)")
            )
        if missing:
            raise Conflict(
                "cannot issue invoice, missing: {missing}",
                field="status",
                params={"missing": missing},
            )

    @staticmethod
    def _address(customer: Customer) -> str | None:
        parts = [customer.street, " ".join(p for p in (customer.postal_code, customer.city) if p)]
        text = "\n".join(p for p in parts if p)
        return text or None

    @staticmethod
    def _snapshot(invoice: Invoice) -> dict[str, Any]:
        return audit_service.snapshot(invoice, tuple(c for c in _AUDITED))

    def _summary(
        self, invoice: Invoice, status: str, paid_sum: Decimal, credited: Decimal
    ) -> InvoiceSummary:
        return InvoiceSummary.model_validate(
            {
                **{f: getattr(invoice, f) for f in _SUMMARY_FIELDS},
                "status": status,
                "paid_amount": paid_sum,
                "open_amount": self._open(invoice, paid_sum, credited),
            }
        )

    @staticmethod
    def _open(invoice: Invoice, paid_sum: Decimal, credited: Decimal) -> Decimal:
        """Open = total - payments - partial credit notes (never below 0: more is a refund)."""
        if invoice.kind != "invoice" or invoice.status in ("draft", "cancelled"):
            return Decimal("0.00")
        return max(Decimal(invoice.total) - paid_sum - credited, Decimal("0.00"))

    async def _read(
        self, db: AsyncSession, invoice: Invoice, *, reread: bool = True
    ) -> InvoiceRead:
        # After a write the row is read back (trigger-set columns); a row just loaded is not.
        if reread:
            await db.refresh(invoice)
        lines = await repository.lines(db, invoice.id)
        paid_sum = await repository.paid(db, invoice.id)
        credited = await repository.credited(db, invoice.id)
        totals = compute((Decimal(ln.net_amount), Decimal(ln.vat_rate)) for ln in lines)
        return InvoiceRead.model_validate(
            {
                **{f: getattr(invoice, f) for f in _READ_FIELDS},
                "status": status_of(invoice, business_today()),
                "paid_amount": paid_sum,
                "open_amount": self._open(invoice, paid_sum, credited),
                "credited_amount": credited,
                "partial": invoice.partial,
                "cancelled_by_id": await repository.cancelled_by(db, invoice.id),
                "legal_note": LEGAL_NOTES.get(invoice.vat_treatment),
                "lines": [_line_read(ln) for ln in lines],
                "per_rate": [
                    RateTotalRead(rate=r.rate, net=r.net, tax=r.tax) for r in totals.per_rate
                ],
            }
        )


def _export_missing(
    invoice: Invoice, settings: CompanySettings | None, customer: Customer | None
) -> list[str]:
    """What a supply abroad needs: services to a business outside the EU (not taxable here,
    § 3a Abs. 2 UStG) and intra-EU supplies of goods (§ 6a UStG, both VAT ids)."""
    missing: list[str] = []
    if invoice.vat_treatment not in ("non_taxable", "intra_eu_goods") or customer is None:
        return missing
    if customer.type != "B2B":
        missing.append(msg("a business buyer"))
    seller_country = settings.country if settings is not None else "DE"
    if invoice.vat_treatment == "non_taxable":
        if customer.country in EU_COUNTRIES:
            missing.append(msg("a buyer outside the EU (not taxable in Germany)"))
        if settings is not None and not settings.tax_number:
            missing.append(msg("company tax_number (such invoices carry no VAT id)"))
    else:
        if settings is not None and not settings.vat_id:
            missing.append(msg("company vat_id (intra-EU supply)"))
        if not customer.tax_id or not eu_vat.is_valid(customer.tax_id):
            missing.append(msg("a valid buyer VAT id (intra-EU supply)"))
        if customer.country == seller_country or customer.country not in EU_COUNTRIES:
            missing.append(msg("a buyer in another EU country (intra-EU supply)"))
    return missing


_SUMMARY_FIELDS = (
    "id",
    "number",
    "kind",
    "customer_id",
    "project_id",
    "buyer_name",
    "issued_date",
    "due_date",
    "net_total",
    "tax_total",
    "total",
    "currency",
    "dunning_level",
    "created_at",
)
# What a credit note copies from the invoice it corrects (the buyer as billed then).
_CREDIT_COPIED = (
    "customer_id",
    "project_id",
    "currency",
    "vat_treatment",
    "service_start",
    "service_end",
    "buyer_name",
    "buyer_address",
    "buyer_street",
    "buyer_postal_code",
    "buyer_city",
    "buyer_country",
    "buyer_tax_id",
    "buyer_reference",
)
_READ_FIELDS = (
    *_SUMMARY_FIELDS,
    "cancels_id",
    "vat_treatment",
    "service_start",
    "service_end",
    "payment_terms_days",
    "note",
    "buyer_address",
    "buyer_street",
    "buyer_postal_code",
    "buyer_city",
    "buyer_country",
    "buyer_tax_id",
    "buyer_reference",
    "last_dunned_on",
)
_AUDITED = (
    "customer_id",
    "project_id",
    "status",
    "number",
    "kind",
    "cancels_id",
    "partial",
    "vat_treatment",
    "service_start",
    "service_end",
    "payment_terms_days",
    "note",
    "buyer_name",
    "buyer_tax_id",
    "issued_date",
    "due_date",
    "net_total",
    "tax_total",
    "total",
)

invoice_service = InvoiceService()

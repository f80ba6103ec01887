"""Quote rules: drafts with lines, issuing with the next gapless number (AN-2026-00001),
accepting, declining, expiring. Never commits; the caller's transaction does."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from workmate import clock
from workmate.audit.service import audit_service, diff
from workmate.auth.principal import Principal
from workmate.company.service import company_service
from workmate.customers.service import customer_service
from workmate.errors import Conflict, Invalid, NotFound
from workmate.invoices.schemas import LineIn
from workmate.invoices.totals import (
    MAX_AMOUNT,
    check_line_amount,
    compute,
    effective_rate,
    line_net,
)
from workmate.models import Quote, QuoteLine
from workmate.pagination import Page, PageParams
from workmate.projects.service import project_service
from workmate.quotes import repository
from workmate.quotes.schemas import (
    QuoteCreate,
    QuoteLineRead,
    QuoteRead,
    QuoteSummary,
    QuoteUpdate,
)

DEFAULT_NUMBER_FORMAT = "AN-{year}-{seq:05d}"
DEFAULT_VALIDITY_DAYS = 30
_AUDITED = ("status", "number", "customer_id", "valid_until", "net_total", "tax_total", "total")


def status_of(quote: Quote) -> str:
    """A sent quote past its validity date is expired, whether the job stored it yet or not."""
    if quote.status == "sent" and quote.valid_until and quote.valid_until < clock.today():
        return "expired"
    return quote.status


class QuoteService:
    async def create(self, db: AsyncSession, who: Principal, data: QuoteCreate) -> QuoteRead:
        """A draft quote for a customer; totals computed from its lines."""
        await customer_service.billable(db, data.customer_id)
        await project_service.check_for_customer(db, data.project_id, data.customer_id)
        settings = await company_service.get(db)
        small = settings is not None and settings.vat_mode == "small_business"
        quote = Quote(
            customer_id=data.customer_id,
            project_id=data.project_id,
            title=data.title,
            vat_treatment=data.vat_treatment or ("small_business" if small else "regular"),
            valid_until=data.valid_until,
            note=data.note,
            status="draft",
        )
        db.add(quote)
        await db.flush()
        await self._replace_lines(db, quote, data.lines)
        await audit_service.record(db, who, "create", "quote", quote.id, diff(None, _snap(quote)))
        return await self.read(db, quote)

    async def update(
        self, db: AsyncSession, who: Principal, quote_id: uuid.UUID, data: QuoteUpdate
    ) -> QuoteRead:
        """Change a draft (409 once issued); `lines` replaces all lines."""
        quote = await self._draft(db, quote_id)
        before = _snap(quote)
        changes = data.model_dump(exclude_unset=True, exclude={"lines"})
        if "vat_treatment" in changes and changes["vat_treatment"] is None:
            changes.pop("vat_treatment")
        for key, value in changes.items():
            setattr(quote, key, value)
        await project_service.check_for_customer(db, quote.project_id, quote.customer_id)
        await db.flush()
        if data.lines is not None:
            await self._replace_lines(db, quote, data.lines)
        else:
            await self._recompute(db, quote)
        await audit_service.record(db, who, "update", "quote", quote.id, diff(before, _snap(quote)))
        return await self.read(db, quote)

    async def delete(self, db: AsyncSession, who: Principal, quote_id: uuid.UUID) -> None:
        """Delete a draft; an issued quote is kept (declined or expired instead)."""
        quote = await self._draft(db, quote_id)
        before = _snap(quote)
        await db.delete(quote)
        await db.flush()
        await audit_service.record(db, who, "delete", "quote", quote_id, diff(before, None))

    async def issue(self, db: AsyncSession, who: Principal, quote_id: uuid.UUID) -> QuoteRead:
        """Issue a draft: next gapless number of the year's series, date, validity; status sent."""
        quote = await self._draft(db, quote_id)
        if not await repository.lines(db, quote.id):
            raise Conflict("a quote needs at least one line", field="lines")
        settings = await company_service.get(db, for_share=True)
        if settings is None or not settings.name:
            raise Conflict("cannot issue a quote: missing company settings", field="status")
        before = _snap(quote)
        today = clock.today()
        seq = await repository.next_number(db, today.year)
        fmt = str(settings.extra.get("quote_number_format") or DEFAULT_NUMBER_FORMAT)
        quote.number = fmt.format(year=today.year, seq=seq)
        quote.issued_date = today
        if quote.valid_until is None or quote.valid_until < today:
            quote.valid_until = today + timedelta(days=DEFAULT_VALIDITY_DAYS)
        quote.status = "sent"
        await db.flush()
        await audit_service.record(db, who, "issue", "quote", quote.id, diff(before, _snap(quote)))
        return await self.read(db, quote)

    async def decide(
        self, db: AsyncSession, who: Principal, quote_id: uuid.UUID, decision: str
    ) -> QuoteRead:
        """Accept or decline a sent quote; an expired one can be neither (issue a new one)."""
        quote = await self._get(db, quote_id, for_update=True)
        status = status_of(quote)
        if status != "sent":
            raise Conflict(
                "only a sent quote can be {decision}; this one is {status}",
                field="status",
                params={"decision": decision, "status": status},
            )
        before = _snap(quote)
        quote.status = decision
        quote.decided_at = clock.now()
        await db.flush()
        await audit_service.record(db, who, decision, "quote", quote.id, diff(before, _snap(quote)))
        return await self.read(db, quote)

    async def expire_due(self, db: AsyncSession, who: Principal | None = None) -> int:
        """Store 'expired' on every sent quote past its validity date."""
        ids = await repository.expire(db, clock.today())
        for quote_id in ids:
            await audit_service.record(
                db, who, "expire", "quote", quote_id, {"status": ["sent", "expired"]}
            )
        return len(ids)

    async def get(self, db: AsyncSession, quote_id: uuid.UUID) -> QuoteRead:
        """One quote with lines, effective status and the invoices that bill it."""
        return await self.read(db, await self._get(db, quote_id))

    async def list_quotes(
        self, db: AsyncSession, status: str | None, paging: PageParams
    ) -> Page[QuoteSummary]:
        """Quotes newest first; 'expired' includes sent ones past their validity date."""
        rows, total = await repository.page(db, status, clock.today(), paging.limit, paging.offset)
        items = [
            QuoteSummary.model_validate({**_fields(q, QuoteSummary), "status": status_of(q)})
            for q in rows
        ]
        return Page(items=items, total=total, limit=paging.limit, offset=paging.offset)

    async def read(self, db: AsyncSession, quote: Quote) -> QuoteRead:
        await db.flush()
        await db.refresh(quote)
        lines = await repository.lines(db, quote.id)
        invoices = await repository.invoices(db, quote.id)
        return QuoteRead.model_validate(
            {
                **_fields(quote, QuoteRead),
                "status": status_of(quote),
                "lines": [QuoteLineRead.model_validate(ln) for ln in lines],
                "invoice_ids": [i.id for i in invoices],
            }
        )

    # ---- helpers ----

    async def _get(
        self, db: AsyncSession, quote_id: uuid.UUID, *, for_update: bool = False
    ) -> Quote:
        quote = await repository.get(db, quote_id, for_update=for_update)
        if quote is None:
            raise NotFound("quote", field="quote_id")
        return quote

    async def _draft(self, db: AsyncSession, quote_id: uuid.UUID) -> Quote:
        quote = await self._get(db, quote_id, for_update=True)
        if quote.status != "draft":
            raise Conflict(
                "quote {number} is issued and cannot change",
                field="status",
                params={"number": quote.number},
            )
        return quote

    async def _replace_lines(self, db: AsyncSession, quote: Quote, lines: Sequence[LineIn]) -> None:
        await repository.delete_lines(db, quote.id)
        for i, data in enumerate(lines):
            check_line_amount(data.quantity, data.unit_price, f"lines.{i}.unit_price")
        db.add_all(
            QuoteLine(
                quote_id=quote.id,
                position=i,
                description=data.description,
                quantity=data.quantity,
                unit=data.unit,
                unit_price=data.unit_price,
                chosen_vat_rate=data.vat_rate,
                vat_rate=effective_rate(quote.vat_treatment, data.vat_rate),
                discount_percent=data.discount_percent,
                net_amount=line_net(data.quantity, data.unit_price, data.discount_percent),
            )
            for i, data in enumerate(lines, start=1)
        )
        await db.flush()
        await self._recompute(db, quote)

    async def _recompute(self, db: AsyncSession, quote: Quote) -> None:
        lines = await repository.lines(db, quote.id)
        for line in lines:
            # Derived from the chosen rate: switching the treatment back restores it.
            rate = effective_rate(quote.vat_treatment, Decimal(line.chosen_vat_rate))
            if line.vat_rate != rate:
                line.vat_rate = rate
        totals = compute((Decimal(ln.net_amount), Decimal(ln.vat_rate)) for ln in lines)
        if max(abs(totals.net), abs(totals.gross)) >= MAX_AMOUNT:
            raise Invalid(
                "the quote total must stay below {limit}",
                field="lines",
                params={"limit": MAX_AMOUNT},
            )
        quote.net_total, quote.tax_total, quote.total = totals.net, totals.tax, totals.gross
        await db.flush()


def _snap(quote: Quote) -> dict[str, Any]:
    return audit_service.snapshot(quote, _AUDITED)


def _fields(quote: Quote, model: type[Any]) -> dict[str, Any]:
    return {f: getattr(quote, f) for f in model.model_fields if hasattr(quote, f)}


quote_service = QuoteService()

"""Dunning rules: which letters are due (levels by days overdue, stop flags), what each
claims (§ 288 BGB: 40 € flat fee once per invoice and 9 points above the base rate for
businesses; 5 points and the level's fee for consumers), the run that writes the chosen
letters, and sending or printing them. Never commits."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

import anyio.to_thread
from sqlalchemy.ext.asyncio import AsyncSession

from workmate import clock
from workmate.audit.service import audit_service
from workmate.auth.principal import Principal
from workmate.company.schemas import DunningLevel
from workmate.company.service import company_service, dunning_levels
from workmate.documents.service import document_service
from workmate.documents.storage import get_storage
from workmate.dunning import interest, repository
from workmate.dunning.letters import letter_pdf
from workmate.dunning.schemas import (
    LEVEL_NAMES,
    LEVEL_NAMES_EN,
    BaseRateRead,
    BaseRateWrite,
    LetterRead,
    Proposal,
    RunRequest,
)
from workmate.einvoice.flows import einvoice_flows
from workmate.errors import Conflict, Invalid, NotFound
from workmate.models import (
    BaseRate,
    CompanySettings,
    Customer,
    DunningBlock,
    DunningLetter,
    Invoice,
)
from workmate.outbox import templates
from workmate.outbox.service import Attachment, NewMessage, outbox_service

ZERO = Decimal("0.00")
LETTER_GAP_DAYS = 7


class DunningService:
    async def proposals(self, db: AsyncSession, today: date | None = None) -> list[Proposal]:
        """The letters due today: each overdue invoice without a stop flag whose next level's
        days are reached, with what the letter would claim."""
        today = today or clock.today()
        return await self._proposals(db, today, None)

    async def run(self, db: AsyncSession, who: Principal, data: RunRequest) -> list[LetterRead]:
        """Write the letters for the chosen invoices that are still due (rechecked under lock),
        with PDF; e-mail them through the outbox or leave them for printing."""
        today = clock.today()
        due = await self._proposals(db, today, data.invoice_ids)
        if not due:
            raise Conflict("none of the chosen invoices is due for a letter", field="invoice_ids")
        settings = await company_service.get(db)
        letters = []
        for proposal in due:
            letters.append(await self._write(db, who, proposal, data.channel, today, settings))
        return [LetterRead.model_validate(x) for x in letters]

    async def letters(
        self, db: AsyncSession, invoice_id: uuid.UUID | None = None
    ) -> list[LetterRead]:
        """Letters newest first (of one invoice, or all)."""
        rows = await repository.letters(db, invoice_id)
        return [LetterRead.model_validate(x) for x in rows]

    async def letter_pdf(self, db: AsyncSession, letter_id: uuid.UUID) -> tuple[str, bytes]:
        """(file name, PDF) of a letter, as stored when it was written."""
        letter = await db.get(DunningLetter, letter_id)
        if letter is None or letter.pdf_path is None:
            raise NotFound("dunning letter", field="letter_id")
        invoice = await db.get(Invoice, letter.invoice_id)
        assert invoice is not None
        storage = get_storage()
        key = letter.pdf_path
        data = await anyio.to_thread.run_sync(lambda: b"".join(storage.open(key)))
        return f"Mahnung-{invoice.number}-{letter.level}.pdf", data

    # ---- stop flags and base rates ----

    async def set_block(
        self,
        db: AsyncSession,
        who: Principal,
        *,
        customer_id: uuid.UUID | None = None,
        invoice_id: uuid.UUID | None = None,
        note: str | None = None,
        stop: bool = True,
    ) -> bool:
        """Stop (or allow again) dunning for a customer or an invoice; idempotent."""
        target = Customer if customer_id is not None else Invoice
        if await db.get(target, customer_id or invoice_id) is None:
            raise NotFound(target.__name__.lower())
        existing = await repository.block(db, customer_id=customer_id, invoice_id=invoice_id)
        if stop and existing is None:
            db.add(DunningBlock(customer_id=customer_id, invoice_id=invoice_id, note=note))
        if not stop and existing is not None:
            await db.delete(existing)
        await db.flush()
        entity = "customer" if customer_id is not None else "invoice"
        await audit_service.record(
            db, who, "dunning_stop" if stop else "dunning_allow", entity, customer_id or invoice_id
        )
        return stop

    async def stops(self, db: AsyncSession, invoice: Invoice) -> tuple[bool, bool]:
        """(invoice stopped, customer stopped) for an invoice's dunning."""
        by_invoice = await repository.block(db, invoice_id=invoice.id)
        by_customer = await repository.block(db, customer_id=invoice.customer_id)
        return by_invoice is not None, by_customer is not None

    async def base_rates(self, db: AsyncSession) -> list[BaseRateRead]:
        """The base rates by the date each applies from."""
        return [BaseRateRead.model_validate(r) for r in await repository.base_rates(db)]

    async def set_base_rate(
        self, db: AsyncSession, who: Principal, data: BaseRateWrite
    ) -> BaseRateRead:
        """Record the base rate that applies from a date (replacing one for the same date)."""
        row = await db.get(BaseRate, data.valid_from)
        before = None if row is None else str(row.rate)
        if row is None:
            row = BaseRate(valid_from=data.valid_from, rate=data.rate)
            db.add(row)
        row.rate = data.rate
        await db.flush()
        await audit_service.record(
            db, who, "update", "base_rate", None, {str(data.valid_from): [before, str(data.rate)]}
        )
        return BaseRateRead.model_validate(row)

    # ---- helpers ----

    async def _proposals(
        self, db: AsyncSession, today: date, chosen: list[uuid.UUID] | None
    ) -> list[Proposal]:
        levels = dunning_levels(await company_service.get(db))
        rates = [(r.valid_from, Decimal(r.rate)) for r in await repository.base_rates(db)]
        result = []
        for invoice, customer, paid, last, fee_charged, last_date in await repository.overdue(
            db, today, chosen
        ):
            # The customer gets time to react to a letter before the next one.
            if last_date is not None and (today - last_date).days < LETTER_GAP_DAYS:
                continue
            level = last + 1
            open_amount = Decimal(invoice.total) - paid
            assert invoice.due_date is not None
            days = (today - invoice.due_date).days
            if level > min(3, len(levels)) or open_amount <= 0 or days < levels[level - 1].days:
                continue
            result.append(
                self._claim(
                    invoice, customer, level, open_amount, days, today, levels, rates, fee_charged
                )
            )
        return result

    @staticmethod
    def _claim(
        invoice: Invoice,
        customer: Customer,
        level: int,
        open_amount: Decimal,
        days: int,
        today: date,
        levels: list[DunningLevel],
        rates: list[tuple[date, Decimal]],
        fee_charged: bool,
    ) -> Proposal:
        business = customer.type != "B2C"
        # A reminder (level 1) asks politely; the Mahnungen claim fees and interest.
        flat = interest.FLAT_FEE if business and level >= 2 and not fee_charged else ZERO
        level_fee = ZERO if business or level < 2 else Decimal(levels[level - 1].fee)
        assert invoice.due_date is not None
        if level >= 2:
            try:
                owed, interest_days, rate = interest.default_interest(
                    open_amount,
                    invoice.due_date + timedelta(days=1),
                    today,
                    rates,
                    interest.points(customer.type),
                )
            except LookupError as exc:
                raise Conflict(
                    "no base rate applies on {day}; add it in the dunning settings",
                    field="base_rate",
                    params={"day": today},
                ) from exc
        else:
            owed, interest_days, rate = ZERO, 0, Decimal("0.00")
        return Proposal(
            invoice_id=invoice.id,
            invoice_number=invoice.number or "",
            customer_id=customer.id,
            customer_name=invoice.buyer_name or customer.name,
            due_date=invoice.due_date,
            days_overdue=days,
            level=level,
            level_name=LEVEL_NAMES[level],
            open_amount=open_amount,
            flat_fee=flat,
            level_fee=level_fee,
            interest_rate=rate,
            interest_days=interest_days,
            interest=owed,
            total=open_amount + flat + level_fee + owed,
            has_email=bool(customer.email),
        )

    async def _write(
        self,
        db: AsyncSession,
        who: Principal,
        p: Proposal,
        channel: str,
        today: date,
        settings: CompanySettings | None,
    ) -> DunningLetter:
        invoice = await db.get(Invoice, p.invoice_id)
        customer = await db.get(Customer, p.customer_id)
        assert invoice is not None
        assert customer is not None
        if channel == "email" and not customer.email:
            raise Invalid(
                "customer {customer} has no e-mail address; print the letter",
                field="channel",
                params={"customer": customer.name},
            )
        letter = DunningLetter(
            id=uuid.uuid4(),
            invoice_id=invoice.id,
            level=p.level,
            letter_date=today,
            open_amount=p.open_amount,
            flat_fee=p.flat_fee,
            level_fee=p.level_fee,
            interest_rate=p.interest_rate,
            interest_days=p.interest_days,
            interest=p.interest,
            channel=channel,
            created_by_id=who.employee_id,
        )
        pdf = await anyio.to_thread.run_sync(letter_pdf, letter, invoice, customer, settings)
        stored = await anyio.to_thread.run_sync(get_storage().put_bytes, pdf)
        document_service.track_stored(db, get_storage(), stored.key)
        letter.pdf_path = stored.key
        db.add(letter)
        await db.flush()
        if channel == "email":
            letter.message_id = await self._email(db, who, letter, invoice, customer, p, settings)
        invoice.dunning_level = max(invoice.dunning_level, p.level)
        invoice.last_dunned_on = today
        await db.flush()
        await audit_service.record(
            db,
            who,
            "dunning_letter",
            "invoice",
            invoice.id,
            {
                "level": [None, p.level],
                "claim": [None, str(p.total)],
                "channel": [None, channel],
            },
        )
        return letter

    async def _email(
        self,
        db: AsyncSession,
        who: Principal,
        letter: DunningLetter,
        invoice: Invoice,
        customer: Customer,
        p: Proposal,
        settings: CompanySettings | None,
    ) -> uuid.UUID:
        language = templates.language_for(invoice.buyer_country or customer.country)
        text = await outbox_service.text(db, "dunning", language)
        names = LEVEL_NAMES if language == "de" else LEVEL_NAMES_EN
        values = {
            "number": invoice.number or "",
            "amount": templates.money(p.open_amount, language, invoice.currency),
            "due_date": templates.day(invoice.due_date, language),
            "iban": (settings.iban or "") if settings else "",
            "customer": customer.name,
            "company": (settings.name or "") if settings else "",
            "level": names[p.level],
            "fees": templates.money(p.flat_fee + p.level_fee + p.interest, language),
        }
        stored = await einvoice_flows.stored_pdf(db, who, invoice.id)
        assert letter.pdf_path is not None
        message = await outbox_service.enqueue(
            db,
            who,
            NewMessage(
                purpose="dunning",
                related_type="dunning_letter",
                related_id=letter.id,
                to=[customer.email or ""],
                cc=[],
                subject=templates.fill(text.subject, values),
                body=templates.fill(text.body, values),
                language=language,
                attachments=[
                    Attachment(
                        f"{names[p.level]} {invoice.number}.pdf".replace(" ", "_"),
                        "application/pdf",
                        letter.pdf_path,
                    ),
                    Attachment(f"{stored.filename}.pdf", "application/pdf", stored.key),
                ],
            ),
        )
        return message.id


dunning_service = DunningService()
